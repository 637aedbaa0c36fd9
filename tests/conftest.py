"""Starts a real PostgreSQL and a real Redis once per test session (unless
DATABASE_URL / REDIS_URL are given), then lets pytest-django set Django up on them.

DJANGO_SETTINGS_MODULE is set here rather than in pytest.ini so that Django reads
its settings only after the servers' addresses are in the environment."""

import asyncio
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import servers

ROOT = Path(__file__).resolve().parent.parent
_started: list = []
_workdir = Path(tempfile.mkdtemp(prefix="voisins-tests-"))


def pytest_configure(config):
    if "DATABASE_URL" not in os.environ:
        postgres = servers.PostgresServer(_workdir / "postgres")
        _started.append(postgres)
        os.environ["DATABASE_URL"] = postgres.url
    if "REDIS_URL" not in os.environ:
        redis_server = servers.RedisServer(_workdir)
        _started.append(redis_server)
        os.environ["REDIS_URL"] = redis_server.url
    os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(_workdir / "private")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()


def pytest_unconfigure(config):
    while _started:
        _started.pop().stop()
    servers.remove(_workdir)


@pytest.fixture(autouse=True)
def _test_settings_and_clean_cache(settings):
    # PBKDF2 at full strength costs ~0.3 s per hash; tests hash hundreds of passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages render without a collectstatic run; production uses the hashed manifest.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.core.cache import cache

    cache.clear()
    servers.remove(Path(settings.PRIVATE_MEDIA_ROOT))
    yield


# The little world most tests live in: two neighbourhoods and one person per role.

SAINT_MALO = (48.6493, -2.0257)
INSIDE_SAINT_MALO = (48.6490, -2.0250)
INSIDE_DINARD = (48.6330, -2.0600)
NOWHERE = (45.0, 5.0)
PASSWORD = "un-velo-bleu-42"


@pytest.fixture
def saint_malo(db):
    from backend.neighbourhoods.models import Neighbourhood
    from backend.neighbourhoods.services import neighbourhood_save

    return neighbourhood_save(
        neighbourhood=Neighbourhood(
            name="Saint-Malo", slug="saint-malo", country="FR", locale="fr-FR",
            center_latitude=SAINT_MALO[0], center_longitude=SAINT_MALO[1], radius_m=500,
        )
    )


@pytest.fixture
def dinard(db):
    from backend.neighbourhoods.models import Neighbourhood
    from backend.neighbourhoods.services import neighbourhood_save

    return neighbourhood_save(
        neighbourhood=Neighbourhood(
            name="Dinard", slug="dinard", country="FR", locale="fr-FR",
            polygon=[[-2.07, 48.64], [-2.05, 48.64], [-2.05, 48.62], [-2.07, 48.62]],
        )
    )


def make_user(email: str, *, name: str | None = None, language: str = "en", staff: bool = False):
    from backend.accounts.models import User

    return User.objects.create_user(
        email, PASSWORD, display_name=name or email.split("@")[0].title(), language=language, is_staff=staff
    )


def make_membership(user, neighbourhood, *, state: str = "pending", street: str = "Grande Rue", at=INSIDE_SAINT_MALO):
    from django.utils import timezone

    from backend.trust.models import Membership

    return Membership.objects.create(
        user=user, neighbourhood=neighbourhood, state=state, street=street, number="12", postcode="35400",
        city="Saint-Malo", latitude=at[0], longitude=at[1], applied_at=timezone.now(),
        route="proof" if state == "verified" else None,
        decided_at=timezone.now() if state != "pending" else None,
    )


@pytest.fixture
def applicant(saint_malo):
    user = make_user("applicant@example.org", name="Ada")
    make_membership(user, saint_malo)
    return user


@pytest.fixture
def member(saint_malo):
    user = make_user("member@example.org", name="Marc")
    make_membership(user, saint_malo, state="verified", street="Rue de Dinan")
    return user


@pytest.fixture
def outsider(dinard):
    """A verified member of another neighbourhood."""
    user = make_user("outsider@example.org", name="Otto")
    make_membership(user, dinard, state="verified", street="Rue du Bac", at=INSIDE_DINARD)
    return user


@pytest.fixture
def moderator(saint_malo):
    user = make_user("moderator@example.org", name="Morgane")
    saint_malo.moderators.add(user)
    return user


@pytest.fixture
def staff(db):
    return make_user("staff@example.org", name="Sam", staff=True)


