"""Organisations in the pages, in Chromium against real server processes: the console of
an organisation (`/city/`) beside the residents' app. A pothole reported with a photo and
a position, acknowledged then resolved in the console, heard by the resident's page and
her phone (the fake FCM, through the real worker); an announcement as an official card;
an area alert pinned, and the daily limit refused clearly; a consultation answered and
its aggregate read by the agent; an agent removed while her console is open; the console
refused to a resident."""

import tempfile
from pathlib import Path

import pytest

from tests.cities.conftest import make_agent, make_organisation
from tests.push.fake_fcm import FakeFcm
from tests.web.conftest import DESKTOP, PHONE, db_call, person
from tests.web.test_photos import photo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def phones():
    """The fake FCM the worker pushes to."""
    fake = FakeFcm(Path(tempfile.mkdtemp(prefix="voisins-fcm-web-")))
    yield fake
    fake.stop()


def push_env(fake) -> dict:
    return {"PUSH_BACKEND": "fcm", "PUSH_FCM_ENDPOINT": fake.url, "PUSH_DELAY_SECONDS": "0",
            "GOOGLE_APPLICATION_CREDENTIALS": str(fake.credentials)}


@pytest.fixture
def town(world):
    """Saint-Malo's town hall covers the world's Saint-Malo: Paul is its agent, Anne its
    administrator (French); neither lives there. Alice's phone is registered."""
    from backend.push.services import device_register

    city = make_organisation("Ville de Saint-Malo", neighbourhoods=[world["neighbourhood"]])
    world["city"] = city
    world["paul"] = make_agent(city, person("paul@ville-saint-malo.fr", "Paul"))
    world["anne"] = make_agent(city, person("anne@ville-saint-malo.fr", "Anne", language="fr"), role="admin")
    device_register(user=world["Alice"], token="alice-phone", platform="android", app_version="1.0")
    return world


def city_console(visit, base, email, viewport=DESKTOP, locale="en-GB"):
    tab = visit(base, viewport=viewport, locale=locale).open("/city/")
    tab.page.fill("#login input[name=email]", email)
    tab.page.fill("#login input[name=password]", "un-velo-bleu-42")
    tab.page.click("#login button[type=submit]")
    tab.page.wait_for_selector(".city-console, .city-notice")
    return tab


def _bodies_to(fake, token):
    return [message["notification"]["body"] for message in fake.sent if message["token"] == token]


