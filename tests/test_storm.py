"""A reconnect storm against real processes: two `web` processes of the Procfile on a
PostgreSQL of their own with a low max_connections (40) and the tests' Redis, 500
sockets connecting at once as apps do (REST ticket, socket, hello), with the client of
bench/storm.py and the back-off the contract asks for."""

import json
import os
import subprocess
import sys

from bench import storm
from tests.conftest import ROOT
from tests.servers import PostgresServer, free_port, procfile_command, remove, wait_for_port

SOCKETS, USERS, POOL = 500, 50, 10


async def test_500_sockets_reconnecting_at_once_all_get_hello_with_documented_answers_only(settings, tmp_path):
    postgres = PostgresServer(tmp_path / "postgres", max_connections=40)
    env = {
        **os.environ,
        "DATABASE_URL": postgres.url,
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        # Two pools and the sampler's connection stay well under max_connections.
        "DB_POOL_MAX": str(POOL),
        "PGAPPNAME": "voisins-web",
    }
    processes: list[subprocess.Popen] = []
    log = (tmp_path / "web.log").open("ab")
    try:
        prepared = subprocess.run(
            [sys.executable, "bench/storm.py", "--prepare-only", "--sockets", str(SOCKETS), "--users", str(USERS)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
        )
        tokens = json.loads(prepared.stdout)
        ports = [free_port(), free_port()]
        for port in ports:
            processes.append(subprocess.Popen(procfile_command("web", port), cwd=ROOT, env=env, stdout=log, stderr=log))
        for port in ports:
            wait_for_port(port, what="web")
        sampler = storm.Sampler(postgres.url.replace("postgres://", "postgresql://"), "postgres", [])
        sampler.start()
        devices = [storm.Device(user_id, token, f"http://127.0.0.1:{ports[i % 2]}") for i, (user_id, token) in
                   enumerate(tokens)]
        outcome = storm.Outcome()
        try:
            elapsed = await storm.storm(devices, outcome, deadline=45)
        finally:
            await storm.close_all(devices)
            sampler.stopping.set()
            sampler.join()
        storm.report("storm", SOCKETS, elapsed, outcome)
        assert len(outcome.hello_at) == SOCKETS
        # Refusals are only the documented ones: 503 server_busy, a socket's
        # server_busy + 1013; never a 500, an HTML page, or a close without a code.
        assert not outcome.undocumented
        assert set(outcome.failures) <= {"http 503 server_busy", "close 1013"}
        assert not outcome.before_hello
        assert sampler.peak_connections <= 2 * POOL
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)
        log.close()
        postgres.stop()
        remove(tmp_path / "postgres")
