"""Deleting a post (backend/feed/services.py post_delete, feed_post_delete): its author
alone; its cards go as deleted messages do, live; its photos go with their files; it is
refused while neighbours count on it. And deleting its card message through chat
deletes it the same way (chat's CardMessageDeleted, heard by the feed)."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from backend.chat.models import Message, Room
from backend.chat.services import message_delete
from backend.common.errors import VoisinsError
from backend.feed.models import Loan, Post
from backend.feed.services import (
    loan_return_confirm, post_respond, post_responder_pick, post_status_set, purchase_commit,
)
from backend.moderation import services as moderation
from backend.photos.models import Image
from tests.conftest import make_membership, make_user
from tests.feed.test_loans_and_purchases import purchase, soon
from tests.photos.conftest import heic, stored_files, upload, uploaded  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def nina(saint_malo):
    user = make_user("nina@example.org", name="Nina", language="fr")
    make_membership(user, saint_malo, state="verified")
    return user


def create(client, **fields):
    body = {"client_id": "p1", "kind": "classified", "title": "Canapé à donner",
            "details": {"mode": "give", "item": "Canapé bleu"}}
    response = client.post("/api/v1/feed/posts/", {**body, **fields}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def delete(client, post_id: int):
    return client.delete(f"/api/v1/feed/posts/{post_id}/")


def refused(response, status: int, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()


@pytest.mark.django_db(transaction=True)
def test_the_author_deletes_her_post_with_its_cards_and_photos(client_for, member, nina, moderator, uploaded):
    images = [uploaded(member, heic()), uploaded(member)]
    body = create(client_for(member), image_ids=images)
    post_id, url = body["card"]["post_id"], body["card"]["images"][0]["url"]
    answer = post_respond(actor=nina, post_id=post_id).response  # the card quoted in their conversation
    assert client_for(nina).get(url).status_code == 200 and len(stored_files()) == 4

    response = delete(client_for(member), post_id)
    assert response.status_code == 204 and not response.content

    post = Post.objects.get(pk=post_id)
    assert post.deleted_at is not None and post.status == "closed"
    assert (post.title, post.text, post.details) == ("", "", {"mode": "give"})  # none of her words
    for message_id in (body["message_id"], answer.message_id):  # deleted as messages are: their place only
        message = Message.objects.get(pk=message_id)
        assert message.deleted_at is not None and (message.text, message.card) == ("", None)
    assert not Image.objects.exists() and stored_files() == []  # the files went once it committed
    for reader in (member, nina, moderator):
        refused(client_for(reader).get(url), 404, "image_not_found")
        refused(client_for(reader).get(f"/api/v1/feed/posts/{post_id}/"), 404, "post_not_found")
        assert client_for(reader).get("/api/v1/feed/posts/").json()["posts"] == []
    shown = client_for(nina).get(f"/api/v1/chat/rooms/{body['room_id']}/messages/").json()["messages"][0]
    assert shown["deleted"] and shown["card"] is None and shown["images"] == []
    quoted = client_for(nina).get(f"/api/v1/chat/rooms/{answer.room_id}/messages/").json()["messages"][-1]
    assert quoted["id"] == answer.message_id and quoted["deleted"] and quoted["card"] is None

    assert delete(client_for(member), post_id).status_code == 204  # again: nothing more to do
    refused(delete(client_for(nina), post_id), 404, "post_not_found")
    refused(client_for(nina).post(f"/api/v1/feed/posts/{post_id}/responses/"), 404, "post_not_found")


def test_only_its_author_deletes_a_post(client_for, member, nina, moderator, outsider, applicant, uploaded):
    body = create(client_for(member), image_ids=[uploaded(member)])
    post_id = body["card"]["post_id"]
    refused(delete(client_for(nina), post_id), 403, "not_post_author")
    refused(delete(client_for(moderator), post_id), 403, "not_post_author")  # moderators remove instead
    for stranger in (outsider, applicant):  # another neighbourhood's member, a pending applicant
        refused(delete(client_for(stranger), post_id), 404, "post_not_found")
    refused(delete(client_for(member), 987_654), 404, "post_not_found")
    assert delete(client_for(None), post_id).status_code == 401
    # A post the moderators removed is kept for their review: not hers to delete.
    moderation.post_remove(actor=moderator, post_id=post_id, reason="Annonce commerciale")
    refused(delete(client_for(member), post_id), 404, "post_not_found")
    post = Post.objects.get(pk=post_id)
    assert post.deleted_at is None and post.title == "Canapé à donner" and Image.objects.count() == 1


def test_a_deleted_post_is_neither_reported_nor_removed(client_for, post_of, member, nina, moderator):
    post = post_of(member, "classified", details={"mode": "give", "item": "Canapé bleu"})
    assert delete(client_for(member), post.pk).status_code == 204
    reported = client_for(nina).post("/api/v1/moderation/reports/", {"post_id": post.pk, "category": "spam"},
                                     format="json")
    refused(reported, 404, "post_not_found")
    for action in ("remove", "restore"):
        with pytest.raises(VoisinsError) as refusal:
            getattr(moderation, f"post_{action}")(actor=moderator, post_id=post.pk, reason="x")
        assert refusal.value.code == "post_not_found"


def test_a_loan_not_returned_keeps_its_post(client_for, post_of, member, nina):
    offer = post_of(member, "loan_offer", details={"item": "Raclette", "start": soon(0), "end": soon(7)})
    post_respond(actor=nina, post_id=offer.pk)
    post_responder_pick(actor=member, post_id=offer.pk, responder_id=nina.id,
                        return_due=timezone.localdate() + timedelta(days=3))
    refused(delete(client_for(member), offer.pk), 409, "post_has_partners")
    assert "loan" in client_for(member).delete(f"/api/v1/feed/posts/{offer.pk}/").json()["message"]
    assert Post.objects.get(pk=offer.pk).deleted_at is None
    assert Message.objects.get(pk=offer.message_id).deleted_at is None
    loan_return_confirm(actor=member, loan_id=Loan.objects.get(post=offer).pk)
    assert delete(client_for(member), offer.pk).status_code == 204
    assert Loan.objects.get(post=offer).returned_at is not None  # the loan stays: their record


def test_an_open_purchase_with_neighbours_shares_keeps_its_post(client_for, post_of, member, nina):
    own = purchase(post_of, member)
    purchase_commit(actor=member, post_id=own.pk, quantity=2)  # her own share counts on nobody
    assert delete(client_for(member), own.pk).status_code == 204
    shared = post_of(member, "group_purchase", client_id="shared", details={**own.details, "product": "Huîtres"})
    purchase_commit(actor=nina, post_id=shared.pk, quantity=3)
    refused(delete(client_for(member), shared.pk), 409, "post_has_partners")
    post_status_set(actor=member, post_id=shared.pk, status="closed")  # they see it closed, live
    assert delete(client_for(member), shared.pk).status_code == 204


@pytest.mark.django_db(transaction=True)
def test_deleting_its_card_message_in_chat_deletes_the_post(client_for, post_of, member, nina, uploaded):
    body = create(client_for(member), image_ids=[uploaded(member)])
    post_id = body["card"]["post_id"]
    answer = post_respond(actor=nina, post_id=post_id).response
    message_delete(actor=member, message_id=body["message_id"])
    assert Post.objects.get(pk=post_id).deleted_at is not None
    assert Message.objects.get(pk=answer.message_id).deleted_at is not None
    assert not Image.objects.exists() and stored_files() == []

    # A responder deleting her quote of a card deletes that message alone.
    other = create(client_for(member), client_id="p2", title="Vélo à donner")
    quote = post_respond(actor=nina, post_id=other["card"]["post_id"]).response
    message_delete(actor=nina, message_id=quote.message_id)
    assert Post.objects.get(pk=other["card"]["post_id"]).deleted_at is None
    assert Message.objects.get(pk=other["message_id"]).deleted_at is None

    # Refused for the post, refused for its card: nothing changes.
    offer = post_of(member, "loan_offer", details={"item": "Raclette", "start": soon(0), "end": soon(7)})
    post_respond(actor=nina, post_id=offer.pk)
    post_responder_pick(actor=member, post_id=offer.pk, responder_id=nina.id)
    with pytest.raises(VoisinsError) as refusal:
        message_delete(actor=member, message_id=offer.message_id)
    assert refusal.value.code == "post_has_partners"
    card = Message.objects.get(pk=offer.message_id)
    assert card.deleted_at is None and card.card["title"] == offer.title
    assert Post.objects.get(pk=offer.pk).deleted_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("socket_cleanup")
async def test_neighbours_see_the_cards_go_live(client_for, member, nina, saint_malo, connect, uploaded):
    image_id = await sync_to_async(uploaded)(member)
    author = await sync_to_async(client_for)(member)
    body = await sync_to_async(create)(author, image_ids=[image_id])
    post_id = body["card"]["post_id"]
    answer = (await sync_to_async(post_respond)(actor=nina, post_id=post_id)).response
    room = await sync_to_async(Room.objects.get)(pk=body["room_id"])
    reader = await connect(nina)
    for room_id in (room.id, answer.room_id):
        await reader.send({"type": "subscribe", "room_id": room_id})
        await reader.expect("subscribed")
    response = await sync_to_async(delete)(author, post_id)
    assert response.status_code == 204
    gone = {(frame["room_id"], frame["message_id"]) for frame in
            [await reader.expect("message.deleted") for _ in range(2)]}  # validated against the contract
    assert gone == {(room.id, body["message_id"]), (answer.room_id, answer.message_id)}


@pytest.mark.django_db(transaction=True)
def test_deleting_the_card_while_the_post_changes_is_refused_at_once_not_deadlocked(client_for, member, nina):
    """Chat locks the card, then the feed the post, when other changes of a post lock the
    post, then its cards: the deletion does not wait for a post locked meanwhile."""
    import threading
    import time

    from django.db import connection, transaction

    body = create(client_for(member))
    post_id = body["card"]["post_id"]
    locked, release = threading.Event(), threading.Event()

    def change_of_the_post():
        try:
            with transaction.atomic():
                Post.objects.select_for_update().get(pk=post_id)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=change_of_the_post)
    other.start()
    assert locked.wait(10)
    try:
        started = time.monotonic()
        with pytest.raises(VoisinsError) as refusal:
            message_delete(actor=member, message_id=body["message_id"])
        assert refusal.value.code == "server_busy" and refusal.value.params == {"retry_after": 1}
        assert time.monotonic() - started < 1
        assert Message.objects.get(pk=body["message_id"]).deleted_at is None
    finally:
        release.set()
        other.join(10)
    message_delete(actor=member, message_id=body["message_id"])  # once it is done, it works
    assert Post.objects.get(pk=post_id).deleted_at is not None