def test_a_pothole_reported_with_a_photo_is_acknowledged_then_resolved_and_she_hears_each_step(
        town, page_server, visit, phones, run_worker):
    from playwright.sync_api import expect

    phones.reset()
    env = push_env(phones)
    base = page_server(**env)
    alice = visit(base, viewport=PHONE).log_in("alice@example.org")
    paul = city_console(visit, base, "paul@ville-saint-malo.fr")
    a, p = alice.page, paul.page
    expect(p.locator("#queue")).to_be_attached()
    expect(p.locator(".empty[role=status]")).to_have_text("No report matches.")
    paul.axe("an empty queue")

    # She reports a pothole: the position on the map, its category there, a photo.
    a.click("a.tab[href='#/reports']")
    expect(a.locator("#my-reports, #mine-title + .empty")).to_have_count(1)
    alice.axe("the street's reports, none yet")
    a.click("#report-problem")
    a.wait_for_selector("#report-position .map.leaflet-container")
    a.locator("#report-position .map").click()
    expect(a.locator("#report-recipient")).to_have_text("It goes to Ville de Saint-Malo.")
    a.select_option("#report-category", "roadway")
    a.fill("#report-description", "Deep pothole in front of number 12")
    a.set_input_files("#report-photos", files=[photo("pothole.jpg", (90, 90, 90))])
    expect(a.locator("#report-form .attached-photo img[src*='/thumbnail/']")).to_have_count(1)
    a.check("#report-show-name")
    alice.axe("the report form, filled")
    alice.no_horizontal_overflow()
    alice.screenshot("city-report-form-phone")
    a.click("#report-form button[type=submit]")
    mine = a.locator("#my-reports .civic-report")
    expect(mine).to_have_count(1)
    expect(mine.locator(".report-status")).to_have_text("Received")
    expect(mine.locator(".photos img")).to_have_count(1)

    # The agent sees it arrive in the queue, live, with her name (she agreed).
    item = p.locator("#queue .queue-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Deep pothole in front of number 12")
    expect(item).to_contain_text("Alice")
    paul.axe("the queue with a report")
    paul.screenshot("city-queue-desktop")
    item.locator(".report-link").click()
    expect(p.locator("#report-status")).to_have_text("Received")
    expect(p.locator(".report-detail .photos img")).to_have_count(1)
    p.fill("#note-text", "Crew B passes on Thursday")
    p.click("#note-form button[type=submit]")
    expect(p.locator(".notes li")).to_contain_text("Crew B passes on Thursday")

    # Acknowledged: her page hears it, then her phone.
    p.get_by_role("button", name="Acknowledge").click()
    expect(p.locator("#report-status")).to_have_text("Acknowledged")
    expect(mine.locator(".report-status")).to_have_text("Acknowledged")
    expect(a.locator(".toast").last).to_contain_text("“Deep pothole in front of number 12” was acknowledged.")
    run_worker(**env)
    assert _bodies_to(phones, "alice-phone") == ["“Deep pothole in front of number 12” was acknowledged."]

    # Resolved: the same, and she may reopen it.
    p.get_by_role("button", name="Mark as resolved").click()
    expect(p.locator("#report-status")).to_have_text("Resolved")
    expect(p.locator(".history li")).to_have_count(3)
    paul.axe("a resolved report")
    paul.screenshot("city-report-resolved-desktop")
    expect(mine.locator(".report-status")).to_have_text("Resolved")
    expect(a.locator(".toast").last).to_contain_text("“Deep pothole in front of number 12” is resolved.")
    expect(mine.get_by_role("button", name="Not fixed? Reopen it")).to_be_visible()
    alice.axe("her report resolved")
    alice.screenshot("city-report-resolved-phone")
    run_worker(**env)
    assert _bodies_to(phones, "alice-phone")[-1] == (
        "“Deep pothole in front of number 12” is resolved. Not fixed? Reopen it within 14 days.")


