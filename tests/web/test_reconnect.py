"""The page survives its server: after a restart with messages sent meanwhile, every
message is there once, none missing, none twice, and the page said it was reconnecting;
after an absence longer than a resume carries, the room comes back through its history;
while the server is down, the page's attempts back off."""

import re

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


# Keeps what the server answered to each subscription of the page (but its messages).
KEEP_SUBSCRIBED = """
window.__subscribed = [];
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      (window.__frames ||= []).push(frame.type + (frame.code ? ":" + frame.code : ""));
      if (frame.type === "subscribed") window.__subscribed.push({ room_id: frame.room_id, seq: frame.seq, gap: frame.gap });
    });
  }
};
"""


def test_after_a_long_absence_the_room_is_reloaded_through_its_history(world, restartable_server, visit):
    """More messages than a resume carries (CATCH_UP_LIMIT) are posted while her page is
    away: the server answers `gap: true`, and the page starts the room again from its
    history. Every message is there once, paging back to the first."""
    from playwright.sync_api import expect

    from backend.chat.domain import CATCH_UP_LIMIT
    from backend.chat.services import PostRequest, messages_post

    base = restartable_server.start()
    alice = visit(base, viewport=DESKTOP)
    alice.context.add_init_script(KEEP_SUBSCRIBED)
    alice.log_in("alice@example.org")
    a = alice.page
    _send(a, "Before the absence")
    expect(a.locator(".message:not(.pending) .text")).to_have_text(["Before the absence"])

    restartable_server.stop()
    expect(a.locator(".connection")).to_have_text("Connection lost: reconnecting…", timeout=15000)
    missed = CATCH_UP_LIMIT + 20
    texts = [f"Meanwhile {index}" for index in range(missed)]
    db_call(messages_post, requests=[PostRequest(author=world["Bruno"], room_id=world["room"].id, text=text,
                                                 client_id=f"away-{index}", counted=False) for index, text in enumerate(texts)])
    _send(a, "Written while away")  # her own, sent once the page is back
    expect(a.locator(".message.pending .sending")).to_have_text("Sending…")

    # The room's history is held back a moment, to see the page while it reloads.
    held = []
    history = re.compile(r"/api/v1/chat/rooms/\d+/messages/")
    def hold(route):
        held.append(route)

    a.route(history, hold)
    restartable_server.start()
    expect(a.locator(".connection")).to_be_hidden(timeout=40000)
    a.wait_for_function("() => window.__subscribed.length >= 2")
    for _ in range(100):
        if held:
            break
        a.wait_for_timeout(100)
    assert len(held) == 1, "the page did not ask for the room's history"
    expect(a.locator(".messages .empty")).to_have_text("Loading…")  # not "No message yet"
    expect(a.locator(".messages .older")).to_have_count(0)  # nothing to page back from yet
    held[0].continue_()
    a.unroute(history, hold)
    expect(a.locator(".message .text").last).to_have_text("Written while away", timeout=15000)
    answers = a.evaluate("() => window.__subscribed")
    assert [answer["gap"] for answer in answers] == [False, True], (answers, a.evaluate("() => window.__frames"))  # her first visit, then the resume
    expect(a.locator(".message.pending")).to_have_count(0)
    older = a.locator(".messages .older button")
    expect(older).to_have_text("Load older messages")  # the latest page, then older ones on demand
    expect(a.locator(".message .text").first).not_to_have_text("Before the absence")
    everything = ["Before the absence", *texts, "Written while away"]
    for _ in range(missed // 50 + 2):
        shown = a.locator(".message").count()
        if shown >= len(everything):
            break
        expect(older).to_have_text("Load older messages")
        older.click()
        expect(a.locator(".message")).not_to_have_count(shown)
    expect(older).to_have_count(0)  # the first message is reached
    expect(a.locator(".message .text")).to_have_text(everything)
    expect(a.locator(".day")).to_have_text(["Today"])
    alice.screenshot("resumed-after-a-gap-desktop")


# Records when the page opens a WebSocket; jitter pinned at its middle (Math.random is
# used for nothing else that this test touches), so that the back-off is seen exactly.
COUNT_SOCKETS = """
window.__sockets = [];
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) { super(...args); window.__sockets.push(performance.now()); }
};
Math.random = () => 0.5;
"""


def test_while_the_server_is_down_reconnection_attempts_back_off(world, restartable_server, visit):
    """core/socket.js: exponential back-off (1 s, 2 s, 4 s… ceilings, full jitter) while the
    server refuses connections, and an attempt at once when the browser is back online."""
    from playwright.sync_api import expect

    base = restartable_server.start()
    bruno = visit(base, viewport=PHONE)
    bruno.context.add_init_script(COUNT_SOCKETS)
    bruno.log_in("bruno@example.org")
    b = bruno.page
    expect(b.locator(".connection")).to_be_hidden()
    assert b.evaluate("() => window.__sockets.length") == 1

    restartable_server.stop()
    expect(b.locator(".connection")).to_have_text("Connection lost: reconnecting…", timeout=15000)
    down = b.evaluate("() => performance.now()")
    b.wait_for_timeout(10_000)
    attempts = [at - down for at in b.evaluate("() => window.__sockets.slice(1)")]
    # With the jitter at its middle the waits are 0.5, 1, 2, 4 s (then 8 s): four
    # attempts in ten seconds, each wait about twice the one before. A page that retried
    # every second would have made ten.
    assert 4 <= len(attempts) <= 5, attempts
    waits = [later - earlier for earlier, later in zip(attempts, attempts[1:])]
    assert attempts[0] < 1500, attempts
    for shorter, longer in zip(waits, waits[1:]):
        assert 1.4 * shorter <= longer <= 2.8 * shorter, waits
    expect(b.locator(".connection")).to_have_text("Connection lost: reconnecting…")  # said all along

    restartable_server.start()
    tried = b.evaluate("() => window.__sockets.length")
    b.evaluate("() => window.dispatchEvent(new Event('online'))")  # the browser is back online: try now
    expect(b.locator(".connection")).to_be_hidden(timeout=3000)
    assert b.evaluate("() => window.__sockets.length") == tried + 1
    b.click(".room-link:has-text('Le quartier')")
    _send(b, "Back")
    expect(b.locator(".message:not(.pending) .text")).to_have_text(["Back"])
    bruno.screenshot("reconnected-after-back-off-phone")


def _send(page, text):
    page.fill(".composer textarea", text)
    page.press(".composer textarea", "Enter")
