"""What organisations do reaches open sockets (every frame validated against the
contract, and captured by `make contract`) and phones (the fake FCM)."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from backend.accounts.services import token_create
from backend.chat.models import Room
from backend.chat.services import rooms_ensure_default
from backend.cities import services
from backend.push import services as push_services
from tests.cities.conftest import image_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("socket_cleanup")]


def run_city_pushes() -> int:
    """Runs the people_alert tasks enqueued so far, as the worker would."""
    sent = 0
    for task in DBTaskResult.objects.filter(task_path="backend.push.tasks.people_alert").order_by("enqueued_at"):
        names = ("user_ids", "neighbourhood_ids", "text_key", "params", "data", "event")
        sent += push_services.people_alert(**dict(zip(names, task.args_kwargs["args"])))
        task.delete()
    return sent


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")
    return client


@pytest.fixture
def room(saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return Room.objects.get(neighbourhood=saint_malo, kind="default")


async def test_an_announcement_arrives_as_an_official_card(city, agent, member, room, connect):
    resident = await connect(member)
    await resident.send({"type": "subscribe", "ref": "s", "room_id": room.pk})
    await resident.expect("subscribed")
    photo = await sync_to_async(image_of)(agent.user)
    await sync_to_async(services.announcement_publish)(agent=agent, client_id="a1", title="Travaux rue de Dinan",
                                                       text="Du 3 au 7 mars.", image_ids=[photo.pk])
    new = await resident.expect("message.new")
    card = new["message"]["card"]
    assert (card["kind"], card["organisation"]["name"], card["title"]) == (
        "announcement", "Ville de Saint-Malo", "Travaux rue de Dinan")
    assert new["message"]["author"]["display_name"] == "Ville de Saint-Malo" and len(card["images"]) == 1


async def test_an_area_alert_reaches_every_socket_of_the_neighbourhood_and_every_phone(
    city, agent, member, nina, outsider, room, connect, fcm, phone
):
    from backend.push.models import Preferences, RoomMute

    resident, elsewhere, console = await connect(member), await connect(outsider), await connect(agent.user)
    assert console.hello["rooms"] == []

    def phones():
        phone(member, "marc-phone")
        phone(nina, "nina-phone", platform="ios")
        phone(outsider, "otto-phone")
        phone(agent.user, "paul-phone")
        # Nina is in her quiet hours, all day, and muted the room: an alert still reaches her.
        Preferences.objects.create(user=nina, time_zone="Europe/Paris", quiet_start="00:00", quiet_end="23:59")
        RoomMute.objects.create(user=nina, room=room, until=None)

    await sync_to_async(phones)()
    alert = (await sync_to_async(services.alert_publish)(
        agent=agent, client_id="al1", title="Coupure d'eau", text="Rue de Toulouse, jusqu'à 18 h",
        expires_at=timezone.now() + timedelta(hours=5))).item
    frame = await resident.expect("city.alert")
    assert (frame["alert"]["id"], frame["alert"]["organisation"]["name"]) == (alert.pk, "Ville de Saint-Malo")
    await elsewhere.nothing()
    await console.nothing()

    assert await sync_to_async(run_city_pushes)() == 2
    by_token = {message["token"]: message for message in fcm.sent}
    assert set(by_token) == {"marc-phone", "nina-phone"}
    assert by_token["nina-phone"]["notification"] == {"title": "Alerte · Ville de Saint-Malo",
                                                      "body": "Coupure d'eau : Rue de Toulouse, jusqu'à 18 h"}
    assert by_token["marc-phone"]["notification"]["title"] == "Alert · Ville de Saint-Malo"
    assert by_token["marc-phone"]["data"] == {"type": "city_alert", "alert_id": str(alert.pk)}
    assert await sync_to_async(run_city_pushes)() == 0  # sent once


async def test_a_pothole_reported_with_a_photo_is_acknowledged_then_resolved_and_she_hears_each_step(
    city, agent, member, nina, room, connect, fcm, phone, report_of
):
    reporter, supporter, console = await connect(member), await connect(nina), await connect(agent.user)

    def report():
        phone(member, "marc-phone")
        phone(nina, "nina-phone")
        made = report_of(member, image_ids=[image_of(member).pk])
        services.report_support_set(user=nina, report_id=made.pk, present=True)
        return made

    pothole = await sync_to_async(report)()
    queued = await console.expect("city.queue.updated")
    assert (queued["report"]["id"], queued["report"]["reporter"], len(queued["report"]["images"])) == (pothole.pk, None, 1)
    assert (await console.expect("city.queue.updated"))["report"]["supporters"] == 1

    for status in ("acknowledged", "resolved"):
        await sync_to_async(services.report_status_set)(agent=agent, report_id=pothole.pk, status=status)
        for socket in (reporter, supporter):
            updated = await socket.expect("city.report.updated")
            assert (updated["report"]["id"], updated["report"]["status"]) == (pothole.pk, status)
            assert "reporter" not in updated["report"] and "assignee" not in updated["report"]
        assert (await console.expect("city.queue.updated"))["report"]["status"] == status
    assert updated["report"]["reopenable_until"] and [h["status"] for h in updated["report"]["history"]] == [
        "received", "acknowledged", "resolved"]

    assert await sync_to_async(run_city_pushes)() == 4
    by_phone = {token: [m for m in fcm.sent if m["token"] == token] for token in ("marc-phone", "nina-phone")}
    assert [m["notification"]["body"] for m in by_phone["marc-phone"]] == [  # Marc reads English
        "“Nid-de-poule devant l'école” was acknowledged.",
        "“Nid-de-poule devant l'école” is resolved. Not fixed? Reopen it within 14 days.",
    ]
    assert [m["notification"]["body"] for m in by_phone["nina-phone"]] == [  # Nina, French
        "« Nid-de-poule devant l'école » a été pris en compte.",
        "« Nid-de-poule devant l'école » est résolu. Pas réglé ? Rouvrez-le sous 14 jours.",
    ]
    assert by_phone["nina-phone"][0]["notification"]["title"] == "Signalement · Ville de Saint-Malo"
    assert by_phone["marc-phone"][0]["data"] == {"type": "city_report", "report_id": str(pothole.pk),
                                                 "status": "acknowledged"}


async def test_an_agent_removed_while_her_console_is_open(city, admin, agent, member, connect, report_of):
    console = await connect(agent.user)
    pothole = await sync_to_async(report_of)(member)
    await console.expect("city.queue.updated")
    client = await sync_to_async(api)(agent.user)
    queue = f"/api/v1/cities/organisations/{city.pk}/reports/"
    assert (await sync_to_async(client.get)(queue)).status_code == 200

    await sync_to_async(services.agent_remove)(admin=admin, agent_id=agent.pk)
    told = await console.expect("city.agent.removed")
    assert told["organisation"] == {"id": city.pk, "name": "Ville de Saint-Malo", "kind": "municipality"}
    refused = await sync_to_async(client.post)(f"{queue}{pothole.pk}/status/", {"status": "acknowledged"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_agent")
    await sync_to_async(pothole.refresh_from_db)()
    assert pothole.status == "received"
    # Nothing of the organisation reaches her any more.
    await sync_to_async(report_of)(member, category="lighting")
    await console.nothing()
