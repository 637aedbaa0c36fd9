"""The moderators' console (`/moderation/`) in Chromium, against real server processes,
with the residents' pages open beside it: a proof previewed and approved, a report acted
on (remove, mute, ban with the chain), a letter code issued and printed, the log
filtered by kind, an appeal decided. Replaces tests/moderation/test_views.py."""

import io

import pytest

from tests.conftest import INSIDE_SAINT_MALO, PASSWORD, make_membership
from tests.web.conftest import DESKTOP, PHONE, db_call, person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def morgane(world):
    """A moderator of Saint-Malo who does not live there."""
    user = person("morgane@example.org", "Morgane")
    world["neighbourhood"].moderators.add(user)
    return user


def console(visit, base, email="morgane@example.org", viewport=DESKTOP, locale="en-GB"):
    tab = visit(base, viewport=viewport, locale=locale).open("/moderation/")
    tab.page.fill("#login input[name=email]", email)
    tab.page.fill("#login input[name=password]", PASSWORD)
    tab.page.click("#login button[type=submit]")
    tab.page.wait_for_selector(".shell.console, .notice")
    return tab


def picture(width=480, height=320, colour=(31, 111, 92)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, width - 20, 80), fill=colour)
    for line in range(6):
        draw.rectangle((20, 110 + line * 30, width - 60 - line * 25, 122 + line * 30), fill=(120, 120, 120))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_the_console_is_for_moderators_and_takes_a_csrf_protected_login(world, morgane, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    alice = console(visit, base, "alice@example.org")  # a resident, not a moderator
    expect(alice.page.locator(".notice")).to_contain_text("This console is for the moderators")
    expect(alice.page.locator("#reports")).to_have_count(0)
    alice.axe("not a moderator")
    moderator = console(visit, base, viewport=PHONE)
    expect(moderator.page.locator("#neighbourhood")).to_have_value(str(world["neighbourhood"].id))
    expect(moderator.page.locator(".boot")).to_have_count(0)  # "Loading Voisins…" gone once drawn
    expect(moderator.page).to_have_title("Voisins · Moderation")
    moderator.no_horizontal_overflow()
    alice.screenshot("console-not-a-moderator-desktop")
    moderator.screenshot("console-opened-phone")


def test_sign_up_to_verified_by_a_proof_reviewed_in_the_console(world, morgane, page_server, visit, tmp_path):
    from playwright.sync_api import expect

    base = page_server()
    dan = visit(base, viewport=PHONE).open("/")
    d = dan.page
    d.click("button:has-text('Create an account')")
    d.fill("#signup input[name=display_name]", "Dan")
    d.fill("#signup input[name=email]", "dan@example.org")
    d.fill("#signup input[name=password]", "une-pie-qui-boit-9")
    d.click("#signup button[type=submit]")
    d.fill("#apply input[name=number]", "9")
    d.fill("#apply input[name=street]", "Rue de la Pie qui Boit")
    d.fill("#apply input[name=postcode]", "35400")
    d.fill("#apply input[name=city]", "Saint-Malo")
    d.fill("#apply input[name=latitude]", str(INSIDE_SAINT_MALO[0]))
    d.fill("#apply input[name=longitude]", str(INSIDE_SAINT_MALO[1]))
    expect(d.locator(".lookup")).to_have_text("Your neighbourhood: Saint-Malo")
    d.click("#apply button[type=submit]")
    expect(d.locator("#membership-status")).to_contain_text("pending")
    bill = tmp_path / "bill.png"
    bill.write_bytes(picture())
    d.set_input_files("#proof-form input[type=file]", str(bill))
    d.click("#proof-form button[type=submit]")
    expect(d.locator(".proofs")).to_contain_text("waiting for a moderator")

    moderator = console(visit, base)
    m = moderator.page
    m.click(".tab:has-text('Applicants')")
    applicant = m.locator(".applicant", has_text="Dan")
    expect(applicant).to_contain_text("9 Rue de la Pie qui Boit, 35400, Saint-Malo")
    applicant.locator("button:has-text('See the document')").click()
    preview = applicant.locator("img.proof-preview")
    expect(preview).to_be_visible()
    assert preview.get_attribute("src").startswith("blob:")  # read with the session, shown in the page
    assert m.evaluate("() => document.querySelector('img.proof-preview').naturalWidth") == 480
    moderator.axe("a proof previewed")
    moderator.screenshot("console-proof-preview-desktop")
    applicant.locator("button:has-text('Approve')").click()
    expect(m.locator(".toast", has_text="Done")).to_be_visible()
    expect(m.locator(".applicant", has_text="Dan")).to_have_count(0)

    # Dan's page turns verified live.
    expect(d.locator("#membership-status")).to_contain_text("You are a verified neighbour of Saint-Malo")
    dan.axe("verified")
    m.click(".tab:has-text('Log')")
    expect(m.locator("#log .entry").first).to_contain_text("by Morgane, about Dan")
    dan.screenshot("console-proof-approved-applicant-phone")


@pytest.fixture
def reported(world, morgane):
    """Bruno wrote something rude (with a photo); Carla got in by his vouch only; Alice
    reported the message and Bruno himself."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from backend.chat.services import message_post
    from backend.moderation.services import report_create
    from backend.photos.services import image_upload
    from backend.trust.services import vouch_create

    carla = person("carla@example.org", "Carla")
    pending = make_membership(carla, world["neighbourhood"], street="Rue Dauphine")
    vouch_create(voucher=world["Bruno"], membership=pending)
    photo = image_upload(owner=world["Bruno"], upload=SimpleUploadedFile("x.png", picture(320, 240, (164, 22, 26))),
                         client_id="rude-photo").image
    message_post(author=world["Alice"], room_id=world["room"].id, text="Good morning everyone", client_id="hello")
    ack = message_post(author=world["Bruno"], room_id=world["room"].id, text="You are all idiots", client_id="rude",
                       image_ids=[photo.id])
    message_id = ack.message_id
    report_create(reporter=world["Alice"], category="harassment", text="Insults the whole street", message_id=message_id)
    report_create(reporter=world["Alice"], category="harassment", text="He does this every day", member_id=world["Bruno"].id)
    again = message_post(author=world["Bruno"], room_id=world["room"].id, text="And I mean it", client_id="again")
    report_create(reporter=world["Alice"], category="other", text="Again", message_id=again.message_id)
    return message_id


def test_the_moderator_removes_mutes_and_bans_from_reports_and_the_resident_page_reacts(
        world, morgane, reported, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    bruno = visit(base, viewport=DESKTOP).log_in("bruno@example.org")
    b = bruno.page
    b.click(".room-link:has-text('Le quartier')")
    expect(b.locator(".message .text").last).to_have_text("And I mean it")

    moderator = console(visit, base, viewport=PHONE)
    m = moderator.page
    # It opens on the recent messages of the rooms, people by name.
    live = m.locator(".console-message")
    expect(live.first).to_contain_text("Bruno")
    expect(live.first).to_contain_text("And I mean it")
    expect(m.locator(".console-message", has_text="Good morning everyone")).to_contain_text("Alice")
    moderator.axe("recent messages")
    moderator.no_horizontal_overflow()

    m.click(".tab:has-text('Reports')")
    message_report = m.locator(".report", has_text="Insults the whole street")
    expect(message_report).to_contain_text("Reported by Alice")
    expect(message_report.locator(".reported")).to_contain_text("You are all idiots")
    expect(message_report.locator(".photos img")).to_have_count(1)
    moderator.axe("the reports")

    message_report.locator("button:has-text('Mute Bruno')").click()
    dialog = m.locator("#action-dialog")
    dialog.locator("select[name=minutes]").select_option("60")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("#field-reason-error")).to_be_visible()  # a reason is needed
    moderator.axe("the mute dialog without a reason")
    dialog.locator("textarea[name=reason]").fill("Calm down for an hour")
    dialog.locator("button[type=submit]").click()
    expect(b.locator(".toast", has_text="A moderator muted you for a while.")).to_be_visible()
    expect(m.locator(".report", has_text="He does this every day")).to_have_count(0)  # the member's report is upheld

    message_report.locator("button:has-text('Remove the message')").click()
    m.fill("#action-dialog textarea[name=reason]", "Insults")
    m.click("#action-dialog button[type=submit]")
    expect(b.locator(".message .text.muted")).to_have_count(1)  # his page says it is gone
    expect(m.locator(".report", has_text="Insults the whole street")).to_have_count(0)

    m.locator(".report", has_text="And I mean it").locator("button:has-text('Ban Bruno')").click()
    dialog = m.locator("#action-dialog")
    expect(dialog.locator(".chain")).to_contain_text("Carla")
    expect(dialog.locator(".chain")).to_contain_text("her vouch was the only way in")
    moderator.axe("the ban dialog with its chain")
    dialog.locator("input[name=chain]").check()
    dialog.locator("textarea[name=reason]").fill("Repeated insults")
    dialog.locator("button[type=submit]").click()
    expect(m.locator(".report button:has-text('Ban Bruno')")).to_have_count(0)  # no longer a member
    expect(b.locator(".toast", has_text="Repeated insults")).to_be_visible()

    # Only the actions that apply: a removed message can be restored, not removed.
    m.click(".tab:has-text('Messages')")
    removed = m.locator(".console-message", has_text="You are all idiots")
    expect(removed).to_contain_text("Removed by a moderator")
    expect(removed.locator("button:has-text('Restore')")).to_be_visible()
    expect(removed.locator("button:has-text('Remove')")).to_have_count(0)
    expect(removed.locator("button:has-text('Ban')")).to_have_count(0)  # banned: no longer a member
    m.click(".tab:has-text('Log')")
    expect(m.locator("#log .entry").first).to_contain_text("by Morgane, about Bruno")
    expect(m.locator("#log .entry", has_text="Back to pending")).to_contain_text("about Carla")
    moderator.axe("the log after the ban")
    moderator.screenshot("console-ban-log-phone")
    bruno.screenshot("console-banned-resident-desktop")


def test_a_letter_code_is_issued_and_printed_from_the_console(world, morgane, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    moderator = console(visit, base, viewport=PHONE)
    m = moderator.page
    m.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    m.click(".tab:has-text('Applicants')")
    applicant = m.locator(".applicant", has_text="Zoé")
    applicant.locator("button:has-text('Issue a letter code')").click()
    letter = m.locator("#letter-dialog")
    code = letter.locator(".letter-code").inner_text()
    assert len(code) >= 6
    expect(letter.locator(".letter-text")).to_contain_text(code)
    moderator.axe("the letter")
    letter.locator("button:has-text('Print the letter')").click()
    assert m.evaluate("() => window.printed") == 1
    m.emulate_media(media="print")
    expect(m.locator(".letter-sheet")).to_be_visible()
    expect(m.locator(".shell")).to_be_hidden()
    moderator.screenshot("console-letter-printed")
    m.emulate_media(media="screen")
    letter.locator("button:has-text('Close')").click()
    expect(applicant).to_contain_text("letter code sent")

    zoe = visit(base, viewport=PHONE).log_in("zoe@example.org")
    z = zoe.page
    z.fill("#code-form input[name=code]", code)
    z.click("#code-form button[type=submit]")
    expect(z.locator("#membership-status")).to_contain_text("You are a verified neighbour of Saint-Malo")
    expect(m.locator(".applicant", has_text="Zoé")).to_have_count(0)  # live


def test_the_log_is_filtered_by_kind_in_french(world, morgane, reported, page_server, visit):
    from playwright.sync_api import expect

    from backend.moderation.services import member_mute
    from backend.trust.services import letter_code_issue
    from backend.trust.models import Membership

    def decisions():
        member_mute(actor=morgane, user_id=world["Bruno"].id, neighbourhood_id=world["neighbourhood"].id, minutes=30,
                    reason="Du calme")
        letter_code_issue(actor=morgane, membership=Membership.objects.get(user=world["Zoé"]))

    db_call(decisions)
    db_call(lambda: type(morgane).objects.filter(pk=morgane.pk).update(language="fr"))
    moderator = console(visit, page_server(), viewport=DESKTOP, locale="fr-FR")
    m = moderator.page
    m.click(".tab:has-text('Journal')")
    log = m.locator("#log .entry")
    expect(log.filter(has_text="Sourdine")).to_contain_text("par Morgane, à propos de Bruno")
    expect(log.filter(has_text="Code courrier émis")).to_have_count(1)
    m.select_option("#log-kind", "letters")
    expect(log).to_have_count(1)
    expect(log.first).to_contain_text("Code courrier émis")
    m.select_option("#log-kind", "moderation")
    expect(log).to_have_count(1)
    expect(log.first).to_contain_text("Du calme")
    moderator.axe("the log filtered")
    # Live: a new decision arrives in the filtered log.
    db_call(lambda: __import__("backend.moderation.services", fromlist=["x"]).message_remove(
        actor=morgane, message_id=reported, reason="Insultes"))
    expect(log).to_have_count(2)
    expect(log.first).to_contain_text("Retrait")
    moderator.screenshot("console-log-filtered-desktop")


def test_an_appeal_is_decided_in_the_console(world, morgane, reported, page_server, visit):
    from playwright.sync_api import expect

    from backend.moderation.services import appeal_create, message_remove

    other = db_call(lambda: person("yann@example.org", "Yann"))
    db_call(lambda: world["neighbourhood"].moderators.add(other))
    action = db_call(message_remove, actor=other, message_id=reported, reason="Insults")
    db_call(appeal_create, appellant=world["Bruno"], action_id=action.id, text="It was a joke between friends")
    base = page_server()
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    moderator = console(visit, base, viewport=PHONE)
    m = moderator.page
    m.click(".tab:has-text('Appeals')")
    appeal = m.locator(".appeal", has_text="It was a joke between friends")
    expect(appeal).to_contain_text("Bruno appeals")
    expect(appeal).to_contain_text("Against: Removal by Yann, because: Insults")
    moderator.axe("an appeal")
    appeal.locator("button:has-text('Grant')").click()
    m.fill("#action-dialog textarea[name=reason]", "A joke, fair enough")
    m.click("#action-dialog button[type=submit]")
    expect(m.locator(".appeal")).to_have_count(0)
    expect(m.locator("#appeals")).to_be_empty()
    m.click(".tab:has-text('Messages')")
    expect(m.locator(".console-message", has_text="You are all idiots").locator("button:has-text('Remove')")).to_be_visible()
    b = bruno.page
    b.click(".room-link:has-text('Le quartier')")
    expect(b.locator(".message .text", has_text="You are all idiots")).to_be_visible()  # restored
    moderator.axe("the appeal granted")
    moderator.screenshot("console-appeal-granted-phone")


@pytest.fixture
def rude_in_context(world, morgane, settings):
    """Bruno's rude message among others in the neighbourhood's room, then enough talk
    after it that it is no longer among the messages the console loads first; Alice
    reported it."""
    from backend.chat.services import message_post
    from backend.moderation.services import report_create

    settings.CHAT_WRITES_PER_WINDOW = 1000  # the talk below is posted at once
    room = world["room"].id

    def say(who, text):
        return message_post(author=world[who], room_id=room, text=text, client_id=f"{who}-{text}").message_id

    say("Alice", "Good morning everyone")
    say("Alice", "Who has a ladder?")
    say("Bruno", "Not me, sorry")
    say("Alice", "Anyone else?")
    rude = say("Bruno", "You are all idiots")
    say("Alice", "That is rude")
    say("Alice", "Please stop")
    say("Bruno", "Whatever")
    for number in range(35):
        say("Alice", f"Ladder news {number}")
    report_create(reporter=world["Alice"], category="harassment", text="Insults the whole street", message_id=rude)
    return rude


def test_a_reported_message_is_shown_in_its_context_and_opened_in_the_messages(
        world, morgane, rude_in_context, page_server, visit):
    from playwright.sync_api import expect

    moderator = console(visit, page_server(), viewport=PHONE)
    m = moderator.page
    expect(m.locator(".console-message").first).to_contain_text("Ladder news 34")
    expect(m.locator(".console-message", has_text="You are all idiots")).to_have_count(0)  # too old for the first page
    m.click(".tab:has-text('Reports')")
    report = m.locator(".report", has_text="Insults the whole street")
    around = report.locator(".report-context li")
    # Three before, the reported one, three after, in the order they were said.
    expect(around.locator(".text")).to_have_text(["Who has a ladder?", "Not me, sorry", "Anyone else?", "You are all idiots",
                                                  "That is rude", "Please stop", "Whatever"])
    expect(report.locator(".report-context")).to_contain_text("In Le quartier")
    reported = around.filter(has_text="You are all idiots")
    expect(reported).to_contain_text("The reported message")
    expect(reported).to_contain_text("Bruno")
    expect(around.filter(has_text="That is rude")).not_to_contain_text("The reported message")
    moderator.axe("a report in its context")
    moderator.no_horizontal_overflow()
    report.locator(".report-context").scroll_into_view_if_needed()
    moderator.screenshot("console-report-context-phone")

    report.locator("a:has-text('See it in the Messages panel')").click()
    opened = m.locator(f"#message-{rude_in_context}")
    expect(opened).to_be_visible()
    expect(opened).to_contain_text("The message you opened")
    expect(opened).to_be_focused()
    expect(m.locator(".tab.active")).to_contain_text("Messages")
    expect(opened.locator("button:has-text('Remove')")).to_be_visible()  # acted on from there too
    moderator.axe("the reported message in the Messages panel")
    moderator.screenshot("console-report-opened-phone")


def test_a_message_posted_while_the_console_is_open_appears_live(world, morgane, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    moderator = console(visit, base, viewport=DESKTOP)
    m = moderator.page
    expect(m.locator(".console-message")).to_have_count(0)
    alice = visit(base, viewport=PHONE).log_in("alice@example.org")
    a = alice.page
    a.click(".room-link:has-text('Prêts')")
    a.fill(".composer textarea", "Who lends me a drill?")
    a.press(".composer textarea", "Enter")
    newest = m.locator(".console-message").first
    expect(newest).to_contain_text("Who lends me a drill?")
    expect(newest.locator(".author")).to_have_text("Alice")
    expect(newest).to_contain_text("Prêts")
    a.fill(".composer textarea", "Tomorrow morning")
    a.press(".composer textarea", "Enter")
    expect(m.locator(".console-message .text")).to_have_text(["Tomorrow morning", "Who lends me a drill?"])
    moderator.axe("messages arriving live")
    moderator.screenshot("console-live-message-desktop")


def test_a_member_is_muted_then_banned_from_the_members_tab(world, morgane, reported, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    bruno = visit(base, viewport=DESKTOP).log_in("bruno@example.org")
    b = bruno.page
    moderator = console(visit, base, viewport=PHONE)
    m = moderator.page
    m.click(".tab:has-text('Members')")
    members = m.locator("#members .member")
    expect(members).to_have_count(3)  # Alice, Bruno, Carla
    expect(m.locator("#revoked")).to_be_empty()
    member = m.locator("#members .member", has_text="Bruno")
    moderator.axe("the members")
    member.locator("button:has-text('Mute Bruno')").click()
    dialog = m.locator("#action-dialog")
    dialog.locator("select[name=minutes]").select_option("10080")
    dialog.locator("textarea[name=reason]").fill("A week to cool off")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_have_count(0)
    expect(b.locator(".toast", has_text="A moderator muted you for a while.")).to_be_visible()

    member.locator("button:has-text('Ban Bruno')").click()
    expect(dialog.locator(".chain")).to_contain_text("Carla")
    dialog.locator("textarea[name=reason]").fill("Insults after his mute")
    dialog.locator("button[type=submit]").click()
    expect(m.locator("#members .member", has_text="Bruno")).to_have_count(0)
    expect(m.locator("#members .member", has_text="Carla")).to_have_count(1)  # without the chain, she stays
    expect(m.locator("#revoked .revoked", has_text="Bruno")).to_contain_text("Insults after his mute")
    expect(b.locator(".toast", has_text="Insults after his mute")).to_be_visible()
    expect(b.locator("#membership-status")).to_contain_text("Your membership was ended")
    moderator.axe("the members after the ban")
    moderator.screenshot("console-members-banned-phone")
    m.click(".tab:has-text('Log')")
    log = m.locator("#log .entry")
    expect(log.filter(has=m.locator("strong:text-is('Mute')"))).to_contain_text("A week to cool off")
    expect(log.filter(has=m.locator("strong:text-is('Ban')"))).to_contain_text("by Morgane, about Bruno")
    moderator.axe("the log after the mute and the ban")
    moderator.screenshot("console-members-ban-log-phone")


def test_a_removed_message_is_restored_and_the_resident_page_shows_it_again(world, morgane, page_server, visit):
    from playwright.sync_api import expect

    from backend.chat.services import message_post
    from backend.moderation.services import message_remove

    posted = db_call(message_post, author=world["Bruno"], room_id=world["room"].id, text="Free apples at number 12",
                     client_id="apples")
    db_call(message_remove, actor=morgane, message_id=posted.message_id, reason="Looked like spam")
    base = page_server()
    alice = visit(base, viewport=PHONE).log_in("alice@example.org")
    a = alice.page
    a.click(".room-link:has-text('Le quartier')")
    expect(a.locator(".message .text")).to_have_count(1)
    expect(a.locator(".message .text")).not_to_contain_text("Free apples")  # gone for residents
    moderator = console(visit, base, viewport=PHONE)
    m = moderator.page
    removed = m.locator(".console-message", has_text="Free apples at number 12")
    expect(removed).to_contain_text("Removed by a moderator")
    removed.locator("button:has-text('Restore')").click()
    dialog = m.locator("#action-dialog")
    expect(dialog).to_contain_text("Bruno: Free apples at number 12")
    moderator.axe("the restore dialog")
    dialog.locator("textarea[name=reason]").fill("Real apples, not spam")
    dialog.locator("button[type=submit]").click()
    expect(removed).not_to_contain_text("Removed by a moderator")
    expect(removed.locator("button:has-text('Remove')")).to_be_visible()
    expect(removed.locator("button:has-text('Restore')")).to_have_count(0)
    expect(a.locator(".message .text")).to_have_text(["Free apples at number 12"])  # live, on her page
    m.click(".tab:has-text('Log')")
    expect(m.locator("#log .entry").first).to_contain_text("Restoration")
    expect(m.locator("#log .entry").first).to_contain_text("Real apples, not spam")
    moderator.screenshot("console-restored-phone")
    alice.screenshot("console-restored-resident-phone")


def test_the_console_fits_a_phone_in_every_panel_and_dialog(world, morgane, reported, page_server, visit):
    from playwright.sync_api import expect

    from backend.moderation.services import report_create
    from backend.trust.models import Membership
    from backend.trust.services import proof_upload
    from django.core.files.uploadedfile import SimpleUploadedFile

    zoe = db_call(lambda: Membership.objects.get(user=world["Zoé"]))
    db_call(proof_upload, actor=world["Zoé"], membership=zoe,
            upload=SimpleUploadedFile("bill.png", picture(1600, 900), content_type="image/png"))
    long_word = "https://example.org/" + "a-very-long-path-without-any-space-" * 6
    db_call(report_create, reporter=world["Alice"], category="spam", text=long_word, member_id=world["Bruno"].id)
    moderator = console(visit, page_server(), viewport=PHONE)
    m = moderator.page
    dialog = m.locator("#action-dialog")

    def fits(what):
        moderator.no_horizontal_overflow()
        overflowing = m.evaluate("""() => [...document.querySelectorAll('dialog[open], dialog[open] *')]
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.outerHTML.slice(0, 80))""")
        assert not overflowing, f"{what}: {overflowing}"

    m.click(".tab:has-text('Reports')")
    expect(m.locator(".report", has_text="Insults the whole street").locator(".report-context li")).to_have_count(3)
    fits("the reports")
    m.locator(".report", has_text="Insults the whole street").locator("button:has-text('Mute Bruno')").click()
    fits("the mute dialog")
    dialog.locator("button:has-text('Cancel')").click()
    m.locator(".report", has_text="Insults the whole street").locator("button:has-text('Ban Bruno')").click()
    expect(dialog.locator(".chain")).to_contain_text("Carla")
    fits("the ban dialog")
    dialog.locator("button:has-text('Cancel')").click()

    m.click(".tab:has-text('Applicants')")
    applicant = m.locator(".applicant", has_text="Zoé")
    applicant.locator("button:has-text('See the document')").click()
    expect(applicant.locator("img.proof-preview")).to_be_visible()
    fits("the applicants with a proof")
    applicant.locator("button:has-text('Reject the proof')").click()
    fits("the reject dialog")
    dialog.locator("button:has-text('Cancel')").click()
    applicant.locator("button:has-text('Issue a letter code')").click()
    expect(m.locator("#letter-dialog .letter-code")).to_be_visible()
    fits("the letter dialog")
    m.locator("#letter-dialog button:has-text('Close')").click()

    m.click(".tab:has-text('Members')")
    expect(m.locator("#members .member")).to_have_count(3)
    fits("the members")
    m.locator("#members .member", has_text="Bruno").locator("button:has-text('Revoke Bruno')").click()
    expect(dialog.locator(".chain")).to_contain_text("Carla")
    fits("the revoke dialog")
    dialog.locator("button:has-text('Cancel')").click()

    m.click(".tab:has-text('Log')")
    expect(m.locator("#log .entry").first).to_be_visible()
    fits("the log")
    moderator.screenshot("console-log-phone")