@pytest.fixture
def client_for():
    """An API client authenticated with a fresh device token of `user` (anonymous for None)."""
    from rest_framework.test import APIClient

    from backend.accounts.services import token_create

    def build(user=None, **headers):
        client = APIClient(**headers)
        if user is not None:
            _, raw = token_create(user=user, device_name="test")
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return build


def _process_env(**extra_env) -> dict[str, str]:
    """The environment of a server or worker process on the test database and Redis."""
    from django.conf import settings
    from django.db import connection

    return {
        **os.environ,
        "DATABASE_URL": servers.database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        **{key: str(value) for key, value in extra_env.items()},
    }


@pytest.fixture
def serve():
    """Starts uvicorn processes of asgi:application on the test database and Redis;
    returns each one's http://127.0.0.1:port base."""
    import subprocess
    import sys

    processes = []

    def start(*, procfile: bool = False, log: Path | None = None, **extra_env) -> str:
        """`procfile`: the Procfile's `web:` command line exactly (its log level too);
        `log`: a file for the process's output; the process is `start.processes[-1]`."""
        port = servers.free_port()
        base = f"http://127.0.0.1:{port}"
        if procfile:
            command = servers.procfile_command("web", port)
        else:
            command = [sys.executable, "-m", "uvicorn", "asgi:application", "--port", str(port), "--ws",
                       "websockets-sansio", "--ws-per-message-deflate", "false", "--lifespan", "off",
                       "--no-access-log", "--log-level", "warning"]
        env = _process_env(WS_ALLOWED_ORIGINS=base, **extra_env)
        output = log.open("ab") if log is not None else None
        try:
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output))
        finally:
            if output is not None:
                output.close()
        servers.wait_for_port(port, what="uvicorn")
        return base

    start.processes = processes
    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        process.wait(timeout=10)


@pytest.fixture
def run_worker():
    """Runs the Procfile's worker (manage.py db_worker) on the test database until the
    tasks ready now are done. Needs committed data: django_db(transaction=True)."""
    import subprocess
    import sys

    def run(**extra_env) -> subprocess.CompletedProcess:
        command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"]
        done = subprocess.run(command, cwd=ROOT, env=_process_env(**extra_env), capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done

    return run


@pytest.fixture
async def socket_cleanup():
    """After a socket test: stop this event loop's hub and close the connection of the
    thread that ran the sockets' queries (the test database cannot be dropped under it)."""
    yield
    from asgiref.sync import sync_to_async
    from django.db import connections

    from backend.chat.hub import current_hub

    await current_hub().close()
    await sync_to_async(connections.close_all)()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser():
    """A headless Debian Chromium driven by Playwright (see the handbook)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is missing: `apt-get install chromium` (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield browser
        browser.close()


@pytest.fixture
async def connect(socket_cleanup):
    """Opens a socket for a user through a one-time ticket and returns it after hello."""
    from asgiref.sync import sync_to_async

    from backend.chat import services
    from tests.chat.conftest import Socket, communicator

    opened: list[Socket] = []

    async def open_socket(user, *, expect_hello: bool = True) -> Socket:
        ticket = await sync_to_async(services.ticket_issue)(user=user, token_id=None)
        socket = Socket(communicator(f"/ws/v1/?ticket={ticket}"))
        connected, _ = await socket.communicator.connect()
        assert connected
        opened.append(socket)
        if expect_hello:
            socket.hello = await socket.expect("hello")
        return socket

    yield open_socket
    for socket in opened:
        try:
            await socket.communicator.disconnect()
        except (Exception, asyncio.CancelledError):  # already closed by the test
            pass


@contextmanager
def erasure_held_open(user, *, commit_after: float = 0.5):
    """Erases `user` in another thread and holds that transaction open: the block runs
    while the erasure is under way, and the erasure commits `commit_after` s after the
    block started (what the block does waits for it, if it must)."""
    import threading

    from django.db import connection, transaction

    from backend.accounts.services import user_erase

    erasing, commit = threading.Event(), threading.Event()

    def erase():
        try:
            with transaction.atomic():
                user_erase(user=user)
                erasing.set()
                commit.wait(10)
        finally:
            connection.close()

    eraser = threading.Thread(target=erase)
    eraser.start()
    assert erasing.wait(10)
    threading.Timer(commit_after, commit.set).start()
    try:
        yield
    finally:
        eraser.join(10)
