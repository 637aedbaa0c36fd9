"""Trust decisions in the moderators' console (`/moderation/`), with the residents' pages
open beside it: a member revoked with the chain and reinstated (issue 10), a proof and an
application rejected with their reasons that the applicant reads in her page and her
history, a PDF proof previewed, and staff opening a neighbourhood that has no member and
no moderator yet."""

import io

import pytest

from tests.conftest import make_membership
from tests.web.conftest import DESKTOP, PHONE, db_call, person
from tests.web.test_console import console, morgane, picture  # noqa: F401 (morgane: a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chain(world, morgane):
    """Carla got in by Bruno's vouch only; Dora by a proof, then Bruno vouched for her too."""
    from backend.trust.services import vouch_create

    carla = person("carla@example.org", "Carla")
    vouch_create(voucher=world["Bruno"], membership=make_membership(carla, world["neighbourhood"], street="Rue Dauphine"))
    dora = make_membership(person("dora@example.org", "Dora"), world["neighbourhood"], street="Rue Chateaubriand")
    vouch_create(voucher=world["Bruno"], membership=dora)
    type(dora).objects.filter(pk=dora.pk).update(route="proof")  # her proof was approved as well
    return carla


def test_a_member_is_revoked_with_the_chain_and_reinstated_from_the_console(world, morgane, chain, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    bruno = visit(base, viewport=DESKTOP).log_in("bruno@example.org")
    carla = visit(base, viewport=PHONE).log_in("carla@example.org")
    c = carla.page
    expect(c.locator(".room-link")).to_have_count(2)
    moderator = console(visit, base, viewport=DESKTOP)
    m = moderator.page
    m.click(".tab:has-text('Members')")
    m.locator("#members .member", has_text="Bruno").locator("button:has-text('Revoke Bruno')").click()
    dialog = m.locator("#action-dialog")
    expect(dialog.locator("h2")).to_have_text("Revoke the membership of Bruno")
    links = dialog.locator(".chain li")
    expect(links).to_have_count(2)
    expect(links.filter(has_text="Carla")).to_contain_text("her vouch was the only way in")
    expect(links.filter(has_text="Dora")).to_contain_text("verified another way too")
    expect(links.first).to_contain_text("vouched on")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("#field-reason-error")).to_be_visible()  # a reason, in the dialog
    moderator.axe("the revoke dialog with its chain")
    dialog.locator("input[name=chain]").check()
    dialog.locator("textarea[name=reason]").fill("Sold the building's door code")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_have_count(0)

    # The console: Bruno revoked, Carla back among the applicants, Dora still a member.
    expect(m.locator("#members .member", has_text="Bruno")).to_have_count(0)
    expect(m.locator("#members .member", has_text="Dora")).to_have_count(1)
    revoked = m.locator("#revoked .revoked", has_text="Bruno")
    expect(revoked).to_contain_text("Revoked by Morgane")
    expect(revoked).to_contain_text("Sold the building's door code")
    m.click(".tab:has-text('Applicants')")
    expect(m.locator(".applicant", has_text="Carla")).to_be_visible()

    # Bruno is told why; Carla is told she is pending again and how to verify again.
    expect(bruno.page.locator(".toast", has_text="The moderators ended your membership of Saint-Malo")).to_contain_text(
        "Sold the building's door code")
    expect(c.locator(".toast", has_text="Please verify your address again")).to_contain_text(
        "Ask another verified neighbour to vouch for you, send a proof of address or ask for a letter code")
    expect(c.locator(".room-link")).to_have_count(0)
    c.goto(c.url.split("#")[0] + "#/join")
    status = c.locator("#membership-status")
    expect(status).to_contain_text("Your application to Saint-Malo is pending")
    expect(status).to_contain_text("You are pending again: the neighbour whose vouch let you in is no longer a member")
    expect(status).to_contain_text("Reason: Sold the building's door code")
    expect(c.locator("#route-proof")).to_be_visible()  # the ways to verify again
    expect(c.locator("#route-vouch")).to_be_visible()
    expect(c.locator(".timeline li").first).to_contain_text("Asked to verify again")
    carla.axe("pending again")
    carla.no_horizontal_overflow()
    carla.screenshot("reverify-after-chain-revocation-phone")

    # Reinstated from the console, with a reason: Bruno is back, Carla stays pending.
    m.click(".tab:has-text('Members')")
    revoked.locator("button:has-text('Reinstate Bruno')").click()
    expect(dialog.locator("h2")).to_have_text("Reinstate Bruno")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("#field-reason-error")).to_be_visible()
    moderator.axe("the reinstate dialog")
    dialog.locator("textarea[name=reason]").fill("The code was changed; he apologised")
    dialog.locator("button[type=submit]").click()
    expect(m.locator("#members .member", has_text="Bruno")).to_have_count(1)
    expect(m.locator("#revoked")).to_be_empty()
    expect(bruno.page.locator(".toast", has_text="Welcome back")).to_contain_text("The code was changed; he apologised")
    expect(bruno.page.locator(".room-link")).to_have_count(2)  # the rooms are his again
    expect(status).to_contain_text("pending")
    m.click(".tab:has-text('Log')")
    log = m.locator("#log .entry")
    expect(log.filter(has_text="Reinstatement")).to_contain_text("by Morgane, about Bruno")
    expect(log.filter(has_text="Revocation")).to_contain_text("Sold the building's door code")
    expect(log.filter(has_text="Back to pending")).to_contain_text("about Carla")
    moderator.axe("the log after a revocation and a reinstatement")
    moderator.screenshot("console-revoked-and-reinstated-desktop")


