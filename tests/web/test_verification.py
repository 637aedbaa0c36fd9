"""Two ways in, end to end in the resident app: from her sign-up on the page to verified
by the code of a letter a moderator issued over the API; and a proof of address large
enough to take a while, with its progress shown as it uploads."""

import json
import re
import urllib.request

import pytest

from tests.conftest import INSIDE_SAINT_MALO, make_membership
from tests.web.conftest import DESKTOP, PHONE, db_call, person

pytestmark = pytest.mark.django_db(transaction=True)


def issue_letter_code(base, token, membership_id):
    """What the moderators' console does: trust_letter_code_issue, over the REST API."""
    request = urllib.request.Request(f"{base}/api/v1/trust/memberships/{membership_id}/letter-code/", method="POST",
                                     data=b"{}", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                                          "Accept-Language": "en"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201, response.status
        return json.load(response)


@pytest.fixture
def morgane(world):
    """A moderator of Saint-Malo, with a device token for the API."""
    from backend.accounts.services import token_create

    user = person("morgane@example.org", "Morgane")
    world["neighbourhood"].moderators.add(user)
    return token_create(user=user, device_name="console")[1]


def test_sign_up_apply_then_verified_by_a_letter_code(world, morgane, page_server, visit):
    from playwright.sync_api import expect

    from backend.chat.services import message_post
    from backend.trust.models import Membership

    db_call(message_post, author=world["Alice"], room_id=world["room"].id, text="Welcome to the new neighbours!", client_id="welcome")
    base = page_server()
    eva = visit(base, viewport=PHONE).open("/")
    e = eva.page
    e.click("button:has-text('Create an account')")
    e.fill("#signup input[name=display_name]", "Eva")
    e.fill("#signup input[name=email]", "eva@example.org")
    e.fill("#signup input[name=password]", "une-lettre-au-facteur-7")
    e.click("#signup button[type=submit]")
    expect(e.locator("#apply")).to_be_visible()
    e.fill("#apply input[name=number]", "4")
    e.fill("#apply input[name=street]", "Rue Porcon de la Barbinais")
    e.fill("#apply input[name=postcode]", "35400")
    e.fill("#apply input[name=city]", "Saint-Malo")
    e.fill("#apply input[name=latitude]", str(INSIDE_SAINT_MALO[0]))
    e.fill("#apply input[name=longitude]", str(INSIDE_SAINT_MALO[1]))
    expect(e.locator(".lookup")).to_have_text("Your neighbourhood: Saint-Malo")
    e.click("#apply button[type=submit]")
    expect(e.locator("#membership-status")).to_contain_text("Your application to Saint-Malo is pending")
    expect(e.locator("#route-letter + p")).to_have_text("A moderator can post a letter with a code to your address.")
    expect(e.locator("#code-form")).to_have_count(0)  # no letter yet: nothing to type
    expect(e.locator(".tab")).to_have_text(["Membership", "Settings"])  # no room before she is verified

    # A moderator issues the letter's code over the API, and posts the letter.
    membership_id = db_call(lambda: Membership.objects.get(user__email="eva@example.org").id)
    issued = issue_letter_code(base, morgane, membership_id)
    assert "4 Rue Porcon de la Barbinais" in issued["letter"] and issued["code"] in issued["letter"]

    # Days later the letter is in her mailbox: she opens the page again and types its code.
    e.reload()
    expect(e.locator("#code-form")).to_be_visible()
    expect(e.locator("#route-letter + p")).to_contain_text("A moderator sent you a letter on")
    expect(e.locator("#field-code-hint")).to_have_text("5 attempts left")
    expect(e.locator(".timeline")).to_contain_text("Letter sent")
    eva.axe("a letter to type")
    e.fill("#code-form input[name=code]", issued["code"].lower())  # as she reads it, in small letters
    e.click("#code-form button[type=submit]")
    expect(e.locator("#membership-status")).to_contain_text("You are a verified neighbour of Saint-Malo")
    expect(e.locator("#membership-status")).to_contain_text("Verified through a letter code.")
    expect(e.locator(".timeline")).to_contain_text("Letter code used")
    expect(e.locator(".tab .tab-label")).to_have_text(["Chats", "Posts", "Map", "Street", "Neighbours", "Settings"])
    e.click(".tab:has-text('Chats')")
    expect(e.locator(".room-link")).to_contain_text(["Le quartier", "Prêts"])
    e.click(".room-link:has-text('Le quartier')")
    expect(e.locator(".message .text")).to_have_text(["Welcome to the new neighbours!"])
    expect(e.locator(".tab:has-text('Chats') .badge")).to_have_count(0)  # read as she sees it
    expect(e).to_have_title("Voisins")
    e.fill(".composer textarea", "Hello, I am Eva from Rue Porcon de la Barbinais")
    e.press(".composer textarea", "Enter")
    expect(e.locator(".message:not(.pending) .text").last).to_have_text("Hello, I am Eva from Rue Porcon de la Barbinais")
    e.wait_for_timeout(1000)
    expect(e.locator(".tab:has-text('Chats') .badge")).to_have_count(0)  # her own message is not news to her
    eva.axe("verified by a letter")
    eva.screenshot("joined-by-letter-from-sign-up-phone")


@pytest.fixture
def ada(world):
    user = person("ada@example.org", "Ada")
    return make_membership(user, world["neighbourhood"], street="Rue de Toulouse")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_larger_proof_shows_its_progress_while_it_uploads(ada, page_server, visit, viewport):
    """resident/trust.js: a bar and a percentage that grow while the document goes up (the
    upload is slowed down in Chromium, as on a phone's connection), the button disabled;
    then the proof waits for a moderator."""
    from playwright.sync_api import expect

    tab = visit(page_server(), viewport=viewport).log_in("ada@example.org")
    p = tab.page
    expect(p.locator("#proof-form")).to_be_visible()
    document = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * (1_500_000)  # a scanned bill: 1.5 MB
    p.set_input_files("#proof-form input[type=file]", files=[{"name": "bill.pdf", "mimeType": "application/pdf", "buffer": document}])
    expect(p.locator("#proof-form .file-name")).to_have_text("bill.pdf")
    network = tab.context.new_cdp_session(p)
    network.send("Network.enable")
    network.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20, "downloadThroughput": -1,
                                                      "uploadThroughput": 300_000})  # bytes/s: about 5 s
    p.click("#proof-form button[type=submit]")
    bar = p.locator("#proof-form progress")
    expect(bar).to_be_visible()
    expect(p.locator("#proof-form button[type=submit]")).to_be_disabled()  # sent once
    percent = p.locator("#proof-form [role=status]")
    p.wait_for_function("() => { const bar = document.querySelector('#proof-form progress');"
                        " return bar && bar.value > 0.2 && bar.value < 0.8; }", timeout=15000)
    expect(percent).to_have_text(re.compile(r"^([2-7]\d) %$"))
    first = float(bar.get_attribute("value") or bar.evaluate("bar => bar.value"))
    tab.axe("a proof uploading")
    tab.screenshot(f"proof-uploading-{'phone' if viewport is PHONE else 'desktop'}")
    p.wait_for_function(f"() => {{ const bar = document.querySelector('#proof-form progress'); return !bar || bar.value > {first}; }}")
    expect(p.locator(".proofs")).to_contain_text("waiting for a moderator", timeout=20000)
    expect(bar).to_have_count(0)
    expect(p.locator(".toast", has_text="Your proof is sent: a moderator will review it.")).to_be_visible()
    network.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