def test_an_announcement_is_an_official_card_and_its_thread_is_answered_in_french(town, dinard, page_server, visit):
    """Anne (French, the administrator) publishes with a photo to one of the town's two
    neighbourhoods; Alice (French) sees the official card live in her room, replies under
    it; Anne reads the reply and answers."""
    from playwright.sync_api import expect

    from backend.accounts.models import User
    from backend.cities.models import AnnouncementCard

    db_call(lambda: town["city"].neighbourhoods.add(dinard))
    db_call(lambda: User.objects.filter(email="alice@example.org").update(language="fr"))
    base = page_server()
    alice = visit(base, viewport=PHONE, locale="fr-FR").log_in("alice@example.org")
    anne = city_console(visit, base, "anne@ville-saint-malo.fr", viewport=PHONE, locale="fr-FR")
    a, n = alice.page, anne.page
    a.click(".room-link:has-text('Le quartier')")
    expect(a.locator("#room-title")).to_have_text("Le quartier")

    n.click("a.tab[href='#/announcements']")
    n.fill("#announcement-title", "Travaux rue de Dinan")
    n.fill("#announcement-text", "La rue est fermée lundi de 8 h à 17 h.")
    n.set_input_files("#announcement-photos", files=[photo("travaux.jpg", (200, 120, 20))])
    n.uncheck(f"#announcement-n{dinard.pk}")
    expect(n.locator("#announcement-form .attached-photo img[src*='/thumbnail/']")).to_have_count(1)
    anne.axe("un communiqué prêt")
    anne.no_horizontal_overflow()
    n.click("#announcement-form button[type=submit]")
    expect(n.locator("#announcements .announcement-item")).to_contain_text("Travaux rue de Dinan")
    expect(n.locator(".toast")).to_contain_text("Publié")
    assert db_call(lambda: list(AnnouncementCard.objects.values_list("neighbourhood__name", flat=True))) == ["Saint-Malo"]

    card = a.locator(".card.official")
    expect(card).to_have_count(1)
    expect(card.locator(".official-badge")).to_have_text("Communiqué · Officiel")
    expect(card).to_contain_text("Publié par Ville de Saint-Malo")
    expect(card.locator(".photos img")).to_have_count(1)
    expect(a.locator(".message.official .author")).to_have_text("Ville de Saint-Malo · Officiel")
    alice.axe("un communiqué officiel dans le salon")
    alice.screenshot("city-announcement-card-phone")

    # She replies under it; the organisation reads the thread and answers.
    a.locator(".message.official .more").click()
    a.get_by_role("button", name="Répondre").click()
    a.fill(".composer textarea", "Et le marché de lundi ?")
    a.press(".composer textarea", "Enter")
    expect(a.locator(".message:has-text('Et le marché de lundi ?')")).to_have_count(1)
    n.get_by_role("button", name="Réponses et réactions").click()
    reply = n.locator(".replies li:has-text('Et le marché de lundi ?')")
    expect(reply).to_contain_text("Alice")
    reply.get_by_label("Répondre à Alice").fill("Il est déplacé place Chateaubriand.")
    reply.get_by_role("button", name="Répondre").click()
    expect(n.locator(".replies li.official-reply")).to_contain_text("Il est déplacé place Chateaubriand.")
    anne.axe("le fil d’un communiqué")
    anne.screenshot("city-announcement-thread-phone")
    answer = a.locator(".message.official:has-text('Il est déplacé place Chateaubriand.')")
    expect(answer).to_have_count(1)
    expect(answer.locator(".quote")).to_contain_text("Et le marché de lundi ?")
    alice.axe("la réponse de la mairie")

    # Above the neighbours' posts too, official.
    a.click("a.tab[href='#/feed']")
    strip = a.locator(".announcements-strip")
    expect(strip.locator("h2")).to_have_text("De votre commune")
    expect(strip.locator(".card.official")).to_contain_text("Travaux rue de Dinan")
    alice.axe("les communiqués au-dessus des annonces")


def test_an_area_alert_is_pinned_and_the_daily_limit_is_refused_clearly(town, page_server, visit):
    from playwright.sync_api import expect

    from backend.cities.models import Organisation

    db_call(lambda: Organisation.objects.filter(pk=town["city"].pk).update(alerts_per_day=1))
    base = page_server()
    alice = visit(base, viewport=PHONE).log_in("alice@example.org")
    paul = city_console(visit, base, "paul@ville-saint-malo.fr", viewport=PHONE)
    a, p = alice.page, paul.page
    p.click("a.tab[href='#/alerts']")
    expect(p.locator("#alerts-left")).to_have_text("1 alert left in the current 24 hours (limit 1).")
    paul.no_horizontal_overflow()
    p.fill("#alert-title", "Water cut")
    p.fill("#alert-text", "Rue de Toulouse, until 6 pm")
    p.select_option("#alert-duration", "3")
    paul.axe("an alert ready")
    p.click("#alert-form button[type=submit]")
    expect(p.locator("#alerts li")).to_contain_text("Water cut")
    expect(p.locator("#alerts-left")).to_have_text("0 alerts left in the current 24 hours (limit 1).")

    pinned = a.locator("#alerts .area-alert")
    expect(pinned).to_contain_text("Alert · Ville de Saint-Malo")
    expect(pinned).to_contain_text("Water cut Rue de Toulouse, until 6 pm")
    alice.axe("an alert pinned")
    alice.screenshot("city-alert-pinned-phone")
    a.reload()
    expect(a.locator("#alerts .area-alert")).to_contain_text("Water cut")  # read again after a reload
    a.click("a.tab[href='#/feed']")
    expect(a.locator("#alerts .area-alert")).to_contain_text("Water cut")  # above every screen

    # A second one the same day: refused at the form, nothing sent.
    p.fill("#alert-title", "Storm")
    p.click("#alert-form button[type=submit]")
    refusal = p.locator("#alert-form .form-error")
    expect(refusal).to_contain_text("Daily limit reached: your organisation may send 1 alert per 24 hours.")
    expect(refusal).to_contain_text("The next one can go on")
    expect(p.locator("#alert-title")).to_have_value("Storm")
    paul.axe("the daily limit refused")
    paul.screenshot("city-alert-limit-phone")
    expect(a.locator("#alerts .area-alert")).to_have_count(1)


