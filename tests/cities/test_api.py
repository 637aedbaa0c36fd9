"""The REST of cities: the organisations' console and the residents' side, who may call
what, and bad input (each refusal a clear code, nothing changed)."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import resolve
from django.utils import timezone

from backend.chat.models import Message
from backend.cities import services
from backend.cities.models import (
    Agent, Announcement, AreaAlert, CivicReport, Consultation, ConsultationAnswer, ReportCategory, ReportChange,
    ReportNote, ReportSupport,
)
from tests.cities.conftest import IN_RESIDENCE, NEAR_POTHOLE, POTHOLE, image_of
from tests.conftest import INSIDE_DINARD, NOWHERE, make_user

pytestmark = pytest.mark.django_db

API = "/api/v1/cities"


def org_url(organisation, rest=""):
    return f"{API}/organisations/{organisation.pk}/{rest}"


def report_body(**fields):
    body = {"client_id": "r1", "category": "roadway", "description": "Nid-de-poule devant l'école",
            "latitude": POTHOLE[0], "longitude": POTHOLE[1]}
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def state():
    """What a refusal must leave as it was."""
    return (
        list(CivicReport.objects.values_list("pk", "status", "assignee_id", "organisation_id").order_by("pk")),
        ReportChange.objects.count(), ReportNote.objects.count(), ReportSupport.objects.count(),
        Announcement.objects.count(), AreaAlert.objects.count(), Consultation.objects.count(),
        ConsultationAnswer.objects.count(), Message.objects.count(), ReportCategory.objects.count(),
        list(Agent.objects.values_list("pk", "role", "removed_at").order_by("pk")),
    )


# The console


def test_an_agent_sees_her_organisation(client_for, city, agent, saint_malo, housing):
    assert client_for(agent.user).get(f"{API}/organisations/").json()[0]["name"] == "Ville de Saint-Malo"
    body = client_for(agent.user).get(org_url(city)).json()
    assert body["role"] == "agent" and body["verified"] and body["alerts_left"] == 3
    assert body["neighbourhoods"] == [{"id": saint_malo.pk, "name": "Saint-Malo"}]
    assert client_for(make_user("nobody@example.org")).get(f"{API}/organisations/").json() == []


def test_the_administrator_manages_agents(client_for, city, admin, agent):
    client = client_for(admin.user)
    colleague = make_user("lea@ville-saint-malo.fr", name="Léa")
    added = client.post(org_url(city, "agents/"), {"email": "LEA@ville-saint-malo.fr", "role": "agent"}, format="json")
    assert added.status_code == 201 and added.json()["display_name"] == "Léa"
    assert client.post(org_url(city, "agents/"), {"email": colleague.email, "role": "agent"},
                       format="json").json()["code"] == "already_agent"
    assert client.post(org_url(city, "agents/"), {"email": "ghost@example.org", "role": "agent"},
                       format="json").json()["code"] == "no_account"
    agent_id = added.json()["id"]
    assert client.patch(org_url(city, f"agents/{agent_id}/"), {"role": "admin"}, format="json").json()["role"] == "admin"
    assert client.delete(org_url(city, f"agents/{agent_id}/")).status_code == 204
    assert [a["display_name"] for a in client.get(org_url(city, "agents/")).json()] == ["Anne", "Paul"]
    # An agent who is not an administrator manages nobody.
    refused = client_for(agent.user).post(org_url(city, "agents/"), {"email": colleague.email, "role": "admin"},
                                          format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_organisation_admin")


def test_an_agent_lists_her_colleagues_to_assign_reports_to(client_for, city, admin, agent, other_agent, report_of, member):
    listed = client_for(agent.user).get(org_url(city, "agents/"))
    assert listed.status_code == 200
    colleagues = {a["display_name"]: a["id"] for a in listed.json()}
    assert set(colleagues) == {"Anne", "Paul"}  # not Dinard's Bea
    assert {a["email"] for a in listed.json()} == {None}  # their addresses are for administrators
    assert None not in {a["email"] for a in client_for(admin.user).get(org_url(city, "agents/")).json()}
    report = report_of(member)
    assigned = client_for(agent.user).post(org_url(city, f"reports/{report.pk}/assignee/"),
                                           {"agent_id": colleagues["Anne"]}, format="json")
    assert assigned.json()["assignee"] == {"agent_id": colleagues["Anne"], "display_name": "Anne"}


# Who may call the console: every route, with a resident's token, another
# organisation's agent's, and (for the administrators' routes) a mere agent's.

CONSOLE = {
    "cities-organisation": ("get", "", None),
    "cities-agents": ("get", "agents/", None),
    "cities-agents-add": ("post", "agents/", lambda w: {"email": "x@example.org", "role": "agent"}),
    "cities-agent": ("patch", "agents/{agent}/", lambda w: {"role": "admin"}),
    "cities-agent-remove": ("delete", "agents/{agent}/", None),
    "cities-categories": ("post", "categories/", lambda w: {"name": "Tags"}),
    "cities-organisation-announcements": ("get", "announcements/", None),
    "cities-announcement-publish": ("post", "announcements/", lambda w: {"client_id": "a", "title": "Travaux"}),
    "cities-announcement-thread": ("get", "announcements/{announcement}/thread/", None),
    "cities-announcement-reply": ("post", "announcements/{announcement}/replies/",
                                  lambda w: {"client_id": "r", "reply_to": w["card"], "text": "Oui"}),
    "cities-organisation-alerts": ("get", "alerts/", None),
    "cities-alert-publish": ("post", "alerts/", lambda w: {"client_id": "al", "title": "Tempête",
                                                           "expires_at": (timezone.now() + timedelta(hours=3)).isoformat()}),
    "cities-organisation-consultations": ("get", "consultations/", None),
    "cities-consultation-create": ("post", "consultations/", lambda w: {
        "client_id": "c", "question": "Oui ?", "answer_kind": "free",
        "closes_at": (timezone.now() + timedelta(days=3)).isoformat()}),
    "cities-organisation-consultation": ("get", "consultations/{consultation}/", None),
    "cities-queue": ("get", "reports/", None),
    "cities-figures": ("get", "reports/figures/", None),
    "cities-export": ("get", "reports/export/", None),
    "cities-queue-report": ("get", "reports/{report}/", None),
    "cities-report-status": ("post", "reports/{report}/status/", lambda w: {"status": "acknowledged"}),
    "cities-report-assign": ("post", "reports/{report}/assignee/", lambda w: {"agent_id": w["agent"]}),
    "cities-report-note": ("post", "reports/{report}/notes/", lambda w: {"text": "Note"}),
}
ADMIN_ONLY = {"cities-agents-add", "cities-agent", "cities-agent-remove", "cities-categories"}


@pytest.fixture
def console_world(city, admin, agent, member, report_of):
    announcement = services.announcement_publish(agent=agent, client_id="a0", title="Fête du quartier").item
    consultation = services.consultation_create(agent=agent, client_id="c0", question="Des bancs ?", answer_kind="free",
                                                closes_at=timezone.now() + timedelta(days=3)).item
    return {"agent": agent.pk, "announcement": announcement.pk, "consultation": consultation.pk,
            "card": announcement.cards.get().message_id, "report": report_of(member).pk}


def _console_call(client, organisation, name, world):
    method, path, body = CONSOLE[name]
    return getattr(client, method)(org_url(organisation, path.format(**world)), body(world) if body else None,
                                   format="json")


def test_the_console_matrix_covers_every_organisation_route(console_world, city):
    from backend.cities import urls

    covered = {resolve(org_url(city, path.format(**console_world))).url_name for _, path, _ in CONSOLE.values()}
    assert {p.name for p in urls.urlpatterns if str(p.pattern).startswith("organisations/<")} == covered


@pytest.mark.parametrize("name", sorted(CONSOLE))
@pytest.mark.parametrize("who, code", [("resident", "not_agent"), ("other_agent", "not_agent"),
                                       ("anonymous", "not_authenticated")])
def test_nobody_but_its_agents_calls_the_console(console_world, client_for, city, member, other_agent, name, who, code):
    user = {"resident": member, "other_agent": other_agent.user, "anonymous": None}[who]
    before = state()
    response = _console_call(client_for(user), city, name, console_world)
    assert response.json()["code"] == code and response.status_code in (401, 403)
    assert state() == before


@pytest.mark.parametrize("name", sorted(ADMIN_ONLY))
def test_only_administrators_manage_agents_and_categories(console_world, client_for, city, agent, name):
    before = state()
    response = _console_call(client_for(agent.user), city, name, console_world)
    assert (response.status_code, response.json()["code"]) == (403, "not_organisation_admin")
    assert state() == before


@pytest.mark.parametrize("name", sorted(set(CONSOLE) - ADMIN_ONLY))
def test_its_agents_call_the_console(console_world, client_for, city, agent, name):
    response = _console_call(client_for(agent.user), city, name, console_world)
    assert response.status_code in (200, 201), response.content[:300]


def test_an_agent_of_a_publishes_nothing_to_b_s_area_and_handles_none_of_b_s_reports(
    client_for, city, other_city, agent, other_agent, dinard, outsider, report_of
):
    dinard_report = report_of(outsider, at=INSIDE_DINARD)
    client = client_for(agent.user)
    before = state()
    for path, body in (
        ("announcements/", {"client_id": "a", "title": "Chez Dinard", "neighbourhood_ids": [dinard.pk]}),
        ("alerts/", {"client_id": "al", "title": "Tempête", "neighbourhood_ids": [dinard.pk],
                     "expires_at": (timezone.now() + timedelta(hours=3)).isoformat()}),
        ("consultations/", {"client_id": "c", "question": "Oui ?", "answer_kind": "free",
                            "neighbourhood_ids": [dinard.pk], "closes_at": (timezone.now() + timedelta(days=3)).isoformat()}),
    ):
        response = client.post(org_url(city, path), body, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "outside_organisation_area")
    for method, path, body in (
        ("get", f"reports/{dinard_report.pk}/", None),
        ("post", f"reports/{dinard_report.pk}/status/", {"status": "acknowledged"}),
        ("post", f"reports/{dinard_report.pk}/assignee/", {"agent_id": agent.pk}),
        ("post", f"reports/{dinard_report.pk}/notes/", {"text": "À nous"}),
    ):
        response = getattr(client, method)(org_url(city, path), body, format="json")
        assert (response.status_code, response.json()["code"]) == (404, "city_report_not_found")
    assert [r["id"] for r in client_for(other_agent.user).get(org_url(other_city, "reports/")).json()] == [
        dinard_report.pk]
    assert client.get(org_url(city, "reports/")).json() == []
    assert state() == before


# Announcements and alerts


def test_announcements_reach_residents_with_their_photos(client_for, city, agent, member, saint_malo):
    photo = image_of(agent.user)
    body = {"client_id": "a1", "title": "Marché de Noël", "text": "Place Chateaubriand", "image_ids": [photo.pk]}
    published = client_for(agent.user).post(org_url(city, "announcements/"), body, format="json")
    assert published.status_code == 201
    assert client_for(agent.user).post(org_url(city, "announcements/"), body, format="json").status_code == 200
    (card,) = published.json()["cards"]
    assert card["neighbourhood_id"] == saint_malo.pk and card["room_id"] and card["message_id"]
    (seen,) = client_for(member).get(f"{API}/announcements/").json()
    assert (seen["title"], seen["organisation"]["name"], len(seen["images"])) == ("Marché de Noël", "Ville de Saint-Malo", 1)
    # The photo is readable by residents through its link, and by the organisation's agents.
    assert client_for(member).get(seen["images"][0]["url"]).status_code == 200
    assert client_for(agent.user).get(seen["images"][0]["url"]).status_code == 200
    history = client_for(member).get(f"/api/v1/chat/rooms/{card['room_id']}/messages/").json()["messages"]
    assert history[0]["card"]["kind"] == "announcement" and history[0]["author"]["display_name"] == "Ville de Saint-Malo"


def test_the_thread_and_the_organisation_s_answer(client_for, city, agent, member, saint_malo):
    published = client_for(agent.user).post(org_url(city, "announcements/"), {"client_id": "a1", "title": "Travaux"},
                                            format="json").json()
    card = published["cards"][0]
    from backend.chat.services import message_post  # residents reply in the room, as to any message

    asked = message_post(author=member, room_id=card["room_id"], text="Combien de temps ?", client_id="q",
                         reply_to_id=card["message_id"])
    reply = client_for(agent.user).post(org_url(city, f"announcements/{published['id']}/replies/"),
                                        {"client_id": "r1", "reply_to": asked.message_id, "text": "Une semaine."},
                                        format="json")
    assert reply.status_code == 201
    (thread,) = client_for(agent.user).get(org_url(city, f"announcements/{published['id']}/thread/")).json()
    assert [(r["author"], r["text"]) for r in thread["replies"]] == [("Marc", "Combien de temps ?"),
                                                                     ("Ville de Saint-Malo", "Une semaine.")]
    blank = client_for(agent.user).post(org_url(city, f"announcements/{published['id']}/replies/"),
                                        {"client_id": "r2", "reply_to": asked.message_id, "text": " "}, format="json")
    assert blank.json()["code"] in ("validation_failed", "text_blank")


def test_an_alert_beyond_the_daily_limit(client_for, city, agent, member):
    city.alerts_per_day = 1
    city.save()
    expires = (timezone.now() + timedelta(hours=3)).isoformat()
    client = client_for(agent.user)
    assert client.post(org_url(city, "alerts/"), {"client_id": "al1", "title": "Coupure d'eau", "expires_at": expires},
                       format="json").status_code == 201
    before = state()
    refused = client.post(org_url(city, "alerts/"), {"client_id": "al2", "title": "Tempête", "expires_at": expires},
                          format="json")
    assert (refused.status_code, refused.json()["code"], refused.json()["limit"]) == (429, "alert_limit_reached", 1)
    assert int(refused.headers["Retry-After"]) > 0
    assert state() == before
    assert [a["title"] for a in client_for(member).get(f"{API}/alerts/").json()] == ["Coupure d'eau"]
    assert client.get(org_url(city)).json()["alerts_left"] == 0


def test_an_alert_without_expiry_or_too_long(client_for, city, agent):
    client = client_for(agent.user)
    missing = client.post(org_url(city, "alerts/"), {"client_id": "al", "title": "Tempête"}, format="json")
    assert missing.json()["code"] == "validation_failed" and "expires_at" in missing.json()["fields"]
    too_long = client.post(org_url(city, "alerts/"), {"client_id": "al", "title": "Tempête",
                                                      "expires_at": (timezone.now() + timedelta(days=4)).isoformat()},
                           format="json")
    assert (too_long.status_code, too_long.json()["code"]) == (422, "alert_too_long")
    assert not AreaAlert.objects.exists()


# Consultations


def test_a_consultation_from_question_to_results(client_for, city, agent, member, nina):
    created = client_for(agent.user).post(org_url(city, "consultations/"), {
        "client_id": "c1", "question": "Que faire du terrain vague ?", "answer_kind": "free",
        "closes_at": (timezone.now() + timedelta(days=3)).isoformat()}, format="json")
    assert created.status_code == 201
    consultation_id = created.json()["id"]
    url = f"{API}/consultations/{consultation_id}/"
    answered = client_for(member).post(url + "answer/", {"text": "Un jardin partagé"}, format="json")
    assert answered.status_code == 201 and answered.json()["my_answer"]["text"] == "Un jardin partagé"
    assert answered.json()["results"] is None  # residents see results once closed
    client_for(nina).post(url + "answer/", {"text": "Des jeux pour enfants"}, format="json")
    before = state()
    again = client_for(member).post(url + "answer/", {"text": "Autre chose"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_answered")
    wrong = client_for(make_user("x@example.org")).post(url + "answer/", {"text": "?"}, format="json")
    assert wrong.json()["code"] == "consultation_not_found"
    assert state() == before
    seen = client_for(agent.user).get(org_url(city, f"consultations/{consultation_id}/")).json()
    assert seen["results"] == {"answers": 2, "choices": [],
                               "free_answers": ["Des jeux pour enfants", "Un jardin partagé"]}
    Consultation.objects.filter(pk=consultation_id).update(closes_at=timezone.now() - timedelta(seconds=1))
    late = client_for(nina).post(url + "answer/", {"text": "Trop tard"}, format="json")
    assert (late.status_code, late.json()["code"]) in ((409, "already_answered"), (409, "consultation_closed"))
    closed = client_for(member).get(url).json()
    assert closed["closed"] and closed["results"] == {"answers": 2, "choices": [], "free_answers": None}


def test_an_answer_after_the_deadline(client_for, city, agent, member):
    consultation = services.consultation_create(agent=agent, client_id="c", question="Des bancs ?",
                                                answer_kind="choices", choices=["Oui", "Non"],
                                                closes_at=timezone.now() + timedelta(days=1)).item
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    response = client_for(member).post(f"{API}/consultations/{consultation.pk}/answer/", {"choice": 0}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "consultation_closed")
    assert not ConsultationAnswer.objects.exists()
    bad = services.consultation_create(agent=agent, client_id="c2", question="Encore ?", answer_kind="choices",
                                       choices=["Oui", "Non"], closes_at=timezone.now() + timedelta(days=1)).item
    response = client_for(member).post(f"{API}/consultations/{bad.pk}/answer/", {"choice": 5}, format="json")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_answer")


# Civic reports: residents


def test_a_resident_reports_and_follows(client_for, city, member):
    categories = client_for(member).get(f"{API}/report-categories/?latitude={POTHOLE[0]}&longitude={POTHOLE[1]}").json()
    assert categories["organisation"]["name"] == "Ville de Saint-Malo"
    assert [c["key"] for c in categories["categories"]][:2] == ["roadway", "lighting"]
    created = client_for(member).post(f"{API}/reports/", report_body(), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["organisation"]["id"] == city.pk and body["notice"] is None and body["mine"]
    assert body["category"] == {"key": "roadway", "name": {"en": "Roadway", "fr": "Voirie"}}
    assert client_for(member).post(f"{API}/reports/", report_body(), format="json").status_code == 200  # resent
    assert [r["id"] for r in client_for(member).get(f"{API}/reports/mine/").json()] == [body["id"]]
    assert client_for(member).get(f"{API}/reports/{body['id']}/").json()["history"][0]["by"] == "reporter"


def test_with_no_organisation_the_report_is_kept_and_she_is_told(client_for, saint_malo, member):
    created = client_for(member).post(f"{API}/reports/", report_body(), format="json")
    assert created.status_code == 201
    assert created.json()["organisation"] is None
    assert created.json()["notice"].startswith("No organisation handles reports here yet")
    assert CivicReport.objects.get().organisation is None


@pytest.mark.parametrize("fields, status, code", [
    ({"latitude": INSIDE_DINARD[0], "longitude": INSIDE_DINARD[1]}, 422, "position_outside_neighbourhood"),
    ({"latitude": NOWHERE[0], "longitude": NOWHERE[1]}, 422, "position_outside_neighbourhood"),
    ({"category": None}, 400, "validation_failed"),
    ({"category": "potholes"}, 422, "unknown_category"),
    ({"description": "  "}, 400, "validation_failed"),
    ({"latitude": None}, 400, "validation_failed"),
    ({"image_ids": "eleven"}, 422, "too_many_images"),
])
def test_bad_reports_are_refused_and_change_nothing(client_for, city, member, fields, status, code):
    if fields.get("image_ids") == "eleven":
        fields = {"image_ids": [image_of(member, n).pk for n in range(11)]}
    before = state()
    response = client_for(member).post(f"{API}/reports/", report_body(**fields), format="json")
    assert (response.status_code, response.json()["code"]) == (status, code), response.content
    if code == "validation_failed" and "category" in fields:
        assert response.json()["fields"]["category"][0]["code"] == "required"
    assert state() == before


def test_an_agent_or_an_applicant_does_not_report(client_for, city, agent, applicant):
    for user in (agent.user, applicant):
        response = client_for(user).post(f"{API}/reports/", report_body(), format="json")
        assert (response.status_code, response.json()["code"]) == (403, "not_member")
    assert not CivicReport.objects.exists()


def test_similar_reports_first_then_me_too(client_for, city, member, nina):
    first = client_for(member).post(f"{API}/reports/", report_body(), format="json").json()
    similar = client_for(nina).post(f"{API}/reports/", report_body(latitude=NEAR_POTHOLE[0], longitude=NEAR_POTHOLE[1]),
                                    format="json")
    assert (similar.status_code, similar.json()["code"]) == (409, "similar_reports")
    assert [r["id"] for r in similar.json()["reports"]] == [first["id"]]
    nearby = client_for(nina).get(f"{API}/reports/nearby/?latitude={NEAR_POTHOLE[0]}&longitude={NEAR_POTHOLE[1]}"
                                  "&category=roadway").json()
    assert [r["id"] for r in nearby] == [first["id"]]
    supported = client_for(nina).post(f"{API}/reports/{first['id']}/support/")
    assert supported.json()["supporters"] == 1 and supported.json()["supported"]
    assert client_for(nina).delete(f"{API}/reports/{first['id']}/support/").json()["supporters"] == 0
    listed = client_for(nina).get(f"{API}/reports/").json()
    assert [r["id"] for r in listed] == [first["id"]] and not listed[0]["mine"]


# Civic reports: the organisation's queue


def test_the_queue_filters_and_the_workflow(client_for, city, agent, admin, member, housing, report_of):
    pothole = report_of(member)
    lamp = report_of(member, category="lighting", at=NEAR_POTHOLE, show_name=True)
    report_of(member, at=IN_RESIDENCE)  # the housing operator's
    client = client_for(agent.user)

    def ids(query=""):
        return [r["id"] for r in client.get(org_url(city, "reports/" + query)).json()]

    assert ids() == [lamp.pk, pothole.pk]
    assert ids("?category=lighting") == [lamp.pk]
    assert ids("?status=acknowledged") == []
    client.post(org_url(city, f"reports/{pothole.pk}/assignee/"), {"agent_id": agent.pk}, format="json")
    assert ids("?assignee=me") == [pothole.pk] and ids("?assignee=none") == [lamp.pk]
    assert ids(f"?bbox={POTHOLE[1] - 0.00005},{POTHOLE[0] - 0.00005},{POTHOLE[1] + 0.00005},{POTHOLE[0] + 0.00005}") == [
        pothole.pk]
    assert client.get(org_url(city, "reports/?bbox=1,2,3")).json()["code"] == "invalid_bbox"
    listed = {r["id"]: r for r in client.get(org_url(city, "reports/")).json()}
    assert listed[pothole.pk]["reporter"] is None and listed[pothole.pk]["reporter_label"] == "a resident of Saint-Malo"
    assert listed[lamp.pk]["reporter"] == {"display_name": "Marc"}

    before = state()
    out_of_order = client.post(org_url(city, f"reports/{pothole.pk}/status/"), {"status": "resolved"}, format="json")
    assert out_of_order.status_code == 409
    assert out_of_order.json() | {"message": ""} == {"code": "invalid_report_transition", "message": "",
                                                      "current": "received", "target": "resolved"}
    assert state() == before
    client.post(org_url(city, f"reports/{pothole.pk}/notes/"), {"text": "Équipe voirie mardi"}, format="json")
    acknowledged = client.post(org_url(city, f"reports/{pothole.pk}/status/"), {"status": "acknowledged"},
                               format="json").json()
    assert acknowledged["status"] == "acknowledged" and acknowledged["notes"][0]["text"] == "Équipe voirie mardi"
    assert acknowledged["history"][-1]["actor"] == "Paul"
    seen_by_resident = client_for(member).get(f"{API}/reports/{pothole.pk}/").json()
    assert "notes" not in seen_by_resident and "assignee" not in seen_by_resident
    assert "actor" not in seen_by_resident["history"][-1]
    assert "Équipe voirie" not in str(seen_by_resident)


def test_reopen_within_14_days(client_for, city, agent, member, report_of):
    report = report_of(member)
    for status in ("acknowledged", "resolved"):
        services.report_status_set(agent=agent, report_id=report.pk, status=status)
    assert client_for(member).get(f"{API}/reports/{report.pk}/").json()["reopenable_until"]
    reopened = client_for(member).post(f"{API}/reports/{report.pk}/reopen/", {"reason": "Toujours un trou"},
                                       format="json")
    assert reopened.json()["status"] == "received"
    again = client_for(member).post(f"{API}/reports/{report.pk}/reopen/", {"reason": "Encore"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_report_transition")


def test_figures_and_an_export_without_personal_data(client_for, city, agent, member, report_of):
    first = report_of(member, show_name=True, description="Chez Marc au 12 Rue de Dinan")
    report_of(member, category="lighting", at=NEAR_POTHOLE)
    services.report_status_set(agent=agent, report_id=first.pk, status="acknowledged")
    figures = client_for(agent.user).get(org_url(city, "reports/figures/")).json()
    assert figures["total"] == 2 and figures["by_status"]["acknowledged"] == 1
    assert figures["median_seconds_to_acknowledge"] is not None and figures["median_seconds_to_resolve"] is None
    assert figures["by_neighbourhood"][0]["total"] == 2
    export = client_for(agent.user).get(org_url(city, "reports/export/"), HTTP_ACCEPT="text/csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    text = export.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["id", "created_at", "neighbourhood", "category", "status", "latitude", "longitude", "supporters",
                       "acknowledged_at", "resolved_at"]
    assert len(rows) == 3
    assert "Marc" not in text and "Dinan" not in text and "member@example.org" not in text


def test_a_report_s_photos_are_seen_by_its_neighbours_and_its_organisation_only(
    client_for, city, agent, other_agent, member, nina, outsider
):
    photo = image_of(member)
    created = client_for(member).post(f"{API}/reports/", report_body(image_ids=[photo.pk]), format="json").json()
    url = created["images"][0]["url"]
    for user, status in ((member, 200), (nina, 200), (agent.user, 200), (other_agent.user, 404), (outsider, 404)):
        assert client_for(user).get(url).status_code == status
    assert client_for(outsider).get(f"{API}/reports/{created['id']}/").json()["code"] == "city_report_not_found"


def test_the_queue_is_a_fixed_number_of_queries(client_for, city, agent, member, nina, report_of,
                                                django_assert_num_queries):
    client = client_for(agent.user)

    def fill(count):
        for n in range(count):
            report = report_of(member, image_ids=[image_of(member, n).pk], show_name=bool(n % 2))
            services.report_support_set(user=nina, report_id=report.pk, present=True)
            services.report_status_set(agent=agent, report_id=report.pk, status="acknowledged")

    fill(2)
    # Her token; her agent row; the reports with their counts; their history; their
    # photos (and the names of custom categories, when some are).
    with django_assert_num_queries(5):
        assert len(client.get(org_url(city, "reports/")).json()) == 2
    fill(8)
    with django_assert_num_queries(5):
        assert len(client.get(org_url(city, "reports/")).json()) == 10


def test_an_agent_who_lives_nowhere_uploads_the_photo_of_an_announcement(client_for, admin, agent):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.photos.conftest import jpeg

    def upload(user, client_id):
        return client_for(user).post("/api/v1/photos/", {"client_id": client_id,
                                                         "file": SimpleUploadedFile("works.jpg", jpeg())},
                                     format="multipart")

    assert upload(agent.user, "works-1").status_code == 201
    services.agent_remove(admin=admin, agent_id=agent.pk)
    refused = upload(agent.user, "works-2")
    assert refused.status_code == 403
