"""Photos on messages, in rooms and direct conversations: attached when sending, shown as
the text is, read by the room's readers only, gone with the message."""

import pytest
from asgiref.sync import sync_to_async

from backend.chat.models import Message, Room
from backend.chat.services import message_delete, message_edit, message_post, room_direct_open, rooms_ensure_default
from backend.common.errors import VoisinsError
from backend.moderation import services as moderation
from backend.photos.models import Image
from tests.conftest import make_membership, make_user
from tests.photos.conftest import heic, stored_files, upload, uploaded  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return Room.objects.get(neighbourhood=saint_malo, kind="default")


@pytest.fixture
def nina(saint_malo):
    user = make_user("nina@example.org", name="Nina")
    make_membership(user, saint_malo, state="verified")
    return user


def history(client, room_id: int) -> list[dict]:
    response = client.get(f"/api/v1/chat/rooms/{room_id}/messages/")
    assert response.status_code == 200, response.json()
    return response.json()["messages"]


def test_a_message_with_photos_and_no_text(client_for, member, nina, room, uploaded):
    images = [uploaded(member, heic()), uploaded(member)]
    ack = message_post(author=member, room_id=room.id, text="", client_id="m1", image_ids=images)
    shown = history(client_for(nina), room.id)[0]
    assert shown["id"] == ack.message_id and shown["text"] == ""
    assert [image["id"] for image in shown["images"]] == images
    for image in shown["images"]:
        assert client_for(nina).get(image["thumbnail_url"]).status_code == 200
    with pytest.raises(VoisinsError) as refused:  # no text and no photo is still nothing
        message_post(author=member, room_id=room.id, text=" ", client_id="m2")
    assert refused.value.code == "text_blank"


@pytest.mark.parametrize("case", ["too_many", "someone_elses", "attached_elsewhere"])
def test_a_message_refused_for_its_photos_stores_nothing(member, nina, room, uploaded, case):
    mine = [uploaded(member) for _ in range(5 if case == "too_many" else 1)]
    if case == "someone_elses":
        mine.append(uploaded(nina))
    if case == "attached_elsewhere":
        message_post(author=member, room_id=room.id, text="first", client_id="first", image_ids=mine)
    before = Message.objects.count()
    with pytest.raises(VoisinsError) as refused:
        message_post(author=member, room_id=room.id, text="second", client_id="second", image_ids=mine)
    assert refused.value.code == {"too_many": "too_many_images", "someone_elses": "image_not_found",
                                  "attached_elsewhere": "image_already_attached"}[case]
    assert Message.objects.count() == before


def test_who_reads_a_messages_photos(client_for, member, nina, outsider, applicant, moderator, saint_malo, room,
                                     uploaded):
    in_room = uploaded(member)
    message_post(author=member, room_id=room.id, text="Chat perdu", client_id="m1", image_ids=[in_room])
    url = history(client_for(member), room.id)[0]["images"][0]["url"]
    for reader in (member, nina, moderator):
        assert client_for(reader).get(url).status_code == 200
    for stranger in (outsider, applicant):
        assert client_for(stranger).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 401
    # A direct conversation: its two people; its neighbourhood's moderators once reported.
    direct = room_direct_open(actor=member, other_id=nina.id)
    in_direct = uploaded(member)
    ack = message_post(author=member, room_id=direct.id, text="Pour toi", client_id="d1", image_ids=[in_direct])
    url = history(client_for(nina), direct.id)[0]["images"][0]["url"]
    third = make_user("zoe@example.org", name="Zoé")
    make_membership(third, saint_malo, state="verified")
    assert client_for(nina).get(url).status_code == 200
    assert client_for(third).get(url).status_code == 404
    assert client_for(moderator).get(url).status_code == 404
    moderation.report_create(reporter=nina, message_id=ack.message_id, category="harassment")
    assert client_for(moderator).get(url).status_code == 200
    queue = client_for(moderator).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/reports/").json()
    assert [image["id"] for image in queue[0]["about"]["images"]] == [in_direct]