def test_a_consultation_is_answered_and_the_agent_reads_its_aggregate(town, page_server, visit):
    from datetime import timedelta

    from django.utils import timezone
    from playwright.sync_api import expect

    from backend.cities.models import Consultation

    base = page_server()
    paul = city_console(visit, base, "paul@ville-saint-malo.fr")
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    p, a = paul.page, alice.page
    p.click("a.tab[href='#/consultations']")
    p.fill("#consultation-question", "Where should the new benches go?")
    p.fill("#consultation-choices", "Place Chateaubriand\nRue Saint-Vincent\n")
    paul.axe("a consultation ready")
    p.click("#consultation-form button[type=submit]")
    item = p.locator("#consultations .consultation-item")
    expect(item).to_contain_text("0 answers")

    card = a.locator(".card.official.kind-consultation")
    expect(card).to_contain_text("Where should the new benches go?")
    card.get_by_label("Rue Saint-Vincent").check()
    alice.axe("a consultation to answer")
    card.get_by_role("button", name="Answer").click()
    expect(card.locator(".my-answer")).to_have_text("You answered: Rue Saint-Vincent")
    expect(card).to_contain_text("The results are shown here once it closes.")

    p.get_by_role("button", name="Count the answers again").click()
    expect(item).to_contain_text("1 answer")
    expect(item.locator(".result-bars li").nth(1)).to_contain_text("Rue Saint-Vincent1")
    paul.axe("a consultation's aggregate")
    paul.screenshot("city-consultation-results-desktop")

    # Closed: she sees the results.
    db_call(lambda: Consultation.objects.update(closes_at=timezone.now() - timedelta(minutes=1)))
    a.reload()
    card = a.locator(".card.official.kind-consultation")
    expect(card.locator(".result-bars li")).to_have_count(2)
    expect(card).to_contain_text("1 answer")
    alice.axe("a consultation's results")
    alice.screenshot("city-consultation-closed-desktop")


def test_a_neighbour_says_me_too_instead_of_reporting_again(town, page_server, visit):
    from playwright.sync_api import expect

    from backend.cities import services

    db_call(lambda: services.report_create(reporter=town["Alice"], client_id="r1", category="lighting",
                                           description="Street lamp out", latitude=48.6490, longitude=-2.0250))
    bruno = visit(page_server(), viewport=PHONE).log_in("bruno@example.org")
    b = bruno.page
    b.click("a.tab[href='#/reports']")
    expect(b.locator("#neighbourhood-reports .civic-report")).to_contain_text("Street lamp out")
    b.click("#report-problem")
    b.wait_for_selector("#report-position .map.leaflet-container")
    b.click("#report-form button[type=submit]")  # nothing placed, nothing described
    expect(b.locator("#report-position .field-error")).to_have_text("Place the problem on the map first.")
    expect(b.locator("#report-description-error")).to_have_text("Describe the problem.")
    bruno.axe("a report refused at its fields")
    b.get_by_role("button", name="Place it at the centre of the map").click()
    b.select_option("#report-category", "lighting")
    b.fill("#report-description", "The lamp is broken")
    b.click("#report-form button[type=submit]")
    similar = b.locator("#similar")
    expect(similar).to_contain_text("Street lamp out")
    bruno.axe("nearby reports offered first")
    bruno.screenshot("city-similar-reports-phone")
    similar.get_by_role("button", name="Me too").click()
    mine = b.locator("#my-reports .civic-report")
    expect(mine).to_contain_text("Street lamp out")
    expect(mine).to_contain_text("2 neighbours have this problem")
    expect(mine.get_by_role("button", name="I no longer have this problem")).to_be_visible()
    bruno.axe("a report he supports")


