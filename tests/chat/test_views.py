"""The resident page in a real Chromium (Debian's), against a real server process."""

import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from backend.accounts.models import User
from backend.chat.models import Room
from backend.chat.services import rooms_ensure_default
from tests.conftest import PASSWORD, log_in, make_membership

pytestmark = pytest.mark.django_db(transaction=True)

def _resident(email, name, neighbourhood, state):
    # The server process checks passwords with the production hashers.
    user = User.objects.create(
        email=email, display_name=name, password=make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    )
    make_membership(user, neighbourhood, state=state)
    return user


@pytest.fixture
def site(serve, saint_malo):
    """Alice and Bruno, verified, Zoé, pending, and a server; made before the browser
    starts, since Playwright's event loop forbids the ORM in this thread."""
    _resident("alice@example.org", "Alice", saint_malo, "verified")
    _resident("bruno@example.org", "Bruno", saint_malo, "verified")
    _resident("zoe@example.org", "Zoé", saint_malo, "pending")
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    Room.objects.create(neighbourhood=saint_malo, kind="topic", name="Prêts")
    return serve()


def test_two_neighbours_chat_live_and_a_stranger_reads_nothing(site, browser, tmp_path):
    from playwright.sync_api import expect

    base = site

    alice = log_in(browser, base, "alice@example.org")
    bruno = log_in(browser, base, "bruno@example.org")
    for page in (alice, bruno):
        expect(page.locator("nav button.active")).to_contain_text("Le quartier")

    alice.fill("#text", "Qui me prête une raclette samedi ?")
    alice.press("#text", "Enter")
    expect(bruno.locator("#messages .message")).to_contain_text("Alice")
    expect(bruno.locator("#messages .message .text")).to_have_text("Qui me prête une raclette samedi ?")
    expect(bruno.locator("#typing")).to_have_text("Alice écrit…")

    # A message in a room Bruno is not looking at shows as unread.
    alice.click("nav button:has-text('Prêts')")
    expect(alice.locator("nav button.active")).to_contain_text("Prêts")
    alice.fill("#text", "Perceuse disponible")
    alice.press("#text", "Enter")
    expect(bruno.locator("nav button:has-text('Prêts') .badge")).to_have_text("1")
    bruno.click("nav button:has-text('Prêts')")
    expect(bruno.locator("#messages .message .text")).to_have_text("Perceuse disponible")
    expect(bruno.locator("nav button:has-text('Prêts') .badge")).to_have_text("")
    bruno.screenshot(path=str(tmp_path / "bruno.png"))

    zoe = log_in(browser, base, "zoe@example.org")
    expect(zoe.locator("#notice")).to_contain_text("pas encore vérifiée")
    expect(zoe.locator("nav button")).to_have_count(0)
    expect(zoe.locator("#messages")).not_to_contain_text(re.compile("raclette|Perceuse"))


def test_a_wrong_password_is_said_on_the_page(site, browser):
    from playwright.sync_api import expect

    page = browser.new_context().new_page()
    page.goto(site + "/")
    page.fill("input[name=email]", "alice@example.org")
    page.fill("input[name=password]", "pas le bon")
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_have_text("Adresse e-mail ou mot de passe incorrect.")


@pytest.fixture
def site_with_a_post(site):
    from backend.feed.services import post_create
    from tests.feed.test_domain import VALID

    alice = User.objects.get(email="alice@example.org")
    post_create(author=alice, kind="help_request", title="Arroser mes plantes", details=VALID["help_request"],
                client_id="plantes")
    return site


def test_a_post_is_a_card_that_neighbours_answer_live(site_with_a_post, browser):
    from playwright.sync_api import expect

    alice = log_in(browser, site_with_a_post, "alice@example.org")
    bruno = log_in(browser, site_with_a_post, "bruno@example.org")
    for page in (alice, bruno):
        expect(page.locator(".card .card-title")).to_have_text("Arroser mes plantes")
        expect(page.locator(".card .card-facts")).to_have_text("0 réponse(s)")
    expect(alice.locator(".card button")).to_have_count(0)  # no answering one's own post
    bruno.click(".card button:has-text('Je peux aider')")
    expect(alice.locator(".card .card-facts")).to_have_text("1 réponse(s)")
    for page in (alice, bruno):  # the conversation appears in both navs, live
        expect(page.locator("nav button")).to_contain_text(["Le quartier", "Prêts", "Bruno · Alice"])
    alice.click("nav button:has-text('Bruno · Alice')")
    expect(alice.locator("#messages .message .text")).to_have_text("Je peux aider")
    expect(alice.locator("#messages .card .card-title")).to_have_text("Arroser mes plantes")
