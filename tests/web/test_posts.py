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


def shown_day(day: str) -> str:
    """A calendar day as an English card shows it (en-GB: "5 Sept 2026")."""
    value = date.fromisoformat(day)
    return f"{value.day} {_month(value)} {value.year}"


def shown_when(local: str) -> str:
    """A datetime-local value as an English card shows it ("Sat 5 Sept, 18:00")."""
    value = datetime.strptime(local, "%Y-%m-%dT%H:%M")
    return f"{value:%a} {value.day} {_month(value)}, {value:%H:%M}"


def _month(value) -> str:
    return "Sept" if value.month == 9 else f"{value:%b}"  # Chromium's en-GB says "Sept"


# kind -> (title, {field: value} typed in the form, texts its card must show,
#          {label: text} of the details the card must show, each at its label)
FORMS = {
    "help_request": ("Water my plants", {"what": "Twice while I am away", "when": at(0)}, ["Twice while I am away"],
                     {"What is needed": "Twice while I am away", "When": shown_when(at(0))}),
    "loan_offer": ("Raclette machine", {"item": "Raclette machine for 8", "start": DAY, "end": LATER_DAY}, ["Raclette machine for 8"],
                   {"Object": "Raclette machine for 8", "Available from": shown_day(DAY), "Until": shown_day(LATER_DAY)}),
    "loan_request": ("Lawnmower wanted", {"item": "A lawnmower", "start": DAY, "end": LATER_DAY}, ["A lawnmower"],
                     {"Object": "A lawnmower", "From": shown_day(DAY), "Until": shown_day(LATER_DAY)}),
    "babysitting_offer": ("Evenings free", {"start": at(0), "end": at(4), "children_ages": ""}, ["Any age"],
                          {"Start": shown_when(at(0)), "End": shown_when(at(4)), "Children's ages": "Any age"}),
    "babysitting_request": ("Saturday night", {"start": at(1), "end": at(5), "children_ages": "3, 6"}, ["3 years, 6 years"],
                            {"Start": shown_when(at(1)), "End": shown_when(at(5)), "Children's ages": "3 years, 6 years"}),
    "classified": ("Child's bike", {"mode": "sell", "item": "Blue bike, 16 inches", "price_cents": "45"}, ["Sell", "€45.00"],
                   {"Type": "Sell", "Object": "Blue bike, 16 inches", "Price": "€45.00"}),
    "event": ("Street party", {"start": at(0), "end": at(3), "place": "Square des Douves"}, ["Square des Douves", "0 going"],
              {"Start": shown_when(at(0)), "End": shown_when(at(3)), "Place": "Square des Douves"}),
    "lost_found": ("Keys found", {"mode": "found", "item": "Keys with a red ring", "where": "Rue de Dinan", "when": DAY},
                   ["Found", "Keys with a red ring", "Rue de Dinan"],
                   {"Type": "Found", "Object": "Keys with a red ring", "Where": "Rue de Dinan", "Day": shown_day(DAY)}),
    "group_purchase": ("Cancale oysters", {"product": "Oysters n°3", "unit": "dozen", "unit_price_cents": "9.50",
                       "min_quantity": "10", "max_quantity": "40", "deadline": at(2)}, ["Oysters n°3", "€9.50", "0 of 40 dozen committed"],
                       {"Product": "Oysters n°3", "Unit": "dozen", "Price per unit": "€9.50", "Minimum quantity": "10",
                        "Maximum quantity": "40", "Deadline": shown_when(at(2))}),
    "local_producer": ("Organic vegetables", {"products": "Vegetables and eggs", "where_to_buy": "Saturday market, 8 to 12"},
                       ["Vegetables and eggs", "Saturday market, 8 to 12"],
                       {"What they produce": "Vegetables and eggs", "Where and when to buy": "Saturday market, 8 to 12"}),
}


def detail(card, label):
    """The value a card shows at one of its labels."""
    return card.locator(f'.details .detail:has(dt:text-is("{label}")) dd')


def expect_details(card, details):
    from playwright.sync_api import expect

    for label, text in details.items():
        expect(detail(card, label)).to_have_text(text)


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
    for kind, (title, fields, shown, details) in FORMS.items():
        fill_post(a, kind, title, fields)
        if kind == "group_purchase":
            alice.axe("a post form")
        a.click("#post-form button[type=submit]")
        card = card_in(a, title)
        expect(card).to_be_visible()
        for text in shown:
            expect(card).to_contain_text(text)
        expect_details(card, details)  # the date, time, place, price or deadline, each at its label
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