def test_an_agent_removed_while_her_console_is_open_is_told_and_refused(town, page_server, visit):
    from django.utils import timezone
    from playwright.sync_api import expect

    from backend.cities.models import Agent

    base = page_server()
    anne = city_console(visit, base, "anne@ville-saint-malo.fr", viewport=DESKTOP, locale="fr-FR")
    paul = city_console(visit, base, "paul@ville-saint-malo.fr", viewport=PHONE)
    n, p = anne.page, paul.page
    expect(p.locator("#queue")).to_be_attached()

    # Her socket is told: the console says it at once.
    n.click("a.tab[href='#/agents']")
    row = n.locator("#agents li:has-text('Paul')")
    expect(row).to_contain_text("paul@ville-saint-malo.fr")
    anne.axe("les agents")
    n.fill("#agent-email", "nobody@example.org")
    n.click("#agent-form button[type=submit]")
    expect(n.locator("#agent-email-error")).not_to_be_empty()  # no such account: said at the field
    n.fill("#agent-email", "bruno@example.org")
    n.click("#agent-form button[type=submit]")
    expect(n.locator("#agents li")).to_have_count(3)
    anne.screenshot("city-agents-desktop")
    row.get_by_role("button", name="Retirer").click()
    n.locator("#remove-agent-dialog").get_by_role("button", name="Retirer").click()
    expect(n.locator("#agents li")).to_have_count(2)
    notice = p.locator(".city-notice")
    expect(notice).to_contain_text("You no longer act for this organisation")
    expect(notice).to_contain_text("An administrator of Ville de Saint-Malo removed you from its agents")
    expect(p.locator("#queue")).to_have_count(0)
    paul.axe("removed while the console was open")
    paul.screenshot("city-agent-removed-phone")

    # Removed without her socket hearing it (another process, say): her next action is refused.
    db_call(lambda: Agent.objects.filter(user__email="anne@ville-saint-malo.fr").update(removed_at=timezone.now()))
    n.click("a.tab[href='#/reports']")
    n.select_option("#filter-status", "")
    expect(n.locator(".city-notice")).to_contain_text("Vous n'agissez plus pour cette organisation")
    anne.axe("retirée, à sa prochaine action")


def test_the_console_is_refused_to_a_resident(town, page_server, visit):
    from playwright.sync_api import expect

    alice = city_console(visit, page_server(), "alice@example.org", viewport=PHONE)
    notice = alice.page.locator(".city-notice")
    expect(notice).to_contain_text("This console is for the agents of organisations")
    expect(alice.page.locator("#queue, .tabs")).to_have_count(0)
    alice.axe("the console refused to a resident")
    alice.no_horizontal_overflow()
    alice.screenshot("city-console-refused-phone")


