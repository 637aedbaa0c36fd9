"""Real-time benchmark: our server against a bare ASGI broadcast loop (bench/baseline.py),
measured side by side in one run, with the same client, on this machine.

    .venv/bin/python bench/realtime.py            # the figures of docs/performance.md
    .venv/bin/python bench/realtime.py --quick    # smaller and shorter, to try a change
    .venv/bin/python bench/realtime.py --latency-at 50   # our latency alone at 50 messages/s
    .venv/bin/python bench/realtime.py --idle 19000      # memory per idle socket, 19,000 in one room

It starts its own PostgreSQL and Redis (as the tests do), a database with a demo
neighbourhood, and one server process per target; then, for each target:
- deliveries per second at saturation, one room of 200 sockets and 10 rooms of 200;
- p50/p99 publish-to-receive latency at half of that saturation, timed on one socket in
  ten of every room;
- memory per idle socket, from the server's RSS before and after opening 5,000 sockets;
- for our server, send-to-acknowledgement p99 at 100 messages per second.
Saturation is closed-loop: a room's sender keeps at most WINDOW messages ahead of the
room's last receiver, so no socket is ever a slow reader."""

import argparse
import asyncio
import contextlib
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import orjson
import psutil
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import PostgresServer, RedisServer, free_port, remove, wait_for_port  # noqa: E402

WINDOW = 50
# How long sockets stay idle before the server's memory is read: longer than our
# server's sweep (CHAT_SWEEP_SECONDS), as idle phones are.
IDLE_SECONDS = 6.0
LATENCY_SAMPLE = 10
PAD = "x" * 200


@dataclass
class Sizes:
    per_room: int
    rooms: int
    idle_sockets: int
    seconds: float


FULL = Sizes(per_room=200, rooms=10, idle_sockets=5000, seconds=6.0)
# Offered loads at which every target's latency is measured, so that the two are compared
# at equal work (messages per second in one room, and per room in all rooms).
EQUAL_LOADS = {"one": (50, 100, 250), "many": (10, 25)}
QUICK = Sizes(per_room=50, rooms=4, idle_sockets=500, seconds=2.0)


class Target:
    name: str
    command: list[str]

    def __init__(self, port: int) -> None:
        self.port = port

    async def open(self, room: int, user: int) -> websockets.ClientConnection:
        raise NotImplementedError

    def frame(self, room: int, n: int) -> str:
        raise NotImplementedError

    def read(self, raw: str) -> tuple[int, float] | None:
        """(message number, send time) of a broadcast frame, None for other frames."""
        raise NotImplementedError

    def is_delivery(self, raw: str) -> bool:
        """Whether a frame is a broadcast message (what deliveries per second count)."""
        return True


async def _connect(url: str) -> websockets.ClientConnection:
    return await websockets.connect(url, compression=None, max_size=2**20, open_timeout=60, ping_interval=None)


class Baseline(Target):
    name = "baseline (bare ASGI loop, uvicorn)"

    @property
    def command(self) -> list[str]:
        return _uvicorn("bench.baseline:app", self.port)

    async def open(self, room: int, user: int) -> websockets.ClientConnection:
        return await _connect(f"ws://127.0.0.1:{self.port}/?room={room}")

    def frame(self, room: int, n: int) -> str:
        return orjson.dumps({"n": n, "t": time.perf_counter(), "pad": PAD}).decode()

    def read(self, raw: str) -> tuple[int, float] | None:
        frame = orjson.loads(raw)
        return frame["n"], frame["t"]


