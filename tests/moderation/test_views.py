"""The moderators' console in a real Chromium, against a real server process, with a
resident's page open beside it."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from backend.accounts.models import User
from backend.chat.models import Room
from backend.chat.services import message_post, rooms_ensure_default
from tests.conftest import PASSWORD, log_in, make_membership
from tests.web.conftest import DESKTOP, Visit, page_server, static_root  # noqa: F401  (fixtures: the resident app)

pytestmark = pytest.mark.django_db(transaction=True)


def _person(email, name):
    return User.objects.create(email=email, display_name=name, password=make_password(PASSWORD, hasher=PBKDF2PasswordHasher()))


@pytest.fixture
def site(page_server, saint_malo):
    """Made before the browser starts: Playwright's event loop forbids the ORM here."""
    alice, bruno, morgane = _person("alice@example.org", "Alice"), _person("bruno@example.org", "Bruno"), _person(
        "morgane@example.org", "Morgane")
    for resident in (alice, bruno):
        make_membership(resident, saint_malo, state="verified")
    saint_malo.moderators.add(morgane)
    _person("sam@example.org", "Sam")  # a resident of nowhere, not a moderator
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    room = Room.objects.get(neighbourhood=saint_malo)
    message_post(author=bruno, room_id=room.id, text="Texte injurieux", client_id="rude")
    return page_server()


def test_a_report_reaches_the_console_and_the_removal_reaches_the_resident(site, browser):
    from playwright.sync_api import expect

    alice = Visit(browser, site, viewport=DESKTOP, locale="fr-FR").log_in("alice@example.org").page  # the resident app
    expect(alice.locator(".message .text")).to_have_text("Texte injurieux")
    console = log_in(browser, site, "morgane@example.org", path="/moderation/")
    expect(console.locator("#reports")).to_be_empty()

    alice.click(".message button.more")
    alice.click(".message-actions button:has-text('Signaler')")
    alice.fill("#report-dialog textarea[name=text]", "Insulte envers un voisin")
    alice.click("#report-dialog button[type=submit]")
    report = console.locator("#reports .item")
    expect(report).to_contain_text("Insulte envers un voisin")  # live, without a reload

    console.once("dialog", lambda dialog: dialog.accept("Propos injurieux"))
    report.locator("button:has-text('Retirer le message')").click()
    expect(alice.locator(".message .text")).to_have_text("Message supprimé")
    expect(console.locator("#log .item")).to_contain_text("retrait : Propos injurieux")


def test_the_console_is_for_moderators(site, browser):
    from playwright.sync_api import expect

    page = log_in(browser, site, "sam@example.org", path="/moderation/")
    expect(page.locator(".notice")).to_contain_text("réservée aux modérateurs")
    expect(page.locator("#reports")).to_have_count(0)
