"""Joining Voisins in the resident app: sign up, apply with an address (the
neighbourhood found as she types its position), then verified by a neighbour's vouch, by
the code of a letter, or by a proof of address; the page follows each decision live."""

import pytest

from tests.conftest import INSIDE_SAINT_MALO, NOWHERE, make_membership
from tests.web.conftest import DESKTOP, PHONE, db_call, person

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_apply_and_get_verified_by_a_neighbour_s_vouch(world, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    dan = visit(base, viewport=PHONE).open("/")
    d = dan.page
    d.click("button:has-text('Create an account')")
    dan.axe("the sign-up form")
    d.fill("#signup input[name=display_name]", "Dan")
    d.fill("#signup input[name=email]", "dan@example.org")
    d.fill("#signup input[name=password]", "123")
    d.click("#signup button[type=submit]")
    expect(d.locator("#field-password-error")).to_be_visible()  # the password rules, at the field
    d.fill("#signup input[name=password]", "une-pie-qui-boit-9")
    d.click("#signup button[type=submit]")

    expect(d.locator("#apply")).to_be_visible()
    dan.axe("the application form")
    d.fill("#apply input[name=number]", "9")
    d.fill("#apply input[name=street]", "Rue de la Pie qui Boit")
    d.fill("#apply input[name=postcode]", "35400")
    d.fill("#apply input[name=city]", "Saint-Malo")
    d.fill("#apply input[name=latitude]", str(NOWHERE[0]))
    d.fill("#apply input[name=longitude]", str(NOWHERE[1]))
    expect(d.locator(".lookup")).to_have_text("No Voisins neighbourhood covers this address yet.")
    d.fill("#apply input[name=latitude]", str(INSIDE_SAINT_MALO[0]))
    d.fill("#apply input[name=longitude]", str(INSIDE_SAINT_MALO[1]))
    expect(d.locator(".lookup")).to_have_text("Your neighbourhood: Saint-Malo")
    d.click("#apply button[type=submit]")
    expect(d.locator("#membership-status")).to_contain_text("Your application to Saint-Malo is pending")
    expect(d.locator(".timeline")).to_contain_text("Application sent")
    dan.axe("a pending application")

    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    a = alice.page
    a.click(".tab:has-text('Neighbours')")
    applicant = a.locator(".applicants li:has-text('Dan')")
    expect(applicant).to_contain_text("Rue de la Pie qui Boit")
    expect(applicant).not_to_contain_text("35400")  # neighbours see the street, never the number or postcode
    alice.axe("the applicants")
    applicant.locator("button:has-text('Vouch for Dan')").click()
    expect(a.locator("#confirm-dialog")).to_contain_text("Vouch only for someone you know lives in Rue de la Pie qui Boit")
    a.click("#confirm-dialog button:has-text('I vouch')")
    expect(a.locator(".toast", has_text="Dan is now a verified neighbour.")).to_be_visible()
    expect(a.locator(".applicants li:has-text('Dan')")).to_have_count(0)

    # Dan's page follows the decision live: told why, then the rooms open.
    expect(d.locator(".toast", has_text="Welcome, neighbour!")).to_contain_text("its rooms are open to you")
    expect(d.locator("#membership-status")).to_contain_text("You are a verified neighbour of Saint-Malo")
    expect(d.locator("#membership-status")).to_contain_text("Verified through a neighbour's vouch.")
    d.click(".tab:has-text('Chats')")
    expect(d.locator(".room-link")).to_contain_text(["Le quartier", "Prêts"])
    dan.axe("verified")
    dan.screenshot("joined-by-vouch-phone")
    alice.screenshot("vouching-desktop")


@pytest.fixture
def letter(world, moderator):
    from backend.trust.services import letter_code_issue

    ada = person("ada@example.org", "Ada")
    membership = make_membership(ada, world["neighbourhood"], street="Rue de Toulouse")
    return letter_code_issue(actor=moderator, membership=membership).code


def test_verified_by_the_code_of_a_letter(letter, page_server, visit):
    from playwright.sync_api import expect

    ada = visit(page_server(), viewport=PHONE).log_in("ada@example.org")
    p = ada.page
    expect(p.locator("#code-form")).to_be_visible()
    expect(p.locator("#field-code-hint")).to_have_text("5 attempts left")
    p.fill("#code-form input[name=code]", "WRONG-CODE")
    p.click("#code-form button[type=submit]")
    expect(p.locator("#field-code-error")).to_have_text("Wrong code; 4 attempt(s) left.")
    expect(p.locator("#field-code-hint")).to_have_text("4 attempts left")
    ada.axe("a wrong letter code")
    p.fill("#code-form input[name=code]", letter)
    p.click("#code-form button[type=submit]")
    expect(p.locator("#membership-status")).to_contain_text("You are a verified neighbour of Saint-Malo")
    expect(p.locator("#membership-status")).to_contain_text("Verified through a letter code.")
    p.click(".tab:has-text('Chats')")
    expect(p.locator(".room-link")).to_contain_text(["Le quartier", "Prêts"])
    ada.screenshot("joined-by-letter-phone")


@pytest.fixture
def applicant_ada(world, moderator):
    ada = person("ada@example.org", "Ada")
    return make_membership(ada, world["neighbourhood"], street="Rue de Toulouse")


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def test_a_proof_of_address_is_uploaded_then_approved(applicant_ada, moderator, page_server, visit, tmp_path):
    from playwright.sync_api import expect

    from backend.trust.models import ProofOfAddress
    from backend.trust.services import proof_review

    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a document")
    right = tmp_path / "bill.png"
    right.write_bytes(PNG)
    ada = visit(page_server(), viewport=PHONE).log_in("ada@example.org")
    p = ada.page
    p.set_input_files("#proof-form input[type=file]", str(wrong))
    p.click("#proof-form button[type=submit]")
    expect(p.locator("#field-file-error")).to_have_text("The document must be a PDF, JPEG or PNG file.")
    ada.axe("a refused document")
    p.set_input_files("#proof-form input[type=file]", str(right))
    p.click("#proof-form button[type=submit]")
    expect(p.locator(".proofs")).to_contain_text("waiting for a moderator")
    expect(p.locator("#proof-form")).to_have_count(0)  # one proof at a time

    proof = db_call(lambda: ProofOfAddress.objects.get())
    db_call(proof_review, actor=moderator, proof=proof, approve=True)
    expect(p.locator("#membership-status")).to_contain_text("You are a verified neighbour of Saint-Malo")
    expect(p.locator(".timeline")).to_contain_text("Proof approved")
    ada.axe("approved")
    ada.screenshot("joined-by-proof-phone")


@pytest.fixture
def eve(world):
    return person("eve@example.org", "Eve")


def test_the_position_is_picked_on_a_map_when_tiles_are_configured(eve, page_server, visit):
    from playwright.sync_api import expect

    from backend.trust.models import Membership

    # Tiles of this very server (any image will do): the Content-Security-Policy allows them.
    base = page_server(MAP_TILES_URL="/static/web/icon.svg?z={z}&x={x}&y={y}")
    tab = visit(base, viewport=PHONE).log_in("eve@example.org")
    p = tab.page
    p.fill("#apply input[name=number]", "3")
    p.fill("#apply input[name=street]", "Rue Jacques Cartier")
    p.fill("#apply input[name=postcode]", "35400")
    p.fill("#apply input[name=city]", "Saint-Malo")
    p.fill("#apply input[name=latitude]", "48.6495")
    p.fill("#apply input[name=longitude]", "-2.0255")
    p.click("button:has-text('Pick it on a map')")
    expect(p.locator(".map.picker img.leaflet-tile").first).to_be_visible()
    picker = p.locator(".map.picker")
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] / 2 + 20, "y": box["height"] / 2})
    expect(p.locator(".lookup")).to_have_text("Your neighbourhood: Saint-Malo")
    latitude = float(p.input_value("#apply input[name=latitude]"))
    longitude = float(p.input_value("#apply input[name=longitude]"))
    assert abs(latitude - 48.6495) < 0.0005 and longitude > -2.0255  # east of the centre, where she clicked
    tab.axe("the map picker")
    tab.screenshot("apply-map-picker-phone")
    p.click("#apply button[type=submit]")
    expect(p.locator("#membership-status")).to_contain_text("pending")
    stored = db_call(lambda: Membership.objects.values_list("latitude", "longitude").get(user__email="eve@example.org"))
    assert stored == (latitude, longitude)