class Voisins(Target):
    def __init__(self, port: int, server: str, room_ids: list[int], user_ids: list[int]) -> None:
        super().__init__(port)
        self.server, self.room_ids, self.user_ids = server, room_ids, user_ids
        self.name = f"Voisins ({server})"

    @property
    def command(self) -> list[str]:
        if self.server == "daphne":
            return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "asgi:application"]
        return _uvicorn("asgi:application", self.port)

    async def open(self, room: int, user: int) -> websockets.ClientConnection:
        from asgiref.sync import sync_to_async

        from backend.accounts.models import User
        from backend.chat.services import ticket_issue

        owner = User(pk=self.user_ids[user % len(self.user_ids)])
        ticket = await sync_to_async(ticket_issue)(user=owner, token_id=None)
        ws = await _connect(f"ws://127.0.0.1:{self.port}/ws/v1/?ticket={ticket}")
        while orjson.loads(await ws.recv())["type"] != "hello":
            pass
        if room >= 0:
            await ws.send(orjson.dumps({"type": "subscribe", "room_id": self.room_ids[room]}).decode())
            while orjson.loads(await ws.recv())["type"] != "subscribed":
                pass
        return ws

    def frame(self, room: int, n: int) -> str:
        text = f"{n} {time.perf_counter()!r} {PAD}"
        return orjson.dumps(
            {"type": "message.send", "ref": uuid.uuid4().hex, "room_id": self.room_ids[room], "text": text}
        ).decode()

    def read(self, raw: str) -> tuple[int, float] | None:
        frame = orjson.loads(raw)
        if frame["type"] != "message.new":
            return None
        n, sent, _ = frame["message"]["text"].split(" ", 2)
        return int(n), float(sent)

    def is_delivery(self, raw: str) -> bool:
        # Other frames (presence.changed, rooms.activity, acks) are not deliveries of messages.
        return raw.startswith('{"type":"message.new"')


def _uvicorn(app: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", app, "--port", str(port), "--ws", "websockets-sansio",
        "--ws-per-message-deflate", "false", "--lifespan", "off", "--no-access-log", "--log-level", "warning",
    ]


async def _open_many(target: Target, rooms: int, per_room: int, *, user_offset: int = 0) -> list[list]:
    sockets: list[list] = [[] for _ in range(rooms)]
    gate = asyncio.Semaphore(50)

    async def one(room: int, index: int) -> None:
        async with gate:
            sockets[room].append(await target.open(room, user_offset + room * per_room + index))

    await asyncio.gather(*(one(room, index) for room in range(rooms) for index in range(per_room)))
    return sockets


