"""Her data in the resident app, in Chromium against real server processes and the real
worker: she asks for an archive, the worker builds it and the page shows it ready live,
its link downloads the zip; she deletes her account (a wrong password first, refused at
the field; too many, throttled) and is logged out everywhere without reconnecting, while
the lender of her loan is told and sees her messages go and her name become the neutral
label; the data page is one click away from every login."""

import base64
import io
import json
import math
import zipfile
from datetime import date, timedelta

import pytest

from tests.conftest import PASSWORD
from tests.web.conftest import DESKTOP, PHONE, db_call

pytestmark = pytest.mark.django_db(transaction=True)

ERASED_LABEL = "Ancien membre · Former member"


@pytest.fixture
def ladder(world):
    """Bruno lends his ladder to Alice (the loan is in progress); Alice (French) thanked
    him in the neighbourhood's room, where the loan's card is."""
    from backend.accounts.models import User
    from backend.chat.services import message_post
    from backend.feed import services as feed

    alice, bruno = world["Alice"], world["Bruno"]
    User.objects.filter(pk=alice.pk).update(language="fr")
    start = date.today()
    post = feed.post_create(author=bruno, kind="loan_offer", title="Ladder to lend", client_id="ladder",
                            details={"item": "A 3 m ladder", "start": start.isoformat(),
                                     "end": (start + timedelta(days=7)).isoformat()}).post
    feed.post_respond(actor=alice, post_id=post.pk)
    feed.post_responder_pick(actor=bruno, post_id=post.pk, responder_id=alice.pk)
    message_post(author=alice, room_id=world["room"].id, text="Thanks Bruno, back on Sunday", client_id="thanks")
    world["ladder"] = post
    return world


def download(page, url: str) -> dict:
    """GETs `url` from the page (her session cookie), the body as base64."""
    return page.evaluate(
        """async (url) => {
          const response = await fetch(url);
          const bytes = new Uint8Array(await response.arrayBuffer());
          let text = "";
          for (const byte of bytes) text += String.fromCharCode(byte);
          return { status: response.status, type: response.headers.get("content-type"), body: btoa(text) };
        }""",
        url,
    )


def test_she_asks_for_her_data_and_downloads_it_once_the_worker_built_it(world, page_server, visit, run_worker):
    from playwright.sync_api import expect

    from backend.privacy.models import ExportRequest

    base = page_server()
    alice = visit(base, viewport=PHONE).log_in("alice@example.org")
    a = alice.page
    a.click("a.tab[href='#/settings']")
    section = a.locator("#your-data")
    expect(section.locator("#export-state")).to_have_text("No archive asked for yet.")
    expect(section.locator("a[href='/data/']")).to_have_text("What Voisins keeps, why, for how long and who sees it")
    alice.axe("her data, no archive yet")

    a.click("#export-request")
    expect(section.locator("#export-state")).to_contain_text("Being prepared since")
    expect(a.locator(".toast").last).to_contain_text("Your archive is being prepared")
    # A second click while it is built shows the same one.
    a.click("#export-request")
    expect(a.locator(".toast").last).to_contain_text("Your archive has been in preparation since")
    assert db_call(lambda: ExportRequest.objects.filter(user=world["Alice"]).count()) == 1
    section.scroll_into_view_if_needed()
    alice.axe("her archive being prepared")
    alice.no_horizontal_overflow()
    alice.screenshot("privacy-export-building-phone")

    # The worker builds it: the page hears it live.
    run_worker()
    link = section.locator("#export-download")
    expect(link).to_contain_text("Download the archive (")
    expect(section.locator("#export-state")).to_contain_text("Available until")
    expect(a.locator(".toast").last).to_contain_text("Your data is ready: download it from Settings before")
    export = db_call(lambda: ExportRequest.objects.get(user=world["Alice"]))
    assert link.get_attribute("href") == f"/api/v1/privacy/exports/{export.pk}/archive/"

    answer = download(a, link.get_attribute("href"))
    assert (answer["status"], answer["type"]) == (200, "application/zip")
    archive = base64.b64decode(answer["body"])
    assert len(archive) == export.size
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        account = json.loads(opened.read("voisins-export/account.json"))
        assert "voisins-export/chat.json" in opened.namelist()
    assert "alice@example.org" in json.dumps(account)
    # Nobody else's session downloads it.
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    assert download(bruno.page, link.get_attribute("href"))["status"] == 404

    alice.axe("her archive ready")
    alice.screenshot("privacy-export-ready-phone")
    a.set_viewport_size(DESKTOP)
    section.scroll_into_view_if_needed()
    alice.no_horizontal_overflow()
    alice.screenshot("privacy-export-ready-desktop")