def test_a_proof_and_an_application_are_rejected_and_the_applicant_reads_why(world, morgane, page_server, visit):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from playwright.sync_api import expect

    from backend.trust.models import Membership
    from backend.trust.services import proof_upload

    zoe_membership = db_call(lambda: Membership.objects.get(user=world["Zoé"]))
    db_call(proof_upload, actor=world["Zoé"], membership=zoe_membership,
            upload=SimpleUploadedFile("bill.png", picture(), content_type="image/png"))
    base = page_server()
    zoe = visit(base, viewport=PHONE).log_in("zoe@example.org")
    z = zoe.page
    expect(z.locator(".proofs")).to_contain_text("waiting for a moderator")
    moderator = console(visit, base, viewport=PHONE)
    m = moderator.page
    m.click(".tab:has-text('Applicants')")
    applicant = m.locator(".applicant", has_text="Zoé")
    applicant.locator("button:has-text('Reject the proof')").click()
    dialog = m.locator("#action-dialog")
    expect(dialog.locator("h2")).to_have_text("Reject this proof")
    dialog.locator("textarea[name=reason]").fill("The bill is not in your name")
    dialog.locator("button[type=submit]").click()
    expect(applicant.locator(".proof")).to_have_count(0)

    expect(z.locator(".toast", has_text="About your proof of address")).to_contain_text("The bill is not in your name")
    expect(z.locator(".proofs")).to_contain_text("rejected — Reason: The bill is not in your name")
    expect(z.locator("#proof-form")).to_be_visible()  # she may send another one
    rejected_proof = z.locator(".timeline li", has_text="Proof rejected")
    expect(rejected_proof).to_contain_text("by Morgane")
    expect(rejected_proof).to_contain_text("Reason: The bill is not in your name")

    applicant.locator("button:has-text('Reject')").last.click()
    expect(dialog.locator("h2")).to_have_text("Reject the application of Zoé")
    dialog.locator("textarea[name=reason]").fill("Nobody at this address knows you")
    dialog.locator("button[type=submit]").click()
    expect(m.locator(".applicant", has_text="Zoé")).to_have_count(0)

    expect(z.locator(".toast", has_text="About your membership")).to_contain_text("Nobody at this address knows you")
    status = z.locator("#membership-status")
    expect(status).to_contain_text("Your application was rejected")
    expect(status).to_contain_text("Reason: Nobody at this address knows you")
    history = z.locator(".timeline li")
    expect(history.first).to_contain_text("Rejected")
    expect(history.first).to_contain_text("by Morgane")
    expect(history.first).to_contain_text("Reason: Nobody at this address knows you")
    expect(history.filter(has_text="Proof rejected")).to_contain_text("Reason: The bill is not in your name")
    expect(history.filter(has_text="Proof of address sent")).to_have_count(1)
    zoe.axe("rejected, with her history")
    zoe.no_horizontal_overflow()
    zoe.screenshot("rejected-with-reasons-phone")
    m.click(".tab:has-text('Log')")
    expect(m.locator("#log .entry").first).to_contain_text("Nobody at this address knows you")
    expect(m.locator("#log .entry", has_text="Proof rejected")).to_contain_text("The bill is not in your name")
    moderator.screenshot("console-rejections-log-phone")


def pdf() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(picture())).convert("RGB").save(out, "PDF")
    return out.getvalue()


def test_a_pdf_proof_is_previewed_in_the_console(world, morgane, page_server, visit):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from playwright.sync_api import expect

    from backend.trust.models import Membership
    from backend.trust.services import proof_upload

    zoe = db_call(lambda: Membership.objects.get(user=world["Zoé"]))
    db_call(proof_upload, actor=world["Zoé"], membership=zoe,
            upload=SimpleUploadedFile("bill.pdf", pdf(), content_type="application/pdf"))
    moderator = console(visit, page_server(), viewport=DESKTOP)
    m = moderator.page
    m.click(".tab:has-text('Applicants')")
    applicant = m.locator(".applicant", has_text="Zoé")
    expect(applicant.locator(".proof")).to_contain_text("(PDF)")
    applicant.locator("button:has-text('See the document')").click()
    preview = applicant.locator("iframe.proof-preview")
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("title", "The proof of Zoé")
    source = preview.get_attribute("src")
    assert source.startswith("blob:")  # read with the session, shown in the page
    box = preview.bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    # The frame holds the document itself, which Chromium shows with its PDF viewer.
    loaded = "() => document.querySelector('iframe.proof-preview').contentDocument?.contentType"
    m.wait_for_function(f"() => ({loaded})() === 'application/pdf'")
    moderator.axe("a PDF proof previewed")
    m.wait_for_timeout(3000)  # for the screenshot only: Chromium's viewer draws the page a moment after it loads
    moderator.screenshot("console-pdf-proof-preview-desktop")