@contextlib.contextmanager
def _client_collector_paused():
    """No garbage collection in this client during a warm-up and its window. With 2,000
    sockets open, a full collection here stops the client for 100-250 ms, and the
    deliveries it holds back count as the server's latency (or as fewer deliveries), in
    whichever target's window it happens to fall. One collection before the warm-up;
    what the window allocates is collected after it."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def _drain(ws) -> None:
    async for _ in ws:
        pass


async def _close_all(groups: list[list]) -> None:
    await asyncio.gather(*(ws.close() for group in groups for ws in group), return_exceptions=True)


async def saturation(target: Target, rooms: int, per_room: int, seconds: float) -> float:
    """Deliveries per second received by all sockets, senders as fast as the window allows."""
    receivers = await _open_many(target, rooms, per_room)
    senders = [await target.open(room, room) for room in range(rooms)]
    counted = [0]
    progress = [0] * rooms
    stop = asyncio.Event()

    async def count(ws) -> None:
        async for raw in ws:
            if target.is_delivery(raw):
                counted[0] += 1

    async def probe(room: int, ws) -> None:
        async for raw in ws:
            read = target.read(raw)
            if read:
                counted[0] += 1
                progress[room] = read[0]

    async def send(room: int, ws) -> None:
        n = 0
        while not stop.is_set():
            if n - progress[room] >= WINDOW:
                await asyncio.sleep(0.0005)
                continue
            n += 1
            await ws.send(target.frame(room, n))

    tasks = [asyncio.create_task(count(ws)) for group in receivers for ws in group[:-1]]
    tasks += [asyncio.create_task(probe(room, group[-1])) for room, group in enumerate(receivers)]
    tasks += [asyncio.create_task(_drain(ws)) for ws in senders]
    tasks += [asyncio.create_task(send(room, ws)) for room, ws in enumerate(senders)]
    with _client_collector_paused():
        await asyncio.sleep(1.0)  # warm up
        start_count, start = counted[0], time.perf_counter()
        await asyncio.sleep(seconds)
        rate = (counted[0] - start_count) / (time.perf_counter() - start)
    stop.set()
    for task in tasks:
        task.cancel()
    await _close_all(receivers + [senders])
    return rate


async def latency(target: Target, rooms: int, per_room: int, seconds: float, messages_per_second: float) -> tuple[float, float]:
    """p50 and p99 publish-to-receive latency in ms, senders paced at the given rate per room."""
    receivers = await _open_many(target, rooms, per_room)
    senders = [await target.open(room, room) for room in range(rooms)]
    samples: list[float] = []
    measuring = [False]

    async def receive(ws) -> None:
        async for raw in ws:
            read = target.read(raw)
            if read and measuring[0]:
                samples.append((time.perf_counter() - read[1]) * 1000)

    async def send(room: int, ws) -> None:
        interval, n = 1 / messages_per_second, 0
        next_at = time.perf_counter() + room * interval / rooms
        while True:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            n += 1
            await ws.send(target.frame(room, n))
            next_at += interval

    # Every socket receives everything, but one in LATENCY_SAMPLE parses and times its
    # frames: parsing them all would make the client, on the same cores, the bottleneck.
    tasks = [
        asyncio.create_task(receive(ws) if index % LATENCY_SAMPLE == 0 else _drain(ws))
        for group in receivers
        for index, ws in enumerate(group)
    ]
    tasks += [asyncio.create_task(_drain(ws)) for ws in senders]
    tasks += [asyncio.create_task(send(room, ws)) for room, ws in enumerate(senders)]
    with _client_collector_paused():
        await asyncio.sleep(1.0)
        measuring[0] = True
        await asyncio.sleep(seconds)
        measuring[0] = False
    for task in tasks:
        task.cancel()
    await _close_all(receivers + [senders])
    quantiles = statistics.quantiles(samples, n=100)
    return quantiles[49], quantiles[98]


async def idle_memory(target: Target, pid: int, sockets: int) -> float:
    """KB of server RSS per idle socket."""
    warm = await _open_many(target, 1, 10)
    await asyncio.sleep(1.0)
    before = psutil.Process(pid).memory_info().rss
    opened = await _open_many(target, 1, sockets, user_offset=10)
    await asyncio.sleep(IDLE_SECONDS)
    after = psutil.Process(pid).memory_info().rss
    await _close_all(opened + warm)
    return (after - before) / sockets / 1024


async def idle_room(target: Target, pid: int, sockets: int) -> tuple[float, float, float]:
    """`sockets` idle sockets in one room, each read as a phone reads it (the presence
    frames of the others arriving included): (KB of server RSS per socket, server RSS in
    MB with them open, seconds for one message to reach every one of them)."""
    warm = await _open_many(target, 1, 10)
    drains = [asyncio.create_task(_drain(ws)) for ws in warm[0]]
    await asyncio.sleep(1.0)
    before = psutil.Process(pid).memory_info().rss
    arrived = asyncio.Event()
    left, closed = [sockets], [0]

    async def read(ws) -> None:
        try:
            async for raw in ws:
                if target.read(raw):
                    break
        except websockets.ConnectionClosed:
            closed[0] += 1
        left[0] -= 1
        if not left[0]:
            arrived.set()

    opened, readers = [], []
    gate = asyncio.Semaphore(50)

    async def open_one(index: int) -> None:
        async with gate:
            ws = await target.open(0, 10 + index)
        opened.append(ws)
        readers.append(asyncio.create_task(read(ws)))  # read from the start, as a phone does

    await asyncio.gather(*(open_one(index) for index in range(sockets)))
    await asyncio.sleep(IDLE_SECONDS)
    after = psutil.Process(pid).memory_info().rss
    start = time.perf_counter()
    await warm[0][0].send(target.frame(0, 1))
    await asyncio.wait_for(arrived.wait(), 120)
    took = time.perf_counter() - start
    for task in readers + drains:
        task.cancel()
    await _close_all([opened] + warm)
    assert not closed[0], f"{closed[0]} of the idle sockets were closed before the message reached them"
    return (after - before) / sockets / 1024, after / 2**20, took


async def ack_latency(target: Voisins, seconds: float, messages_per_second: float = 100) -> float:
    """p99 ms from sending message.send to its ack, at a steady rate."""
    ws = await target.open(0, 0)
    sent: dict[str, float] = {}
    samples: list[float] = []

    async def receive() -> None:
        async for raw in ws:
            frame = orjson.loads(raw)
            if frame["type"] == "ack" and frame["ref"] in sent:
                samples.append((time.perf_counter() - sent.pop(frame["ref"])) * 1000)

    reader = asyncio.create_task(receive())
    next_at = time.perf_counter()
    deadline = next_at + seconds
    while time.perf_counter() < deadline:
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        frame = target.frame(0, 0)
        sent[orjson.loads(frame)["ref"]] = time.perf_counter()
        await ws.send(frame)
        next_at += 1 / messages_per_second
    await asyncio.sleep(0.5)
    reader.cancel()
    await ws.close()
    return statistics.quantiles(samples, n=100)[98]


def prepare_database(users: int, rooms: int) -> tuple[list[int], list[int]]:
    """Migrates, and creates one neighbourhood with `users` verified members and rooms."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.chat.models import Room
    from backend.neighbourhoods.models import Neighbourhood
    from backend.neighbourhoods.services import neighbourhood_save
    from backend.trust.models import Membership

    call_command("migrate", verbosity=0)
    neighbourhood = neighbourhood_save(
        neighbourhood=Neighbourhood(
            name="Bench", slug="bench", country="FR", center_latitude=48.65, center_longitude=-2.02, radius_m=800
        )
    )
    password = make_password("bench-password-1")
    people = User.objects.bulk_create(
        User(email=f"bench{i}@example.org", display_name=f"Voisin {i}", password=password) for i in range(users)
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        Membership(user=user, neighbourhood=neighbourhood, state="verified", route="proof", street="Rue du Banc",
                   number="1", postcode="35400", city="Saint-Malo", latitude=48.65, longitude=-2.02,
                   applied_at=now, decided_at=now)
        for user in people
    )
    created = Room.objects.bulk_create(
        Room(neighbourhood=neighbourhood, kind="topic", name=f"Salon {i}") for i in range(rooms)
    )
    return [room.pk for room in created], [user.pk for user in people]


