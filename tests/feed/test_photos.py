"""Photos on posts: attached when posting, shown on the card (REST, history, the socket),
seen by the neighbourhood's readers only, and hidden from residents as soon as the post
is removed or hidden (its moderators keep seeing them)."""

import pytest
from asgiref.sync import sync_to_async

from backend.chat.models import Room
from backend.feed.models import Post
from backend.moderation import services as moderation
from backend.photos.models import Image
from tests.conftest import make_membership, make_user
from tests.feed.test_domain import VALID
from tests.photos.conftest import heic, jpeg, upload, uploaded  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.django_db


def create(client, **fields):
    body = {"client_id": "p1", "kind": "classified", "title": "Canapé à donner",
            "details": {"mode": "give", "item": "Canapé"}}
    return client.post("/api/v1/feed/posts/", {**body, **fields}, format="json")


@pytest.fixture
def nina(saint_malo):
    user = make_user("nina@example.org", name="Nina")
    make_membership(user, saint_malo, state="verified")
    return user


def test_a_post_with_photos_shows_them_on_its_card_in_order(client_for, member, uploaded):
    first, second = uploaded(member, heic()), uploaded(member, jpeg(orientation=6))
    response = create(client_for(member), image_ids=[second, first])
    assert response.status_code == 201, response.json()
    body = response.json()
    images = body["card"]["images"]
    assert [image["id"] for image in images] == [second, first]
    assert (images[0]["width"], images[0]["height"]) == (40, 60)
    assert images[0]["url"].startswith(f"/api/v1/photos/{second}/full/?")
    history = client_for(member).get(f"/api/v1/chat/rooms/{body['room_id']}/messages/").json()
    assert history["messages"][0]["card"]["images"] == images
    listed = client_for(member).get("/api/v1/feed/posts/").json()["posts"][0]
    assert listed["card"]["images"] == images
    # Resending the post changes nothing and attaches nothing more.
    again = create(client_for(member), image_ids=[second, first])
    assert again.status_code == 200 and again.json()["card"]["images"] == images


@pytest.mark.parametrize("case", ["too_many", "someone_elses", "attached_elsewhere", "unknown"])
def test_a_post_refused_for_its_images_stores_nothing(client_for, member, nina, uploaded, case):
    mine = [uploaded(member) for _ in range(7 if case == "too_many" else 1)]
    if case == "someone_elses":
        mine.append(uploaded(nina))
    if case == "attached_elsewhere":
        assert create(client_for(member), client_id="first", image_ids=mine).status_code == 201
    if case == "unknown":
        mine.append(987_654)
    posts_before = Post.objects.count()
    response = create(client_for(member), client_id="second", image_ids=mine)
    expected = {"too_many": (422, "too_many_images"), "someone_elses": (404, "image_not_found"),
                "attached_elsewhere": (409, "image_already_attached"), "unknown": (404, "image_not_found")}[case]
    assert (response.status_code, response.json()["code"]) == expected, response.json()
    assert Post.objects.count() == posts_before
    if case != "attached_elsewhere":
        assert not Image.objects.exclude(attached_kind="").exists()
    if case == "too_many":
        assert response.json()["max"] == 6 and "6" in response.json()["message"]


def test_who_reads_a_posts_photos(client_for, member, nina, outsider, applicant, moderator, uploaded):
    image_id = uploaded(member)
    card = create(client_for(member), image_ids=[image_id]).json()["card"]
    url, thumbnail = card["images"][0]["url"], card["images"][0]["thumbnail_url"]
    for reader in (member, nina, moderator):
        assert client_for(reader).get(url).status_code == 200
        assert client_for(reader).get(thumbnail).status_code == 200
    for stranger in (outsider, applicant):  # another neighbourhood's member, a pending applicant
        response = client_for(stranger).get(url)
        assert response.status_code == 404 and response.json()["code"] == "image_not_found"
    assert client_for(None).get(url).status_code == 401


def test_a_removed_post_hides_its_photos_from_residents_at_once(client_for, member, nina, moderator, uploaded):
    image_id = uploaded(member)
    body = create(client_for(member), image_ids=[image_id]).json()
    url = body["card"]["images"][0]["url"]
    moderation.post_remove(actor=moderator, post_id=body["card"]["post_id"], reason="Annonce commerciale")
    for resident in (member, nina):
        assert client_for(resident).get(url).status_code == 404  # the link she holds stops working
    assert client_for(moderator).get(url).status_code == 200
    detail = client_for(moderator).get(f"/api/v1/feed/posts/{body['card']['post_id']}/").json()
    assert [image["id"] for image in detail["card"]["images"]] == [image_id]
    history = client_for(nina).get(f"/api/v1/chat/rooms/{body['room_id']}/messages/").json()
    assert history["messages"][0]["card"] is None
    moderation.post_restore(actor=moderator, post_id=body["card"]["post_id"], reason="Erreur")
    assert client_for(nina).get(url).status_code == 200


def test_a_post_hidden_by_reports_hides_its_photos(client_for, member, moderator, saint_malo, uploaded, settings):
    settings.MODERATION_HIDE_AFTER_REPORTS = 1
    image_id = uploaded(member)
    body = create(client_for(member), image_ids=[image_id]).json()
    post_id, url = body["card"]["post_id"], body["card"]["images"][0]["url"]
    reporter = make_user("rita@example.org", name="Rita")
    make_membership(reporter, saint_malo, state="verified")
    reported = client_for(reporter).post("/api/v1/moderation/reports/", {"post_id": post_id, "category": "spam"},
                                         format="json")
    assert reported.status_code == 201, reported.json()
    assert reported.json()["about"]["images"] == []  # the reporter's answer shows none
    assert client_for(reporter).get(url).status_code == 404
    assert client_for(reporter).get(f"/api/v1/feed/posts/{post_id}/").json()["card"]["images"] == []
    assert client_for(moderator).get(url).status_code == 200
    queue = client_for(moderator).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/reports/").json()
    assert [image["id"] for image in queue[0]["about"]["images"]] == [image_id]
    assert client_for(moderator).get(queue[0]["about"]["images"][0]["thumbnail_url"]).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("socket_cleanup")
async def test_a_post_with_photos_arrives_live_with_them(member, nina, saint_malo, connect, uploaded):
    from backend.chat.services import rooms_ensure_default

    await sync_to_async(rooms_ensure_default)(neighbourhood_ids=[saint_malo.id])
    room = await sync_to_async(Room.objects.get)(neighbourhood=saint_malo, kind="default")
    image_id = await sync_to_async(uploaded)(member)
    author, reader = await connect(member), await connect(nina)
    await reader.send({"type": "subscribe", "room_id": room.id})
    await reader.expect("subscribed")
    await author.send({"type": "post.create", "ref": "post-photo", "kind": "event", "title": "Vide-grenier",
                       "details": VALID["event"], "images": [image_id]})
    assert (await author.expect("ack"))["ref"] == "post-photo"
    new = await reader.expect("message.new")  # validated against the contract on receipt
    assert [image["id"] for image in new["message"]["card"]["images"]] == [image_id]
    await author.send({"type": "post.create", "ref": "post-photo-2", "kind": "event", "title": "Encore",
                       "details": VALID["event"], "images": [image_id]})
    error = await author.expect("error")
    assert (error["ref"], error["code"]) == ("post-photo-2", "image_already_attached")
