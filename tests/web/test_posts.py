"""Posts in the resident app: a form for each kind built from the contract, the rules
shown at their field, cards with every detail, and the actions that follow a post's life
(answer, choose, done; shares and payments; RSVPs; a loan returned)."""

import re
from datetime import date, datetime, timedelta

import pytest

from tests.web.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

SOON = datetime.now() + timedelta(days=3)
DAY = (date.today() + timedelta(days=2)).isoformat()
LATER_DAY = (date.today() + timedelta(days=9)).isoformat()


def at(hours: int) -> str:
    """A datetime-local value, `hours` after 18:00 in three days."""
    return (SOON.replace(hour=18, minute=0, second=0, microsecond=0) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


# kind -> (title, {field: value} typed in the form, texts its card must show)
FORMS = {
    "help_request": ("Water my plants", {"what": "Twice while I am away", "when": at(0)}, ["Twice while I am away"]),
    "loan_offer": ("Raclette machine", {"item": "Raclette machine for 8", "start": DAY, "end": LATER_DAY}, ["Raclette machine for 8"]),
    "loan_request": ("Lawnmower wanted", {"item": "A lawnmower", "start": DAY, "end": LATER_DAY}, ["A lawnmower"]),
    "babysitting_offer": ("Evenings free", {"start": at(0), "end": at(4), "children_ages": ""}, ["Any age"]),
    "babysitting_request": ("Saturday night", {"start": at(1), "end": at(5), "children_ages": "3, 6"}, ["3 years, 6 years"]),
    "classified": ("Child's bike", {"mode": "sell", "item": "Blue bike, 16 inches", "price_cents": "45"}, ["Sell", "€45.00"]),
    "event": ("Street party", {"start": at(0), "end": at(3), "place": "Square des Douves"}, ["Square des Douves", "0 going"]),
    "lost_found": ("Keys found", {"mode": "found", "item": "Keys with a red ring", "where": "Rue de Dinan", "when": DAY},
                   ["Found", "Keys with a red ring", "Rue de Dinan"]),
    "group_purchase": ("Cancale oysters", {"product": "Oysters n°3", "unit": "dozen", "unit_price_cents": "9.50",
                       "min_quantity": "10", "max_quantity": "40", "deadline": at(2)}, ["Oysters n°3", "€9.50", "0 of 40 dozen committed"]),
    "local_producer": ("Organic vegetables", {"products": "Vegetables and eggs", "where_to_buy": "Saturday market, 8 to 12"},
                       ["Vegetables and eggs", "Saturday market, 8 to 12"]),
}


def fill_post(page, kind, title, fields):
    page.goto(page.url.split("#")[0] + f"#/new/{kind}")
    page.fill("#post-form input[name=title]", title)
    for name, value in fields.items():
        selector = f"#post-form [name='details.{name}']"
        if page.locator(selector).evaluate("element => element.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def test_every_kind_of_post_has_its_form_and_its_card(world, page_server, visit):
    from playwright.sync_api import expect

    alice = visit(page_server(), viewport=DESKTOP).log_in("alice@example.org")
    a = alice.page
    a.click(".tab:has-text('Posts')")
    a.click("a:has-text('New post')")
    expect(a.locator(".kind-choice")).to_have_count(len(FORMS))
    alice.axe("the kinds of post")
    for kind, (title, fields, shown) in FORMS.items():
        fill_post(a, kind, title, fields)
        if kind == "group_purchase":
            alice.axe("a post form")
        a.click("#post-form button[type=submit]")
        card = card_in(a, title)
        expect(card).to_be_visible()
        for text in shown:
            expect(card).to_contain_text(text)
        expect(card.locator(".status")).to_have_text("Open")
    alice.axe("a room full of cards")
    alice.screenshot("cards-desktop")
    a.click(".tab:has-text('Posts')")
    expect(a.locator(".feed > li")).to_have_count(len(FORMS))


def test_the_rules_of_a_post_are_shown_at_their_field(world, page_server, visit):
    from playwright.sync_api import expect

    bruno = visit(page_server(), viewport=PHONE).log_in("bruno@example.org")
    b = bruno.page
    fill_post(b, "event", "Apéro", {"start": at(3), "end": at(1), "place": "Square"})
    b.click("#post-form button[type=submit]")
    expect(b.locator("#field-end-error")).to_have_text("The end must come after the start.")
    expect(b.locator("#field-end")).to_be_focused()
    bruno.axe("a rule broken")
    fill_post(b, "classified", "Sofa", {"mode": "sell", "item": "Old sofa"})
    b.click("#post-form button[type=submit]")
    expect(b.locator("#field-price_cents-error")).to_have_text("A sale needs a price.")
    b.select_option("#post-form [name='details.mode']", "give")
    expect(b.locator("#field-price_cents")).to_have_count(0)  # a gift has no price
    fill_post(b, "babysitting_request", "", {"start": at(1), "end": at(2), "children_ages": "three"})
    b.click("#post-form button[type=submit]")
    expect(b.locator("#field-title-error")).to_have_text("This field is required.")
    expect(b.locator("#field-children_ages-error")).to_have_text("Enter whole numbers separated by commas.")
    bruno.no_horizontal_overflow()
    bruno.screenshot("post-form-errors-phone")


@pytest.fixture
def posts(world):
    from backend.feed.services import post_create

    made = {}
    for kind, title, details in (
        ("help_request", "Water my plants", {"what": "Twice a week", "when": (SOON + timedelta(days=1)).astimezone().isoformat()}),
        ("group_purchase", "Cancale oysters", {"product": "Oysters", "unit": "dozen", "unit_price_cents": 900, "min_quantity": 2,
                                                "max_quantity": 10, "deadline": (SOON + timedelta(days=1)).astimezone().isoformat()}),
        ("event", "Street party", {"start": SOON.astimezone().isoformat(), "end": (SOON + timedelta(hours=3)).astimezone().isoformat(),
                                   "place": "Square des Douves"}),
        ("loan_offer", "Raclette machine", {"item": "Raclette machine", "start": DAY, "end": LATER_DAY}),
    ):
        made[kind] = post_create(author=world["Alice"], kind=kind, title=title, details=details, client_id=f"fixture-{kind}")
    return made


def card_in(page, title):
    return page.locator(f'.messages .card:has(.card-title:text-is("{title}"))')


def test_a_help_request_is_answered_chosen_then_done(posts, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    b.click(".room-link:has-text('Le quartier')")
    mine = card_in(a, "Water my plants")
    expect(mine.locator("button:has-text('I can help')")).to_have_count(0)  # nobody answers her own post
    theirs = card_in(b, "Water my plants")
    theirs.locator("button:has-text('I can help')").click()
    expect(theirs.locator("button:has-text('Open our conversation')")).to_be_visible()  # changed at once
    expect(b.locator(".toast", has_text="Your answer is in your conversation with Alice.")).to_be_visible()
    expect(mine.locator(".card-facts")).to_contain_text("1 answer")  # live on her page
    bruno.axe("an answered card")

    a.click(".room-link:has-text('Bruno')")
    quoted = card_in(a, "Water my plants")
    expect(a.locator(".messages .message .text").first).to_have_text("I can help")
    quoted.locator("button:has-text('Choose Bruno')").click()
    expect(quoted.locator(".status")).to_have_text("Taken")
    expect(quoted.locator(".card-facts")).to_contain_text("Taken by Bruno")
    alice.axe("a taken post")
    expect(theirs.locator(".status")).to_have_text("Taken")  # in the neighbourhood's room too
    b.click(".room-head .back")
    b.click(".room-link:has-text('Alice')")
    expect(card_in(b, "Water my plants").locator(".status")).to_have_text("Taken")
    quoted.locator("button:has-text('Mark as done')").click()
    expect(card_in(b, "Water my plants").locator(".status")).to_have_text("Done")
    expect(card_in(b, "Water my plants").locator("button")).to_have_count(1)  # only "Report" is left
    alice.screenshot("help-request-done-desktop")
    bruno.screenshot("help-request-done-phone")


def test_a_group_purchase_is_committed_then_paid(posts, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    b.click(".room-link:has-text('Le quartier')")
    theirs = card_in(b, "Cancale oysters")
    theirs.locator("input[name=quantity]").fill("3")
    theirs.locator("button:has-text('Commit')").click()
    expect(theirs.locator(".progress-line")).to_have_text("3 of 10 dozen committed (minimum 2), 0 paid")
    expect(theirs.locator(".commitments tbody tr")).to_have_text([re.compile(r"Bruno\s*3\s*€27\.00\s*€27\.00")])
    expect(theirs.locator("button:has-text('Change my share')")).to_be_visible()
    mine = card_in(a, "Cancale oysters")
    expect(mine.locator(".progress-line")).to_have_text("3 of 10 dozen committed (minimum 2), 0 paid")
    mine.get_by_role("button", name="Mark Bruno as paid").click()
    expect(theirs.locator(".commitments tbody tr")).to_have_text([re.compile(r"Bruno\s*3\s*€27\.00\s*Paid")])
    expect(theirs.locator(".progress-line")).to_have_text("3 of 10 dozen committed (minimum 2), 3 paid")
    bruno.axe("a purchase with a paid share")
    theirs.locator("input[name=quantity]").fill("2")
    theirs.locator("button:has-text('Change my share')").click()  # a changed share is to be paid again
    expect(mine.locator(".commitments tbody tr")).to_have_text([re.compile(r"Bruno\s*2\s*€18\.00\s*€18\.00")])
    theirs.locator("button:has-text('Withdraw')").click()
    expect(mine.locator(".progress-line")).to_have_text("0 of 10 dozen committed (minimum 2), 0 paid")
    theirs.locator("input[name=quantity]").fill("4")
    theirs.locator("button:has-text('Commit')").click()
    expect(mine.locator(".progress-line")).to_have_text("4 of 10 dozen committed (minimum 2), 0 paid")
    alice.screenshot("group-purchase-desktop")
    bruno.screenshot("group-purchase-phone")


def test_an_event_rsvp_then_un_rsvp(posts, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    b.click(".room-link:has-text('Le quartier')")
    theirs = card_in(b, "Street party")
    expect(theirs).to_contain_text("Square des Douves")
    theirs.locator("button:has-text(\"I'm going\")").click()
    expect(theirs.locator("button:has-text(\"I'm not going any more\")")).to_be_visible()
    expect(card_in(a, "Street party").locator(".card-facts")).to_have_text("1 going")
    bruno.axe("going to an event")
    theirs.locator("button:has-text(\"I'm not going any more\")").click()
    expect(theirs.locator("button:has-text(\"I'm going\")")).to_be_visible()
    expect(card_in(a, "Street party").locator(".card-facts")).to_have_text("0 going")
    bruno.screenshot("event-phone")


def test_a_loan_is_lent_then_returned(posts, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    b.click(".room-link:has-text('Le quartier')")
    card_in(b, "Raclette machine").locator("button:has-text(\"I'm interested\")").click()
    a.click(".room-link:has-text('Bruno')")
    quoted = card_in(a, "Raclette machine")
    expect(quoted.locator("input[name=return_due]")).to_have_value(LATER_DAY)
    quoted.locator("button:has-text('Choose Bruno')").click()
    due = date.fromisoformat(LATER_DAY)
    expect(quoted.locator(".card-facts").last).to_contain_text("Alice lent it to Bruno, due back on")
    expect(quoted.locator(".card-facts").last).to_contain_text(str(due.day))
    quoted.locator("button:has-text('It was returned')").click()
    expect(quoted.locator(".status")).to_have_text("Done")
    expect(a.locator(".toast", has_text="Thank you: the loan is returned.")).to_be_visible()
    alice.axe("a returned loan")
    a.click(".author:has-text('Bruno') >> nth=0")
    expect(a.locator(".stats")).to_contain_text("Loans borrowed1")
    expect(a.locator(".stats")).to_contain_text("Returned on time1")
    expect(a.locator(".loans")).to_contain_text("Raclette machine")
    alice.axe("a neighbour's profile")
    alice.screenshot("profile-desktop")
