"""What moderation looks like from the resident app: a removal, a mute and a ban told
live with their reason, the appeal from her membership page; a moderator who lives
there adds a topic room from the rooms list."""

import pytest

from tests.conftest import make_membership
from tests.web.conftest import DESKTOP, PHONE, db_call, person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def morgane(world):
    """A moderator who lives in the neighbourhood."""
    user = person("morgane@example.org", "Morgane")
    make_membership(user, world["neighbourhood"], state="verified", street="Rue de Dinan")
    world["neighbourhood"].moderators.add(user)
    return user


def test_a_removal_and_a_mute_are_told_live_and_appealed(world, morgane, page_server, visit):
    from playwright.sync_api import expect

    from backend.chat.models import Message
    from backend.moderation.services import member_mute, message_remove

    bruno = visit(page_server(), viewport=PHONE).log_in("bruno@example.org")
    b = bruno.page
    b.click(".room-link:has-text('Le quartier')")
    b.fill(".composer textarea", "Something rude")
    b.press(".composer textarea", "Enter")
    expect(b.locator(".message .text")).to_have_text(["Something rude"])
    expect(b.locator(".message.pending")).to_have_count(0)  # acknowledged: stored
    message = db_call(lambda: Message.objects.get(text="Something rude"))
    db_call(message_remove, actor=morgane, message_id=message.id, reason="Insult to a neighbour")
    expect(b.locator(".toast", has_text="A moderator removed one of your messages or posts.")).to_contain_text(
        "Reason: Insult to a neighbour")
    expect(b.locator(".message .text")).to_have_text(["Message deleted"])
    db_call(member_mute, actor=morgane, user_id=world["Bruno"].id, neighbourhood_id=world["neighbourhood"].id, minutes=60,
            reason="Calm down")
    expect(b.locator(".toast", has_text="A moderator muted you for a while.")).to_be_visible()
    b.fill(".composer textarea", "Still there?")
    b.press(".composer textarea", "Enter")
    expect(b.locator(".toast.error", has_text="A moderator muted you in this neighbourhood until")).to_be_visible()
    expect(b.locator(".composer textarea")).to_have_value("Still there?")  # her text is given back

    b.goto(b.url.split("#")[0] + "#/join")
    decisions = b.locator(".decisions li")
    expect(decisions).to_have_count(2)
    removal = decisions.filter(has_text="A moderator removed one of your messages.")
    expect(removal).to_contain_text("Reason: Insult to a neighbour")
    bruno.axe("her moderation decisions")
    removal.locator("textarea").fill("It was a joke between friends")
    removal.locator("button:has-text('Appeal this decision')").click()
    expect(b.locator(".toast", has_text="Your appeal is sent")).to_be_visible()
    expect(removal).to_contain_text("You appealed this decision.")
    bruno.screenshot("appeal-phone")


def test_a_moderator_adds_a_topic_room_that_neighbours_see_live(world, morgane, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    expect(alice.page.locator(".new-topic")).to_have_count(0)  # not a moderator
    moderator = visit(base, viewport=DESKTOP).log_in("morgane@example.org")
    m = moderator.page
    m.click(".new-topic")
    m.fill("#topic-name", "prêts")
    m.click(".new-topic-form button[type=submit]")
    expect(m.locator("#topic-name-error")).to_have_text("A room already has this name.")
    moderator.axe("a refused topic name")
    m.fill("#topic-name", "Gardening")
    m.click(".new-topic-form button[type=submit]")
    expect(m.locator("#room-title")).to_have_text("Gardening")
    expect(alice.page.locator(".room-link", has_text="Gardening")).to_be_visible()
    moderator.screenshot("topic-room-added-desktop")
    alice.screenshot("topic-room-seen-live-desktop")


def test_a_ban_closes_the_rooms_at_once_and_is_appealed(world, morgane, page_server, visit):
    from playwright.sync_api import expect

    from backend.moderation.services import member_ban

    bruno = visit(page_server(), viewport=DESKTOP).log_in("bruno@example.org")
    b = bruno.page
    expect(b.locator(".room-link")).to_have_count(2)
    db_call(member_ban, actor=morgane, user_id=world["Bruno"].id, neighbourhood_id=world["neighbourhood"].id,
            reason="Repeated spam")
    expect(b.locator(".toast", has_text="The moderators removed you from the neighbourhood.")).to_contain_text("Repeated spam")
    expect(b.locator("#membership-status")).to_contain_text("Your membership was ended")
    expect(b.locator(".tab")).to_have_text(["Membership", "Settings"])
    expect(b.locator(".room-link")).to_have_count(0)
    ban = b.locator(".decisions li", has_text="The moderators removed you from the neighbourhood.")
    ban.locator("textarea").fill("I will stop, promised")
    ban.locator("button:has-text('Appeal this decision')").click()
    expect(ban).to_contain_text("You appealed this decision.")
    bruno.axe("banned")
    bruno.screenshot("banned-desktop")