def start_server(target: Target, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(target.command, cwd=ROOT, env=env)
    wait_for_port(target.port, what=target.name)
    return process


async def measure(target: Target, process: subprocess.Popen, sizes: Sizes) -> dict:
    one = await saturation(target, 1, sizes.per_room, sizes.seconds)
    many = await saturation(target, sizes.rooms, sizes.per_room, sizes.seconds)
    # Messages per second per room that make half of this target's own saturation.
    rates = {"one": one / 2 / sizes.per_room, "many": many / 2 / (sizes.rooms * sizes.per_room)}
    result = {
        "saturation_one": one,
        "saturation_many": many,
        "latency_one": await latency(target, 1, sizes.per_room, sizes.seconds, rates["one"]),
        "latency_many": await latency(target, sizes.rooms, sizes.per_room, sizes.seconds, rates["many"]),
        "idle_kb": await idle_memory(target, process.pid, sizes.idle_sockets),
        "half_rates": rates,
        "equal_one": {rate: await latency(target, 1, sizes.per_room, sizes.seconds, rate) for rate in EQUAL_LOADS["one"]},
        "equal_many": {
            rate: await latency(target, sizes.rooms, sizes.per_room, sizes.seconds, rate) for rate in EQUAL_LOADS["many"]
        },
    }
    if isinstance(target, Voisins):
        result["ack_p99"] = await ack_latency(target, sizes.seconds)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller rooms and shorter runs")
    parser.add_argument("--servers", default="uvicorn,daphne", help="servers to measure ours under")
    parser.add_argument(
        "--latency-at", type=float, metavar="RATE",
        help="only our latency in one room, at RATE messages/s, with the server's CPU use",
    )
    parser.add_argument(
        "--idle", type=int, metavar="SOCKETS",
        help="only memory per idle socket with SOCKETS open in one room, and one message to all of them",
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    # As many files as the hard limit allows (a server needs one per socket): in
    # production, raise it for the web processes (README, Production).
    _, most_files = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (most_files, most_files))
    if args.idle and args.idle + 100 > most_files:
        parser.error(f"{args.idle} sockets need more open files than this machine's hard limit ({most_files})")

    workdir = Path(tempfile.mkdtemp(prefix="voisins-bench-"))
    postgres, redis_server = PostgresServer(workdir / "postgres"), RedisServer(workdir)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis_server.url,
        "SECRET_KEY": "bench-only-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "CHAT_WRITES_PER_WINDOW": "100000000",
        "CHAT_IDLE_TIMEOUT_SECONDS": "600",
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
    }
    os.environ.update(env)
    try:
        sockets = args.idle or sizes.idle_sockets
        room_ids, user_ids = prepare_database(users=max(600, sockets // 9), rooms=sizes.rooms)
        if args.latency_at:
            latency_at(Voisins(free_port(), "uvicorn", room_ids, user_ids), env, sizes, args.latency_at)
            return
        if args.idle:
            idle_only([Baseline(free_port()), Voisins(free_port(), "uvicorn", room_ids, user_ids)], env, args.idle)
            return
        baseline = Baseline(free_port())
        targets = [baseline] + [Voisins(free_port(), server, room_ids, user_ids) for server in args.servers.split(",")]
        results = {}
        for target in targets:  # one server at a time, so none competes with another
            process = start_server(target, env)
            try:
                results[target.name] = asyncio.run(measure(target, process, sizes))
            finally:
                process.terminate()
                process.wait()
        report(results, sizes, baseline.name)
    finally:
        redis_server.stop()
        postgres.stop()
        remove(workdir)


def idle_only(targets: list[Target], env: dict, sockets: int) -> None:
    results = {}
    for target in targets:
        process = start_server(target, env)
        try:
            results[target.name] = asyncio.run(idle_room(target, process.pid, sockets))
        finally:
            process.terminate()
            process.wait()
    base_kb = results[targets[0].name][0]
    print(f"\n{sockets:,} idle sockets in one room, one server process each, {os.cpu_count()} cores")
    for name, (kb, rss, took) in results.items():
        print(f"  {name:20} {kb:6.1f} KB per idle socket ({kb / base_kb:.2f} x), server RSS {rss:,.0f} MB, "
              f"one message to all of them in {took * 1000:,.0f} ms")


def latency_at(target: "Voisins", env: dict, sizes: Sizes, rate: float) -> None:
    process = start_server(target, env)
    try:
        server = psutil.Process(process.pid)
        before, start = server.cpu_times(), time.perf_counter()
        p50, p99 = asyncio.run(latency(target, 1, sizes.per_room, sizes.seconds, rate))
        after, wall = server.cpu_times(), time.perf_counter() - start
    finally:
        process.terminate()
        process.wait()
    busy = (after.user + after.system - before.user - before.system) / wall * 100
    print(f"{target.name}, 1 room x {sizes.per_room}, {rate:g} messages/s: p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
          f"server CPU {busy:.0f} % of one core over the run (opening sockets included)")


def report(results: dict, sizes: Sizes, baseline_name: str) -> None:
    base = results[baseline_name]
    rooms = f"{sizes.rooms} rooms x {sizes.per_room}"
    print(f"\nReal-time benchmark, {os.cpu_count()} cores, one client process, window {WINDOW} messages per room.")
    print(f"{'':36} {'1 room x ' + str(sizes.per_room):>20} {rooms:>20} {'p50/p99 ms (1 room)':>22} "
          f"{'p50/p99 ms (' + str(sizes.rooms) + ' rooms)':>22} {'KB/idle socket':>15} {'ack p99 ms':>11}")
    for name, r in results.items():
        print(
            f"{name:36} {r['saturation_one']:>13,.0f} /s {r['saturation_one'] / base['saturation_one']:>4.2f}x"
            f" {r['saturation_many']:>13,.0f} /s {r['saturation_many'] / base['saturation_many']:>4.2f}x"
            f" {r['latency_one'][0]:>10.1f} / {r['latency_one'][1]:<9.1f}"
            f" {r['latency_many'][0]:>10.1f} / {r['latency_many'][1]:<9.1f}"
            f" {r['idle_kb']:>15.1f} {r.get('ack_p99', float('nan')):>11.1f}"
        )
    print("p50/p99 ms at equal offered loads (ratio of p99s to the baseline's):")
    loads = [("one", rate, f"{rate} msg/s, 1 room") for rate in EQUAL_LOADS["one"]]
    loads += [("many", rate, f"{rate} msg/s per room, {sizes.rooms} rooms") for rate in EQUAL_LOADS["many"]]
    for name, r in results.items():
        cells = []
        for kind, rate, label in loads:
            p50, p99 = r[f"equal_{kind}"][rate]
            cells.append(f"{label}: {p50:.1f} / {p99:.1f} ({p99 / base[f'equal_{kind}'][rate][1]:.1f} x)")
        print(f"  {name}: " + "; ".join(cells))
    print("The latency columns above are at half of each target's own saturation:")
    for name, r in results.items():
        print(f"  {name}: {r['half_rates']['one']:.0f} messages/s in one room, "
              f"{r['half_rates']['many']:.1f} messages/s per room in {sizes.rooms} rooms")


if __name__ == "__main__":
    main()
