"""Page tests: real server processes (uvicorn, production settings, static files
collected as `release` does) driven by Debian's Chromium through Playwright. Each
journey checks accessibility with axe-core in every state it reaches and saves a
screenshot of its end state under docs/screenshots/."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from tests import servers
from tests.conftest import PASSWORD, ROOT, _process_env

SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Written by people in the tests' world; never part of the page's own words.
PAGE_ENV = {"DJANGO_SETTINGS_MODULE": "tests.web.page_settings", "MAP_TILES_URL": ""}


@pytest.fixture(scope="session")
def static_root():
    """collectstatic into a fresh directory, as the Procfile's release step does."""
    directory = Path(tempfile.mkdtemp(prefix="voisins-static-"))
    env = {**os.environ, **PAGE_ENV, "WEB_STATIC_ROOT": str(directory), "SECRET_KEY": "tests-only-secret-key"}
    done = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    yield directory
    servers.remove(directory)


@pytest.fixture
def page_server(serve, static_root):
    """Starts a server process of the pages; returns its base URL."""

    def start(**extra_env) -> str:
        return serve(**{**PAGE_ENV, "WEB_STATIC_ROOT": str(static_root), **extra_env})

    return start


@pytest.fixture
def restartable_server(static_root):
    """A server on a fixed port that a test stops and starts again (a deploy, a crash)."""
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    env = _process_env(WS_ALLOWED_ORIGINS=base, WEB_STATIC_ROOT=str(static_root), **PAGE_ENV)
    command = [sys.executable, "-m", "uvicorn", "asgi:application", "--port", str(port), "--ws", "websockets-sansio",
               "--ws-per-message-deflate", "false", "--lifespan", "off", "--no-access-log", "--log-level", "warning"]

    class Server:
        process = None

        def start(self):
            self.process = subprocess.Popen(command, cwd=ROOT, env=env)
            servers.wait_for_port(port, what="uvicorn")
            return base

        def stop(self):
            if self.process:
                self.process.terminate()
                self.process.wait(timeout=15)
                self.process = None

    server = Server()
    server.base = base
    yield server
    server.stop()


def person(email: str, name: str, *, language: str = "en"):
    """A user of the server processes (they check passwords with production's hasher)."""
    from backend.accounts.models import User

    return User.objects.create(
        email=email, display_name=name, language=language, password=make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    )


class Visit:
    """One person's browser tab: the page, what went wrong in it, and the checks."""

    def __init__(self, browser, base: str, *, viewport=PHONE, locale: str = "en-GB"):
        self.base = base
        self.context = browser.new_context(viewport=viewport, locale=locale.split(",")[0],
                                           extra_http_headers={"Accept-Language": locale})
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.errors.append(f"CSP: {text}")
        elif message.type == "error" and "Failed to load resource" not in text and "WebSocket" not in text:
            self.errors.append(f"console: {text}")

    def open(self, path: str = "/"):
        self.page.goto(self.base + path)
        return self

    def log_in(self, email: str, password: str = PASSWORD):
        self.open("/")
        self.page.fill("#login input[name=email]", email)
        self.page.fill("#login input[name=password]", password)
        self.page.click("#login button[type=submit]")
        self.page.wait_for_selector(".shell:not(.anonymous)")
        return self

    def axe(self, what: str = ""):
        """axe-core on the page as it is: no serious or critical violation."""
        results = self.page.evaluate(
            "async () => { const r = await axe.run(document, { resultTypes: ['violations'] });"
            " return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 160)) })); }"
        )
        bad = [item for item in results if item["impact"] in ("serious", "critical")]
        assert not bad, f"accessibility ({what}): " + json.dumps(bad, ensure_ascii=False, indent=1)

    def screenshot(self, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    def no_horizontal_overflow(self):
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        inner = self.page.evaluate("() => window.innerWidth")
        assert width <= inner, f"the page is {width}px wide in a {inner}px window"

    def describe(self):
        shown = self.page.evaluate("() => document.body.innerText.slice(0, 1500)")
        print(f"--- the page at {self.page.url} showed:\n{shown}\n--- its errors: {self.errors}", file=sys.stderr)

    def close(self):
        assert not self.errors, "\n".join(self.errors)
        self.context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call":
        item.call_failed = report.failed
    return report


@pytest.fixture
def visit(browser, request):
    """visit(base, viewport=PHONE|DESKTOP, locale=...) -> Visit; checked for errors at the end.
    When the test failed, what each page showed is printed, to read in CI's output."""
    from playwright.sync_api import expect

    # Two people's pages and a server share two cores: live frames may take a moment.
    expect.set_options(timeout=10_000)
    opened: list[Visit] = []

    def open_visit(base: str, **options) -> Visit:
        item = Visit(browser, base, **options)
        opened.append(item)
        return item

    yield open_visit
    if getattr(request.node, "call_failed", False):
        for item in opened:
            item.describe()
    for item in opened:
        item.close()


def db_call(function, *args, **kwargs):
    """Runs ORM work from a test whose browser is open (Playwright's event loop forbids
    the ORM in the test's thread): in a thread of its own, committed (the tests of the
    pages are transactional), its connection closed after."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run():
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def world(saint_malo):
    """Saint-Malo with its default room and a topic room; Alice and Bruno verified,
    Zoé pending; all English. Made before any browser starts."""
    from backend.chat.models import Room
    from backend.chat.services import rooms_ensure_default
    from tests.conftest import make_membership

    people = {}
    for email, name, state, street in (
        ("alice@example.org", "Alice", "verified", "Grande Rue"),
        ("bruno@example.org", "Bruno", "verified", "Rue de Dinan"),
        ("zoe@example.org", "Zoé", "pending", "Rue de Toulouse"),
    ):
        people[name] = person(email, name)
        make_membership(people[name], saint_malo, state=state, street=street)
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    people["room"] = Room.objects.get(neighbourhood=saint_malo, kind="default")
    people["topic"] = Room.objects.create(neighbourhood=saint_malo, kind="topic", name="Prêts")
    people["neighbourhood"] = saint_malo
    return people