def test_the_queue_is_filtered_assigned_rejected_deduplicated_reopened_and_exported(town, page_server, visit):
    from playwright.sync_api import expect

    from backend.cities import services

    def reports():
        def report(user, client_id, category, description, at):
            return services.report_create(reporter=user, client_id=client_id, category=category, description=description,
                                          latitude=at[0], longitude=at[1], ignore_similar=True).report.pk

        alice, bruno = town["Alice"], town["Bruno"]
        ids = {
            "pothole": report(alice, "r1", "roadway", "Pothole by the school", (48.6490, -2.0250)),
            "hole": report(bruno, "r2", "roadway", "Hole in the road near the school", (48.6491, -2.0251)),
            "tag": report(bruno, "r3", "graffiti", "Tag on the wall of the library", (48.6494, -2.0246)),
            "lamp": report(alice, "r4", "lighting", "The street lamp flickers", (48.6488, -2.0255)),
        }
        for status in ("acknowledged", "resolved"):
            services.report_status_set(agent=town["paul"], report_id=ids["lamp"], status=status)
        return ids

    ids = db_call(reports)
    base = page_server()
    paul = city_console(visit, base, "paul@ville-saint-malo.fr")
    p = paul.page
    queue = p.locator("#queue .queue-item")
    expect(queue).to_have_count(3)  # open ones: the resolved lamp is not
    p.select_option("#filter-category", "graffiti")
    expect(queue).to_have_count(1)
    expect(queue).to_contain_text("Tag on the wall of the library")
    expect(queue).to_contain_text("a resident of Saint-Malo")  # he did not agree to show his name
    paul.axe("the queue filtered")

    # Assigned to himself, then rejected: a reason is required.
    queue.locator(".report-link").click()
    p.select_option("#assignee", label="Paul")
    expect(p.locator("#assignee option:checked")).to_have_text("Paul")
    p.get_by_role("button", name="Reject").click()
    dialog = p.locator("#status-dialog")
    dialog.get_by_role("button", name="Reject").click()
    expect(dialog.locator("#status-reason-error")).to_have_text("Say why: the residents who follow it read the reason.")
    paul.axe("a rejection without its reason")
    p.fill("#status-reason", "A private wall: we told its owner")
    dialog.get_by_role("button", name="Reject").click()
    expect(p.locator("#report-status")).to_have_text("Rejected")
    expect(p.locator(".report-detail")).to_contain_text("Reason given: A private wall: we told its owner")

    # A duplicate of the first pothole.
    p.click(".back-link")
    p.select_option("#filter-category", "")
    p.locator(f"#queue-{ids['hole']} .report-link").click()
    p.get_by_role("button", name="Mark as a duplicate").click()
    p.select_option("#duplicate-of", str(ids["pothole"]))
    p.fill("#status-reason", "Same hole as the one by the school")
    paul.axe("a duplicate with its original")
    p.locator("#status-dialog").get_by_role("button", name="Mark as a duplicate").click()
    expect(p.locator("#report-status")).to_have_text("Duplicate")
    expect(p.locator(".report-detail")).to_contain_text(f"Duplicate of report {ids['pothole']}")
    p.click(".back-link")
    expect(queue).to_have_count(1)  # only the pothole is still open

    # The lamp's reporter says it is not fixed: it comes back to the queue, live.
    alice = visit(base, viewport=PHONE).log_in("alice@example.org")
    a = alice.page
    a.click("a.tab[href='#/reports']")
    lamp = a.locator(f"#civic-report-{ids['lamp']}")
    lamp.get_by_role("button", name="Not fixed? Reopen it").click()
    a.locator("#reopen-dialog button[type=submit]").click()
    expect(a.locator("#reopen-reason-error")).to_have_text("Say what is still wrong.")
    a.fill("#reopen-reason", "It still flickers every night")
    alice.axe("reopening a report")
    a.locator("#reopen-dialog button[type=submit]").click()
    expect(lamp.locator(".report-status")).to_have_text("Received")
    alice.screenshot("city-street-phone")
    expect(queue).to_have_count(2)
    expect(p.locator(f"#queue-{ids['lamp']}")).to_contain_text("The street lamp flickers")

    # The figures, and the open data.
    p.click("a.tab[href='#/figures']")
    expect(p.locator("#figures-by-category tbody tr")).to_have_count(3)
    paul.axe("the figures")
    paul.screenshot("city-figures-desktop")
    with p.expect_download() as download:
        p.click("#export")
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "id,created_at,neighbourhood,category,status,latitude,longitude,supporters,acknowledged_at,resolved_at"
    assert len(lines) == 5 and not any("school" in line for line in lines)

    # A link to a report that is not its own says so.
    p.goto(f"{base}/city/#/reports/999999")
    expect(p.locator("main .form-error")).to_have_text("No such report.")
    paul.axe("a report that is not its own")
