"""Rooms in the resident app: live messages, unread counts, replies, mentions,
reactions, edits, deletions, reports, older pages and days, long links, XSS attempts."""

import re

import pytest

from tests.web.conftest import DESKTOP, PHONE, db_call

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_neighbours_chat_live_and_an_applicant_reads_nothing(world, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    expect(a.locator(".room-link.active")).to_contain_text("Le quartier")  # a desktop opens the first room
    b.click(".room-link:has-text('Le quartier')")  # a phone shows the list first
    expect(b.locator("#room-title")).to_have_text("Le quartier")

    a.fill(".composer textarea", "Who can lend me a raclette machine on Saturday?")
    expect(b.locator(".typing")).to_have_text("Alice is typing…")
    a.press(".composer textarea", "Enter")
    message = b.locator(".message").last
    expect(message.locator(".text")).to_have_text("Who can lend me a raclette machine on Saturday?")
    expect(message.locator(".author")).to_have_text("Alice")
    expect(message.locator("time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(b.locator(".day")).to_have_text("Today")
    bruno.axe("a room on a phone")
    alice.axe("a room on a desktop")

    # A message in a room Bruno is not reading counts as unread, in the tab and the title.
    a.click(".room-link:has-text('Prêts')")
    expect(a.locator("#room-title")).to_have_text("Prêts")
    a.fill(".composer textarea", "Drill available")
    a.press(".composer textarea", "Enter")
    expect(b.locator(".tab:has-text('Chats') .badge")).to_have_text("1")
    expect(b).to_have_title("(1) Voisins")
    b.click(".room-head .back")
    expect(b.locator(".room-link:has-text('Prêts') .badge")).to_have_text("1")
    bruno.axe("the room list on a phone")
    b.click(".room-link:has-text('Prêts')")
    expect(b.locator(".message .text")).to_have_text("Drill available")
    expect(b.locator(".tab:has-text('Chats') .badge")).to_have_count(0)
    expect(b).to_have_title("Voisins")
    bruno.screenshot("rooms-phone")
    alice.screenshot("rooms-desktop")

    zoe = visit(base, viewport=PHONE).log_in("zoe@example.org")
    expect(zoe.page.locator("#membership-status")).to_contain_text("Your application to Saint-Malo is pending")
    expect(zoe.page.locator(".tab")).to_have_text(["Membership", "Settings"])
    expect(zoe.page.locator("body")).not_to_contain_text(re.compile("raclette|Drill"))
    zoe.axe("a pending applicant")


def test_a_wrong_password_is_said_on_the_page(world, page_server, visit):
    from playwright.sync_api import expect

    page = visit(page_server(), viewport=PHONE).open("/").page
    page.fill("#login input[name=email]", "alice@example.org")
    page.fill("#login input[name=password]", "not the one")
    page.click("#login button[type=submit]")
    expect(page.locator(".form-error")).to_have_text("Wrong email or password.")


def _open_room(visit_, name):
    from playwright.sync_api import expect

    visit_.page.click(f".room-link:has-text('{name}')")
    expect(visit_.page.locator("#room-title")).to_have_text(name)


def _send(page, text):
    page.fill(".composer textarea", text)
    page.press(".composer textarea", "Enter")


def test_reply_mention_react_edit_delete_and_report(world, page_server, visit):
    from playwright.sync_api import expect

    from backend.moderation.models import Report

    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    _open_room(bruno, "Le quartier")
    _send(a, "Street party on Sunday?")
    first = b.locator(".message:has-text('Street party on Sunday?')")
    expect(first).to_be_visible()

    # Reply with a mention chosen from the completion.
    first.locator("button.more").click()
    bruno.axe("the actions of a message")
    first.locator(".message-actions button:has-text('Reply')").click()
    expect(b.locator(".composer-context")).to_contain_text("Replying to Alice: Street party on Sunday?")
    b.type(".composer textarea", "Great idea @Al")
    expect(b.locator(".suggestions [role=option]")).to_have_text(["Alice · Grande Rue"])
    bruno.axe("the mention completion")
    b.press(".composer textarea", "Enter")
    b.type(".composer textarea", "I bring crêpes")
    expect(b.locator(".composer textarea")).to_have_value("Great idea @Alice I bring crêpes")
    b.press(".composer textarea", "Enter")
    reply = a.locator(".message:has-text('I bring crêpes')")
    expect(reply.locator(".quote")).to_contain_text("Alice")
    expect(reply.locator(".quote")).to_contain_text("Street party on Sunday?")
    expect(reply.locator(".mention")).to_have_text("@Alice")
    expect(reply).to_have_class(re.compile("mentions-me"))

    # Alice reacts; Bruno sees it live and adds his own.
    reply.locator("button.more").click()
    reply.get_by_role("button", name="React with 🎉").click()
    chip = b.locator(".message:has-text('I bring crêpes') .reaction")
    expect(chip).to_have_text("🎉 1")
    chip.click()
    expect(a.locator(".message:has-text('I bring crêpes') .reaction")).to_have_text("🎉 2")

    # Bruno edits his message, then deletes another one.
    mine = b.locator(".message:has-text('I bring crêpes')")
    mine.locator("button.more").click()
    mine.locator(".message-actions button:has-text('Edit')").click()
    expect(b.locator(".composer textarea")).to_have_value("Great idea @Alice I bring crêpes")
    b.fill(".composer textarea", "Great idea @Alice I bring crêpes and cider")
    b.press(".composer textarea", "Enter")
    edited = a.locator(".message:has-text('crêpes and cider')")
    expect(edited.locator(".edited")).to_have_text("edited")
    _send(b, "Oops, wrong room")
    oops = b.locator(".message:has-text('Oops, wrong room')")
    oops.locator("button.more").click()
    oops.locator(".message-actions button:has-text('Delete')").click()
    expect(b.locator("#confirm-dialog")).to_be_visible()
    bruno.axe("the delete dialog")
    b.click("#confirm-dialog button:has-text('Delete')")
    expect(a.locator(".message .text.muted").last).to_have_text("Message deleted")
    expect(a.locator("body")).not_to_contain_text("Oops, wrong room")

    # Alice reports Bruno's message to the moderators, in a form.
    edited.locator("button.more").click()
    edited.locator(".message-actions button:has-text('Report')").click()
    a.select_option("#report-dialog select[name=category]", "harassment")
    a.fill("#report-dialog textarea[name=text]", "Not nice")
    alice.axe("the report dialog")
    a.click("#report-dialog button[type=submit]")
    expect(a.locator(".toast", has_text="the moderators received your report")).to_be_visible()
    report = db_call(lambda: Report.objects.values("category", "text", "message__text").get())
    assert report == {"category": "harassment", "text": "Not nice", "message__text": "Great idea @Alice I bring crêpes and cider"}
    alice.screenshot("message-actions-desktop")
    bruno.screenshot("message-actions-phone")

    # On a phone the toast leaves the composer and its Send button free.
    original = first.first  # her message, not the reply that quotes it
    original.locator("button.more").click()
    original.locator(".message-actions button:has-text('Report')").click()
    b.select_option("#report-dialog select[name=category]", "spam")
    b.fill("#report-dialog textarea[name=text]", "Pub")
    b.click("#report-dialog button[type=submit]")
    toast = b.locator(".toast", has_text="the moderators received your report")
    expect(toast).to_be_visible()
    shown, send = toast.bounding_box(), b.locator(".composer button.send").bounding_box()
    assert shown["y"] + shown["height"] <= send["y"] or send["y"] + send["height"] <= shown["y"], (shown, send)


@pytest.fixture
def long_history(world, settings):
    """70 messages over two days in the default room."""
    settings.CHAT_WRITES_PER_WINDOW = 1000
    from datetime import timedelta

    from django.utils import timezone

    from backend.chat.models import Message
    from backend.chat.services import message_post

    for index in range(70):
        message_post(author=world["Bruno" if index % 2 else "Alice"], room_id=world["room"].id, text=f"Message number {index}",
                     client_id=f"history-{index}")
    yesterday = timezone.now() - timedelta(days=1)
    Message.objects.filter(text__in=[f"Message number {index}" for index in range(40)]).update(created_at=yesterday)
    return world


def test_older_messages_load_by_page_with_day_separators(long_history, page_server, visit):
    from playwright.sync_api import expect

    alice = visit(page_server(), viewport=DESKTOP).log_in("alice@example.org")
    a = alice.page
    expect(a.locator(".message")).to_have_count(50)
    expect(a.locator(".day")).to_have_text(["Yesterday", "Today"])
    expect(a.locator(".message .text").first).to_have_text("Message number 20")
    a.click("button:has-text('Load older messages')")
    expect(a.locator(".message")).to_have_count(70)
    expect(a.locator(".message .text").first).to_have_text("Message number 0")
    expect(a.locator("button:has-text('Load older messages')")).to_have_count(0)
    expect(a.locator(".day")).to_have_text(["Yesterday", "Today"])  # one separator per day, however paged
    alice.axe("a long history")
    alice.screenshot("older-messages-desktop")


def test_a_long_link_wraps_and_is_safe_on_a_phone(world, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    long_link = "https://example.org/" + "a-very-long-path-segment-" * 12 + "end"
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    _send(alice.page, f"Look: {long_link}, nice.")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    b = bruno.page
    _open_room(bruno, "Le quartier")
    link = b.locator(".message a[href^='https://example.org/']")
    expect(link).to_have_attribute("href", long_link)
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow ugc")
    expect(link).to_have_text(long_link)  # the comma after it is not part of the link
    bruno.no_horizontal_overflow()
    send = b.locator(".composer .send").bounding_box()
    assert send["x"] + send["width"] <= 390 and send["y"] + send["height"] <= 844
    bruno.axe("a long link on a phone")
    bruno.screenshot("long-link-phone")


def test_long_words_wrap_in_their_bubbles_on_a_phone(world, page_server, visit):
    """A word longer than the screen (not a link: nothing to break it at) wraps inside its
    bubble, in a reply's quote and on a card too: nothing is cut and the page stays
    390 px wide."""
    from playwright.sync_api import expect

    from backend.feed.services import post_create

    word = "Anticonstitutionnellement" * 8  # 200 letters, no space, no hyphen
    db_call(post_create, author=world["Alice"], kind="lost_found", title=word[:110],
            details={"mode": "found", "item": word, "where": "Rue de Dinan"}, text=f"Is this yours? {word}", client_id="long-card")
    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    _send(alice.page, f"Look: {word}")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    b = bruno.page
    _open_room(bruno, "Le quartier")
    bubble = b.locator(".message:not(:has(.quote))", has_text="Look:")
    expect(bubble.locator(".text")).to_have_text(f"Look: {word}")
    bubble.locator("button.more").click()
    bubble.locator(".message-actions button:has-text('Reply')").click()
    _send(b, f"Mine too: {word}")
    reply = b.locator(".message:has(.quote)")
    expect(reply.locator(".quote")).to_contain_text(word[:40])
    expect(reply).not_to_have_class(re.compile("pending"))
    card = b.locator(".message .card")
    expect(card.locator(".card-title")).to_have_text(word[:110])

    bruno.no_horizontal_overflow()
    for what, element in [("the bubble", bubble), ("its text", bubble.locator(".text")), ("the reply", reply),
                          ("its quote", reply.locator(".quote")), ("its text", reply.locator(".text")), ("the card", card),
                          ("the card's title", card.locator(".card-title")), ("the card's text", card.locator(".card-text")),
                          ("the card's object", card.locator(".detail:has(dt:text-is('Object')) dd"))]:
        box = element.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{what} goes past the screen: {box}"
        clipped = element.evaluate("e => e.scrollWidth > e.clientWidth + 1")
        assert not clipped, f"{what} cuts its text"
    # Wrapped, not shrunk: the 200 letters take several lines.
    lines = bubble.locator(".text").evaluate("e => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))")
    assert lines >= 3, lines
    b.fill(".composer textarea", word)  # typing one in the composer does not widen the page either
    bruno.no_horizontal_overflow()
    send = b.locator(".composer .send").bounding_box()
    assert send["x"] + send["width"] <= 390
    b.fill(".composer textarea", "")
    bruno.axe("long words on a phone")
    bruno.screenshot("long-words-phone")


def test_xss_attempts_stay_text(world, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    attempts = [
        "<img src=x onerror=\"window.__xss = 1\">",
        "[click me](javascript:window.__xss=2)",
        "javascript:window.__xss=3",
        "<script>window.__xss = 4</script>",
    ]
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    for text in attempts:
        _send(alice.page, text)
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    b = bruno.page
    dialogs = []
    b.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _open_room(bruno, "Le quartier")
    expect(b.locator(".message .text")).to_have_text(attempts)
    assert b.locator(".messages img").count() == 0 and b.locator(".messages script").count() == 0
    assert b.locator(".messages .text a").count() == 0  # nothing there is an http(s) link
    assert b.locator("a[href^=javascript]").count() == 0
    for index in range(len(attempts)):
        b.locator(".message button.more").nth(index).click()  # opening menus renders nothing either
    assert b.evaluate("() => window.__xss") is None and dialogs == []
    bruno.screenshot("xss-as-text")


HIDDEN_TAB = """
window.__notifications = [];
window.__hidden = false;
Object.defineProperty(document, "visibilityState", { get: () => (window.__hidden ? "hidden" : "visible") });
window.Notification = class {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) { window.__notifications.push({ title, body: options.body }); }
  close() {}
};
"""


def test_a_conversation_says_whether_the_other_person_is_online(world, page_server, visit):
    from playwright.sync_api import expect

    from backend.chat.services import room_direct_open

    db_call(room_direct_open, actor=world["Alice"], other_id=world["Bruno"].id)
    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    conversation = alice.page.locator(".room-link:has-text('Bruno')")
    expect(conversation).to_be_visible()
    expect(conversation.locator(".online")).to_have_count(0)
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    expect(bruno.page.locator(".room-link:has-text('Alice') .online")).to_have_text("online")  # from his hello
    expect(conversation.locator(".online")).to_have_text("online")  # live, as he arrives
    bruno.close()
    expect(conversation.locator(".online")).to_have_count(0)  # live, as he leaves


def test_mentions_and_direct_messages_notify_a_hidden_tab(world, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=DESKTOP)
    alice.context.add_init_script(HIDDEN_TAB)
    alice.log_in("alice@example.org")
    bruno = visit(base, viewport=DESKTOP).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    expect(a.locator("#room-title")).to_have_text("Le quartier")
    a.evaluate("() => { window.__hidden = true; document.dispatchEvent(new Event('visibilitychange')); }")

    b.type(".composer textarea", "Hello @Ali")
    expect(b.locator(".suggestions [role=option]")).to_have_text(["Alice · Grande Rue"])
    b.press(".composer textarea", "Enter")
    b.type(".composer textarea", "are you there?")
    b.press(".composer textarea", "Enter")
    expect(a).to_have_title("(1) Voisins")
    _send(b, "A message for everyone")  # neither a mention nor direct: counted, not notified
    expect(a).to_have_title("(2) Voisins")

    b.goto(base + f"/#/people/{world['Alice'].id}")
    b.click("button:has-text('Send a message')")
    expect(b.locator("#room-title")).to_have_text("Alice")
    _send(b, "Just between us")
    expect(a).to_have_title("(3) Voisins")
    a.wait_for_function("() => window.__notifications.length === 2")
    assert a.evaluate("() => window.__notifications") == [
        {"title": "Bruno mentioned you", "body": "Hello @Alice are you there?"},
        {"title": "Bruno", "body": "Just between us"},
    ]
    # Back on the page: what she sees is read.
    a.evaluate("() => { window.__hidden = false; document.dispatchEvent(new Event('visibilitychange')); }")
    expect(a).to_have_title("(1) Voisins")  # the conversation she has not opened yet
    a.click(".room-link:has-text('Bruno')")
    expect(a).to_have_title("Voisins")
    expect(a.locator(".message .text")).to_have_text(["Just between us"])
    alice.screenshot("notified-direct-message-desktop")