def bruno_asks_for_the_raclette_machine(page_server, visit):
    """Bruno answers Alice's loan offer; her page opens their conversation, where she
    chooses. Returns (alice, bruno, the card quoted in their conversation)."""
    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    bruno.page.click(".room-link:has-text('Le quartier')")
    card_in(bruno.page, "Raclette machine").locator("button:has-text(\"I'm interested\")").click()
    alice.page.click(".room-link:has-text('Bruno')")
    return alice, bruno, card_in(alice.page, "Raclette machine")


def test_a_loan_is_lent_then_returned(posts, page_server, visit):
    from playwright.sync_api import expect

    alice, bruno, quoted = bruno_asks_for_the_raclette_machine(page_server, visit)
    a, b = alice.page, bruno.page
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


OFFERS = {"loan_offer", "babysitting_offer", "classified", "local_producer"}  # answered "I'm interested"


def publish(visit_, kind):
    """She publishes a post of `kind` with its form (FORMS); returns its card in the room."""
    from playwright.sync_api import expect

    title, fields, shown, details = FORMS[kind]
    page = visit_.page
    page.click(".tab:has-text('Posts')")
    page.click("a:has-text('New post')")
    page.click(f".kind-choice:has-text('{kind_label(kind)}')")
    expect(page.locator(".new-post .screen-title")).to_have_text(kind_label(kind))
    fill_post(page, kind, title, fields)
    page.click("#post-form button[type=submit]")
    card = card_in(page, title)
    expect(card.locator(".status")).to_have_text("Open")
    for text in shown:
        expect(card).to_contain_text(text)
    expect_details(card, details)
    return card


def kind_label(kind):
    return {"help_request": "Help request", "loan_offer": "Loan offer", "loan_request": "Loan request",
            "babysitting_offer": "Babysitting offer", "babysitting_request": "Babysitting request", "classified": "Sell or give",
            "event": "Event", "lost_found": "Lost or found", "group_purchase": "Group purchase", "local_producer": "Local producer"}[kind]


@pytest.mark.parametrize("kind", ["loan_request", "babysitting_offer", "babysitting_request", "classified", "lost_found", "local_producer"])
def test_each_kind_made_with_its_form_is_answered_chosen_then_done(world, page_server, visit, kind):
    """Alice publishes with the form; Bruno answers from the neighbourhood's room; she
    chooses him in their conversation; then the post is done as its kind is: a loan when
    the lender has the object back, the others when the author says so."""
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    title = FORMS[kind][0]
    mine = publish(alice, kind)
    answer = {"lost_found": "It's mine"}.get(kind, "I'm interested" if kind in OFFERS else "I can help")  # a found object
    expect(mine.locator(f"button:has-text(\"{answer}\")")).to_have_count(0)  # nobody answers her own post
    expect(mine.locator("button:has-text('Close the post')")).to_be_visible()
    expect(mine.locator("button:has-text('Reopen')")).to_have_count(0)  # only a taken post is reopened

    b.click(".room-link:has-text('Le quartier')")
    theirs = card_in(b, title)
    expect_details(theirs, FORMS[kind][3])  # her neighbour reads every detail too
    expect(theirs.locator("button:has-text('Close the post')")).to_have_count(0)
    theirs.locator(f"button:has-text(\"{answer}\")").click()
    expect(theirs.locator("button:has-text('Open our conversation')")).to_be_visible()
    expect(mine.locator(".card-facts")).to_contain_text("1 answer")

    a.click(".room-link:has-text('Bruno')")
    quoted = card_in(a, title)
    expect(a.locator(".messages .message .text").first).to_have_text(answer)
    if kind == "loan_request":
        expect(quoted.locator("input[name=return_due]")).to_have_value(LATER_DAY)
    quoted.locator("button:has-text('Choose Bruno')").click()
    expect(quoted.locator(".status")).to_have_text("Taken")
    expect(quoted.locator(".card-facts").first).to_contain_text("Taken by Bruno")
    expect(theirs.locator(".status")).to_have_text("Taken")
    expect(theirs.locator(".card-facts").first).to_contain_text("Taken by Bruno")
    expect(theirs.locator("button:has-text('Mark as done')")).to_have_count(0)  # the author's, not his
    alice.axe(f"a taken {kind}")

    if kind == "loan_request":
        # Alice borrows: Bruno lends, and he is the one who says the lawnmower is back.
        due = date.fromisoformat(LATER_DAY)
        expect(theirs.locator(".card-facts").last).to_contain_text(f"Bruno lent it to Alice, due back on {due.day}")
        expect(quoted.locator("button:has-text('It was returned')")).to_have_count(0)
        theirs.locator("button:has-text('It was returned')").click()
        expect(b.locator(".toast", has_text="Thank you: the loan is returned.")).to_be_visible()
    else:
        quoted.locator("button:has-text('Mark as done')").click()
        expect(a.locator(".toast", has_text="The post is done.")).to_be_visible()
    for card in (quoted, theirs):
        expect(card.locator(".status")).to_have_text("Done")
    expect(theirs.locator("button")).to_have_text(["Report"])  # nothing left to do but report it
    expect(quoted.locator("button")).to_have_count(0)  # nor for her: a done post is not reopened
    bruno.axe(f"a done {kind}")
    bruno.screenshot(f"post-{kind.replace('_', '-')}-done-phone")


