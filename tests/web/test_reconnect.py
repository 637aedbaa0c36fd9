"""The page survives its server: after a restart with messages sent meanwhile, every
message is there once, none missing, none twice, and the page said it was reconnecting."""

import pytest

from tests.web.conftest import DESKTOP, PHONE, db_call

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_page_resumes_after_the_server_restarts(world, restartable_server, visit):
    from playwright.sync_api import expect

    from backend.chat.services import message_post

    base = restartable_server.start()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    b.click(".room-link:has-text('Le quartier')")
    a.fill(".composer textarea", "Before the restart")
    a.press(".composer textarea", "Enter")
    expect(b.locator(".message .text")).to_have_text(["Before the restart"])

    restartable_server.stop()
    for page in (a, b):
        expect(page.locator(".connection")).to_have_text("Connection lost: reconnecting…", timeout=15000)
    bruno.axe("reconnecting")
    bruno.screenshot("reconnecting-phone")
    # Meanwhile: Bruno writes from his phone (the database has it, no socket heard it),
    # and Alice writes in her offline page.
    for index in range(3):
        db_call(message_post, author=world["Bruno"], room_id=world["room"].id, text=f"While it was down {index}", client_id=f"down-{index}")
    a.fill(".composer textarea", "Written offline")
    a.press(".composer textarea", "Enter")
    expect(a.locator(".message.pending .sending")).to_have_text("Sending…")

    restartable_server.start()
    for page in (a, b):
        expect(page.locator(".connection")).to_be_hidden(timeout=40000)
    expected = ["Before the restart", "While it was down 0", "While it was down 1", "While it was down 2", "Written offline"]
    for page in (a, b):
        expect(page.locator(".message .text")).to_have_text(expected, timeout=15000)
    expect(a.locator(".message.pending")).to_have_count(0)
    # Once more, live: the resumed sockets carry new messages as before.
    b.fill(".composer textarea", "Back to normal")
    b.press(".composer textarea", "Enter")
    expect(a.locator(".message .text")).to_have_text([*expected, "Back to normal"])
    bruno.screenshot("reconnected-phone")
