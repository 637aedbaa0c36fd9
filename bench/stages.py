"""Where a message's time goes inside our server: receipt, outbox, store, publish,
fan-out, with the server wrapped to time each stage of each message.

    .venv/bin/python bench/stages.py --rooms 10 --rate 10   # 10 messages/s in each of ten rooms of 200
    .venv/bin/python bench/stages.py --rooms 1 --rate 50

Like bench/realtime.py it starts its own PostgreSQL and Redis and our server under
uvicorn, but the server is this module's `application`: `asgi:application` with
Outbox.add, services.messages_post and Hub.dispatch wrapped. The client writes its send
time (time.perf_counter, the system's monotonic clock, shared by both processes) into
each message's text, so each stage is measured from the same origin. Printed: the
client's p50/p99 from send to receipt (as bench/realtime.py's latency), then the
server's p50/p99 of each stage, in ms, over the same window:
- receipt: from the client's send to the outbox;
- outbox: waiting for the batch before it to be stored;
- store: `messages_post` of its batch, in the database thread;
- publish: from the stored batch to the hub's dispatch (the commit, Redis pub/sub);
- fan-out: the dispatch of the room's frames to its sockets;
- server total: from the client's send to the end of the fan-out."""

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = ("receipt", "outbox", "store", "publish", "fan-out")


def _sent_at(text: str) -> float | None:
    """The client's send time in a bench message's text ("n sent padding")."""
    try:
        return float(text.split(" ", 2)[1])
    except (IndexError, ValueError):
        return None


def _instrumented_application():
    """asgi:application with each message's stages recorded; a thread appends them, as
    one line of six times per message, to $STAGES_LOG."""
    import re
    import threading

    from asgi import application
    from backend.chat import hub, outbox, services

    # The send time in a stored message's frame, read without decoding the frame.
    sent_in_frame = re.compile(rb'"text":"\d+ ([0-9.]+) ')
    times: dict[float, list[float]] = {}
    done: list[list[float]] = []
    add, post, dispatch = outbox.Outbox.add, services.messages_post, hub.Hub.dispatch

    def timed_add(self, socket, frame, request):
        sent = _sent_at(request.text)
        if sent is not None:
            times[sent] = [sent, time.perf_counter()]
        return add(self, socket, frame, request)

    def timed_post(*, requests):
        start = time.perf_counter()
        results = post(requests=requests)
        end = time.perf_counter()
        for request in requests:
            stages = times.get(_sent_at(request.text))
            if stages is not None:
                stages += [start, end]
        return results

    def timed_dispatch(self, event):
        start = time.perf_counter()
        dispatch(self, event)
        end = time.perf_counter()
        for frame in event.get("frames", ()):
            found = sent_in_frame.search(frame)
            stages = times.pop(float(found.group(1)), None) if found else None
            if stages is not None and len(stages) == 4:
                done.append(stages + [start, end])

    def write() -> None:
        with open(os.environ["STAGES_LOG"], "a") as log:
            while True:
                time.sleep(0.5)
                while done:
                    log.write(" ".join(map(repr, done.pop(0))) + "\n")
                log.flush()

    outbox.Outbox.add, services.messages_post, hub.Hub.dispatch = timed_add, timed_post, timed_dispatch
    threading.Thread(target=write, daemon=True).start()
    return application


def __getattr__(name: str):
    # uvicorn asks for `application`: only the server process pays for the wrapping.
    if name == "application":
        globals()["application"] = _instrumented_application()
        return globals()["application"]
    raise AttributeError(name)


def _quantiles(values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=100)
    return f"{cuts[49]:.1f} / {cuts[98]:.1f}"


def main() -> None:
    import bench.realtime as realtime
    from tests.servers import PostgresServer, RedisServer, free_port, remove

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=10, help="rooms of 200 sockets (default 10)")
    parser.add_argument("--rate", type=float, default=10, help="messages per second in each room (default 10)")
    args = parser.parse_args()
    _, most_files = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (most_files, most_files))
    sizes = realtime.FULL
    workdir = Path(tempfile.mkdtemp(prefix="voisins-bench-stages-"))
    postgres, redis_server = PostgresServer(workdir / "postgres"), RedisServer(workdir)
    log = workdir / "stages.log"
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings", "DATABASE_URL": postgres.url,
        "REDIS_URL": redis_server.url, "SECRET_KEY": "bench-only-secret", "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING", "CHAT_WRITES_PER_WINDOW": "100000000", "CHAT_IDLE_TIMEOUT_SECONDS": "600",
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"), "STAGES_LOG": str(log),
    }
    os.environ.update(env)
    try:
        room_ids, user_ids = realtime.prepare_database(users=600, rooms=sizes.rooms)
        target = realtime.Voisins(free_port(), "uvicorn", room_ids, user_ids)
        command = realtime._uvicorn("bench.stages:application", target.port)
        process = realtime.subprocess.Popen(command, cwd=ROOT, env=env)
        realtime.wait_for_port(target.port, what=target.name)
        try:
            # Stages of the measured window only: what the warm-up logged is dropped.
            window = asyncio.run(_measure(realtime, target, args.rooms, sizes, args.rate, log))
        finally:
            process.terminate()
            process.wait()
    finally:
        redis_server.stop()
        postgres.stop()
        remove(workdir)
    p50, p99, rows = window
    print(f"{args.rooms} room(s) of {sizes.per_room}, {args.rate:g} messages/s each: client p50 / p99 {p50:.1f} / {p99:.1f} ms")
    print(f"server, {len(rows)} messages, p50 / p99 ms:")
    for index, stage in enumerate(STAGES):
        print(f"  {stage:14} {_quantiles([(row[index + 1] - row[index]) * 1000 for row in rows])}")
    print(f"  {'server total':14} {_quantiles([(row[5] - row[0]) * 1000 for row in rows])}")


async def _measure(realtime, target, rooms: int, sizes, rate: float, log: Path):
    """bench/realtime.py's latency window, and the server's stages of the messages sent
    after its one-second warm-up."""
    p50, p99 = await realtime.latency(target, rooms, sizes.per_room, sizes.seconds, rate)
    await asyncio.sleep(1.0)  # the server writes its log every half-second
    rows = [list(map(float, line.split())) for line in log.read_text().splitlines()]
    warm = min(row[0] for row in rows) + 1.0
    return p50, p99, [row for row in rows if row[0] >= warm]


if __name__ == "__main__":
    main()