def test_a_taken_post_is_reopened_chosen_again_then_closed(posts, page_server, visit):
    """"Reopen" is offered on a taken post only (the server's taken → open, which
    releases the responder); "Close the post" on an open or taken one, after a
    confirmation; a closed post offers nothing more."""
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    b.click(".room-link:has-text('Le quartier')")
    theirs = card_in(b, "Water my plants")
    theirs.locator("button:has-text('I can help')").click()
    a.click(".room-link:has-text('Bruno')")
    quoted = card_in(a, "Water my plants")
    quoted.locator("button:has-text('Choose Bruno')").click()
    expect(theirs.locator(".status")).to_have_text("Taken")

    quoted.locator("button:has-text('Reopen')").click()
    expect(a.locator(".toast", has_text="The post is open again.")).to_be_visible()
    for card in (quoted, theirs):
        expect(card.locator(".status")).to_have_text("Open")
        expect(card.locator(".card-facts")).to_have_text("1 answer")  # nobody has it any more
    expect(theirs.locator("button:has-text('Open our conversation')")).to_be_visible()
    expect(quoted.locator("button:has-text('Reopen')")).to_have_count(0)
    expect(quoted.locator("button:has-text('Mark as done')")).to_have_count(0)
    quoted.locator("button:has-text('Choose Bruno')").click()  # chosen again
    expect(theirs.locator(".card-facts")).to_have_text("1 answer · Taken by Bruno")

    quoted.locator("button:has-text('Close the post')").click()
    dialog = a.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Nobody can answer it any more; this cannot be undone.")
    alice.axe("closing a post")
    dialog.locator("button:has-text('Cancel')").click()
    expect(quoted.locator(".status")).to_have_text("Taken")  # cancelled: nothing changed
    quoted.locator("button:has-text('Close the post')").click()
    dialog.locator("button:has-text('Close')").click()
    expect(a.locator(".toast", has_text="The post is closed.")).to_be_visible()
    for card in (quoted, theirs):
        expect(card.locator(".status")).to_have_text("Closed")
    expect(quoted.locator("button")).to_have_count(0)
    expect(theirs.locator("button")).to_have_text(["Report"])

    # An open event is closed from the neighbourhood's room: nobody says "I'm going" any more.
    a.click(".room-link:has-text('Le quartier')")
    party = card_in(a, "Street party")
    expect(party.locator("button:has-text('Reopen')")).to_have_count(0)  # open, not taken: nothing to reopen
    party.locator("button:has-text('Close the post')").click()
    a.locator("#confirm-dialog button:has-text('Close')").click()
    expect(card_in(b, "Street party").locator(".status")).to_have_text("Closed")
    expect(card_in(b, "Street party").locator("button")).to_have_text(["Report"])
    bruno.screenshot("posts-closed-phone")


def test_a_reopened_loan_is_lent_again(posts, page_server, visit):
    from playwright.sync_api import expect

    alice, bruno, quoted = bruno_asks_for_the_raclette_machine(page_server, visit)
    a = alice.page
    quoted.locator("button:has-text('Choose Bruno')").click()
    expect(quoted.locator(".card-facts").last).to_contain_text("Alice lent it to Bruno")
    quoted.locator("button:has-text('Reopen')").click()
    expect(quoted.locator(".status")).to_have_text("Open")
    # The loan fell through: their conversation says so, in Bruno's language.
    expect(a.get_by_text("is cancelled: the post is open again.")).to_be_visible()
    expect(quoted).not_to_contain_text("lent it to")  # nobody has it any more
    quoted.locator("button:has-text('Choose Bruno')").click()
    expect(quoted.locator(".status")).to_have_text("Taken")
    expect(a.locator(".toast.error")).to_have_count(0)