def test_she_deletes_her_account_and_the_lender_of_her_loan_is_told(ladder, page_server, visit):
    """In French for her: a wrong password refused at the field, then her password; her
    other device is told too and neither reconnects. Bruno (English) lent her a ladder."""
    from playwright.sync_api import expect

    from backend.accounts.models import User

    world = ladder
    base = page_server()
    bruno = visit(base, viewport=DESKTOP).log_in("bruno@example.org")
    b = bruno.page
    b.goto(f"{base}/#/rooms/{world['room'].id}")
    thanks = b.locator(".message", has_text="Thanks Bruno, back on Sunday")
    expect(thanks.locator(".author")).to_have_text("Alice")
    card = b.locator(f".card[data-post-id='{world['ladder'].pk}']")
    expect(card).to_contain_text("Taken by Alice")

    alice = visit(base, viewport=PHONE, locale="fr-FR").log_in("alice@example.org")
    other_device = visit(base, viewport=DESKTOP, locale="fr-FR").log_in("alice@example.org")
    sockets: list[str] = []
    other_device.page.on("websocket", lambda socket: sockets.append(socket.url))
    a = alice.page
    a.click("a.tab[href='#/settings']")
    expect(a.locator("#data-title")).to_have_text("Vos données")
    a.click("#erase-open")
    dialog = a.locator("#erase-dialog")
    expect(dialog.locator("h2")).to_have_text("Supprimer votre compte ?")
    expect(dialog).to_contain_text("C'est irréversible.")
    alice.axe("the erasure dialog, in French")
    alice.screenshot("privacy-erase-dialog-phone")

    # A wrong password: said at the field, nothing changes.
    dialog.locator("#erase-password").fill("pas-mon-mot-de-passe")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("#erase-password-error")).to_have_text("Ce n'est pas votre mot de passe.")
    expect(dialog.locator("#erase-password")).to_have_attribute("aria-invalid", "true")
    alice.axe("a wrong password")
    assert db_call(lambda: User.objects.get(pk=world["Alice"].pk).email) == "alice@example.org"
    expect(thanks.locator(".text")).to_have_text("Thanks Bruno, back on Sunday")

    dialog.locator("#erase-password").fill(PASSWORD)
    dialog.locator("button[type=submit]").click()

    # Logged out, told; the login screen comes back.
    expect(a.locator("#farewell h2")).to_have_text("Votre compte est effacé")
    expect(a.locator(".shell.anonymous #login")).to_be_visible()
    alice.axe("her account erased")
    alice.screenshot("privacy-erased-phone")
    assert a.evaluate("async () => (await fetch('/api/v1/auth/me/')).status") in (401, 403)
    # Her other device heard it on its socket (session.ended, then 4410) and stays away.
    expect(other_device.page.locator("#farewell")).to_be_visible()
    opened = len(sockets)
    other_device.page.wait_for_timeout(3000)
    assert len(sockets) == opened
    other_device.axe("her account erased, on her other device")

    # Bruno: told in a toast; her message goes, her name becomes the neutral label.
    expect(b.locator(".toast", has_text="The neighbour of your loan “A 3 m ladder” left Voisins.")).to_be_visible()
    expect(thanks).to_have_count(0)
    gone = b.locator(".message", has_text="Message deleted").last
    expect(gone.locator(".author")).to_contain_text(ERASED_LABEL)
    expect(card).to_contain_text(f"Taken by {ERASED_LABEL}")
    bruno.axe("the lender, told")
    bruno.screenshot("privacy-partner-left-desktop")


def test_too_many_wrong_passwords_are_throttled_at_the_field(world, page_server, visit):
    from playwright.sync_api import expect

    from backend.accounts.models import User

    zoe = visit(page_server(), viewport=PHONE).log_in("zoe@example.org")
    z = zoe.page
    z.click("a.tab[href='#/settings']")
    z.click("#erase-open")
    field = z.locator("#erase-password")
    for _ in range(6):
        field.fill("pas-le-bon")
        with z.expect_response(lambda response: response.url.endswith("/api/v1/auth/me/")
                               and response.request.method == "DELETE") as answer:
            z.click("#erase-dialog button[type=submit]")
        if answer.value.status == 429:
            break
    assert answer.value.status == 429
    minutes = math.ceil(answer.value.json()["retry_after"] / 60)
    expect(z.locator("#erase-password-error")).to_have_text(
        f"Too many wrong passwords: try again in {minutes} minute{'s' if minutes > 1 else ''}.")
    zoe.axe("throttled")
    assert db_call(lambda: User.objects.get(pk=world["Zoé"].pk).erased_at) is None


def test_the_data_page_is_one_click_away_from_every_login(world, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    newcomer = visit(base, viewport=PHONE).open("/")
    page = newcomer.page
    expect(page.locator("#login")).to_be_visible()
    newcomer.axe("the login with the data page's link")
    page.click("a[href='/data/']")
    expect(page.locator("h1")).to_have_text("Your data on Voisins")
    page.go_back()
    page.click("button:has-text('Create an account')")
    expect(page.locator("#signup ~ .data-link a")).to_have_attribute("href", "/data/")
    for console in ("/moderation/", "/city/"):
        newcomer.open(console)
        expect(page.locator("#login ~ .data-link a")).to_have_text("Your data: what Voisins keeps, why, and for how long")