@pytest.fixture
def cancale(world):
    """A neighbourhood just opened: nobody lives there yet and nobody moderates it; Lou
    applies; Sam is of the team (staff)."""
    from backend.neighbourhoods.models import Neighbourhood
    from backend.neighbourhoods.services import neighbourhood_save

    place = neighbourhood_save(neighbourhood=Neighbourhood(
        name="Cancale", slug="cancale", country="FR", locale="fr-FR", center_latitude=48.6760,
        center_longitude=-1.8520, radius_m=500,
    ))
    make_membership(person("lou@example.org", "Lou"), place, street="Rue du Port", at=(48.6761, -1.8521))
    sam = person("sam@example.org", "Sam")
    type(sam).objects.filter(pk=sam.pk).update(is_staff=True)
    return place


def test_staff_open_a_new_neighbourhood_from_the_console_with_a_letter_code(world, cancale, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    staff = console(visit, base, "sam@example.org", viewport=PHONE)
    s = staff.page
    choice = s.locator("#neighbourhood option")
    expect(choice).to_have_text(["Cancale", "Saint-Malo"])  # every neighbourhood, for staff
    s.select_option("#neighbourhood", str(cancale.id))
    s.click(".tab:has-text('Members')")
    expect(s.locator("#members-title ~ .empty").first).to_have_text("No verified member yet.")
    s.click(".tab:has-text('Applicants')")
    applicant = s.locator(".applicant", has_text="Lou")
    expect(applicant).to_contain_text("12 Rue du Port")
    staff.axe("a new neighbourhood's applicants")
    applicant.locator("button:has-text('Issue a letter code')").click()
    letter = s.locator("#letter-dialog")
    code = letter.locator(".letter-code").inner_text()
    assert len(code) >= 6
    staff.no_horizontal_overflow()
    letter.locator("button:has-text('Close')").click()
    expect(applicant).to_contain_text("letter code sent")

    lou = visit(base, viewport=PHONE).log_in("lou@example.org")
    p = lou.page
    p.fill("#code-form input[name=code]", code)
    p.click("#code-form button[type=submit]")
    expect(p.locator("#membership-status")).to_contain_text("You are a verified neighbour of Cancale")
    # Staff hear the neighbourhood's decisions live, as its moderators do; read again,
    # the console keeps the neighbourhood she chose.
    expect(s.locator(".applicant", has_text="Lou")).to_have_count(0)
    s.reload()
    s.wait_for_selector(".shell.console")
    expect(s.locator("#neighbourhood")).to_have_value(str(cancale.id))  # the neighbourhood she chose stays chosen
    expect(s.locator(".applicant", has_text="Lou")).to_have_count(0)
    s.click(".tab:has-text('Members')")
    expect(s.locator("#members .member")).to_have_count(1)
    expect(s.locator("#members .member")).to_contain_text("Lou")
    s.click(".tab:has-text('Log')")
    expect(s.locator("#log .entry", has_text="Letter code used")).to_contain_text("by Lou, about Lou")
    expect(s.locator("#log .entry", has_text="Letter code issued")).to_contain_text("by Sam, about Lou")
    staff.axe("the first member of a new neighbourhood")
    staff.screenshot("console-staff-new-neighbourhood-phone")


def test_staff_watch_a_neighbourhood_they_do_not_moderate_as_its_moderators_do(world, cancale, page_server, visit):
    from playwright.sync_api import expect

    from backend.chat.models import Room
    from backend.chat.services import message_post, rooms_ensure_default
    from backend.trust.models import Membership
    from backend.trust.services import letter_code_issue, letter_code_redeem, vouch_create

    def first_member():
        rooms_ensure_default(neighbourhood_ids=[cancale.id])
        lou = Membership.objects.get(user__email="lou@example.org")
        sam = type(lou.user).objects.get(email="sam@example.org")
        letter_code_redeem(actor=lou.user, membership=lou, code=letter_code_issue(actor=sam, membership=lou).code)
        message_post(author=lou.user, room_id=Room.objects.get(neighbourhood=cancale).id, text="Hello Cancale",
                     client_id="hello")

    db_call(first_member)
    staff = console(visit, page_server(), "sam@example.org", viewport=PHONE)
    s = staff.page
    s.select_option("#neighbourhood", str(cancale.id))
    expect(s.locator(".console-message", has_text="Hello Cancale")).to_be_visible()
    expect(s.locator(".toast.error")).to_have_count(0)
    s.click(".tab:has-text('Members')")
    expect(s.locator("#members .member", has_text="Lou")).to_be_visible()

    def second_member():
        max_ = make_membership(person("max@example.org", "Max"), cancale, street="Rue du Port", at=(48.6761, -1.8521))
        vouch_create(voucher=Membership.objects.get(user__email="lou@example.org").user, membership=max_)

    db_call(second_member)
    expect(s.locator("#members .member", has_text="Max")).to_be_visible()  # live, as for its moderators