def test_a_removed_message_hides_its_photos_from_residents(client_for, member, nina, moderator, room, uploaded):
    image_id = uploaded(member)
    ack = message_post(author=member, room_id=room.id, text="Pub", client_id="m1", image_ids=[image_id])
    url = history(client_for(nina), room.id)[0]["images"][0]["url"]
    moderation.message_remove(actor=moderator, message_id=ack.message_id, reason="Publicité")
    assert client_for(nina).get(url).status_code == 404 and client_for(member).get(url).status_code == 404
    assert history(client_for(nina), room.id)[0]["images"] == []
    assert client_for(moderator).get(url).status_code == 200
    assert [image["id"] for image in history(client_for(moderator), room.id)[0]["images"]] == [image_id]


def test_a_message_hidden_by_reports_hides_its_photos_from_residents(client_for, member, nina, moderator, saint_malo,
                                                                      room, uploaded, settings):
    settings.MODERATION_HIDE_AFTER_REPORTS = 2
    image_id = uploaded(member)
    ack = message_post(author=member, room_id=room.id, text="Vends iPhone", client_id="m1", image_ids=[image_id])
    image = history(client_for(nina), room.id)[0]["images"][0]
    url, thumbnail = image["url"], image["thumbnail_url"]
    rita = make_user("rita@example.org", name="Rita")
    make_membership(rita, saint_malo, state="verified")
    for reporter in (nina, rita):
        reported = client_for(reporter).post("/api/v1/moderation/reports/",
                                             {"message_id": ack.message_id, "category": "spam"}, format="json")
        assert reported.status_code == 201, reported.json()
        if reporter is nina:  # one report is not enough: still shown
            assert client_for(rita).get(url).status_code == 200
    # Hidden now: its links stop working for residents, its author too, and history shows none.
    for resident in (member, nina, rita):
        for link in (url, thumbnail):
            response = client_for(resident).get(link)
            assert response.status_code == 404 and response.json()["code"] == "image_not_found"
        shown = history(client_for(resident), room.id)[0]
        assert shown["hidden"] and shown["images"] == [] and shown["text"] == ""
    # Its moderators still see them, in the room and in the report, to review.
    assert client_for(moderator).get(url).status_code == 200
    assert [i["id"] for i in history(client_for(moderator), room.id)[0]["images"]] == [image_id]
    queue = client_for(moderator).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/reports/").json()
    assert {i["id"] for report in queue for i in report["about"]["images"]} == {image_id}
    moderation.message_restore(actor=moderator, message_id=ack.message_id, reason="Rien d'anormal")
    assert client_for(rita).get(url).status_code == 200  # shown again


@pytest.mark.django_db(transaction=True)
def test_deleting_a_message_deletes_its_photos(client_for, member, moderator, room, uploaded):
    kept, gone = uploaded(member), uploaded(member)
    message_post(author=member, room_id=room.id, text="reste", client_id="keep", image_ids=[kept])
    ack = message_post(author=member, room_id=room.id, text="part", client_id="go", image_ids=[gone])
    url = history(client_for(member), room.id)[0]["images"][0]["url"]
    message_delete(actor=member, message_id=ack.message_id)
    assert list(Image.objects.values_list("pk", flat=True)) == [kept] and len(stored_files()) == 2
    assert client_for(moderator).get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("socket_cleanup")
async def test_photos_arrive_live_and_stay_through_an_edit(member, nina, room, connect, uploaded):
    images = [await sync_to_async(uploaded)(member) for _ in range(2)]
    author, reader = await connect(member), await connect(nina)
    await reader.send({"type": "subscribe", "room_id": room.id})
    await reader.expect("subscribed")
    await author.send({"type": "message.send", "ref": "photo-1", "room_id": room.id, "text": "", "images": images})
    ack = await author.expect("ack")
    new = await reader.expect("message.new")  # validated against the contract on receipt
    assert [image["id"] for image in new["message"]["images"]] == images and new["message"]["text"] == ""
    await sync_to_async(message_edit)(actor=member, message_id=ack["message_id"], text="Mon vélo")
    edited = await reader.expect("message.edited")
    assert [image["id"] for image in edited["message"]["images"]] == images
    await author.send({"type": "message.send", "ref": "photo-2", "room_id": room.id, "text": "encore",
                       "images": images[:1]})
    error = await author.expect("error")
    assert (error["ref"], error["code"]) == ("photo-2", "image_already_attached")
    await author.send({"type": "message.send", "ref": "empty", "room_id": room.id, "text": ""})
    assert (await author.expect("error"))["code"] == "invalid_frame"
