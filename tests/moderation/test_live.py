"""Moderation reaches open sockets: the report queue, removals, the member concerned,
the reporters; every frame is validated against the contract."""

import pytest
from asgiref.sync import sync_to_async

from backend.chat.models import Room
from backend.chat.services import message_post, rooms_ensure_default
from backend.moderation import services
from tests.conftest import make_membership, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("socket_cleanup")]


@pytest.fixture
def room(saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return Room.objects.get(neighbourhood=saint_malo, kind="default")


@pytest.fixture
def nina(saint_malo):
    user = make_user("nina@example.org", name="Nina")
    make_membership(user, saint_malo, state="verified")
    return user


@pytest.fixture
def second_moderator(saint_malo):
    user = make_user("mod2@example.org", name="Mo")
    saint_malo.moderators.add(user)
    return user


async def test_a_report_reaches_the_moderators_and_a_removal_everyone(
    member, nina, moderator, second_moderator, room, connect
):
    author, reporter, watching = await connect(member), await connect(nina), await connect(moderator)
    other_moderator = await connect(second_moderator)
    for socket in (author, reporter):
        await socket.send({"type": "subscribe", "room_id": room.id})
        await socket.expect("subscribed")
    ack = await sync_to_async(message_post)(author=member, room_id=room.id, text="Texte injurieux", client_id="x")

    report, _ = await sync_to_async(services.report_create)(
        reporter=nina, message_id=ack.message_id, category="harassment", text="Insulte"
    )
    created = await watching.expect("report.created")
    assert (created["report"]["id"], created["report"]["message_id"]) == (report.pk, ack.message_id)
    assert created["report"]["about"] == {
        "author": {"id": member.id, "display_name": "Marc"}, "text": "Texte injurieux", "images": []
    }

    action = await sync_to_async(services.message_remove)(actor=moderator, message_id=ack.message_id, reason="Insulte")
    for socket in (author, reporter):
        assert (await socket.expect("message.deleted"))["message_id"] == ack.message_id
    notice = await author.expect("moderation.notice")
    assert (notice["action"]["kind"], notice["action"]["reason"]) == ("remove", "Insulte")
    assert (await reporter.expect("report.closed")) == {"type": "report.closed", "report_id": report.pk, "outcome": "upheld"}
    assert (await other_moderator.expect("moderation.logged"))["entry"]["id"] == action.pk

    await sync_to_async(services.appeal_create)(appellant=member, action_id=action.pk, text="Un malentendu")
    appeal = await other_moderator.expect("appeal.created")
    assert appeal["action"]["id"] == action.pk


async def test_staff_hear_the_moderators_frames_of_a_neighbourhood_they_do_not_moderate(
    member, nina, staff, saint_malo, room, connect
):
    assert not await sync_to_async(saint_malo.moderators.filter(pk=staff.pk).exists)()
    watching = await connect(staff)
    await watching.send({"type": "watch", "neighbourhood_id": saint_malo.id})
    await watching.expect("watching")
    ack = await sync_to_async(message_post)(author=member, room_id=room.id, text="Texte injurieux", client_id="s")
    assert (await watching.expect("message.new"))["message"]["id"] == ack.message_id
    report, _ = await sync_to_async(services.report_create)(
        reporter=nina, message_id=ack.message_id, category="spam", text="Pub"
    )
    created = await watching.expect("report.created")
    assert (created["report"]["id"], created["report"]["neighbourhood_id"]) == (report.pk, saint_malo.id)


async def test_a_muted_member_gets_a_clear_error_on_send(member, moderator, saint_malo, room, connect):
    socket = await connect(member)
    await socket.send({"type": "subscribe", "room_id": room.id})
    await socket.expect("subscribed")
    await sync_to_async(services.member_mute)(
        actor=moderator, user_id=member.id, neighbourhood_id=saint_malo.id, minutes=30, reason="Spam"
    )
    assert (await socket.expect("moderation.notice"))["action"]["kind"] == "mute"
    await socket.send({"type": "message.send", "ref": "after", "room_id": room.id, "text": "encore"})
    error = await socket.expect("error")
    assert (error["code"], error["ref"]) == ("muted", "after") and "until" in error["message"]
    await socket.ping_works()


async def test_a_moderator_watches_every_room_but_direct_conversations(
    member, nina, moderator, staff, saint_malo, room, dinard, connect
):
    from backend.chat.services import room_direct_open, room_topic_create

    topic = await sync_to_async(room_topic_create)(actor=moderator, neighbourhood=saint_malo, name="Entraide")
    direct = await sync_to_async(room_direct_open)(actor=member, other_id=nina.id)
    watcher, resident = await connect(moderator), await connect(nina)
    await watcher.send({"type": "watch", "ref": "w", "neighbourhood_id": saint_malo.id})
    watching = await watcher.expect("watching")
    assert sorted(r["id"] for r in watching["rooms"]) == sorted([room.id, topic.id])
    for target in (room, topic, direct):
        await sync_to_async(message_post)(author=member, room_id=target.id, text=f"dans {target.name}", client_id=f"m{target.id}")
    seen = [(await watcher.expect("message.new"))["room_id"] for _ in range(2)]
    assert sorted(seen) == sorted([room.id, topic.id])
    await watcher.nothing(ignore=("presence.changed", "rooms.activity"))

    await resident.send({"type": "watch", "ref": "r", "neighbourhood_id": saint_malo.id})
    assert (await resident.expect("error"))["code"] == "not_moderator"
    await watcher.send({"type": "watch", "ref": "elsewhere", "neighbourhood_id": dinard.id})
    assert (await watcher.expect("error"))["code"] == "not_moderator"  # she moderates Saint-Malo only
    staff_socket = await connect(staff)
    await staff_socket.send({"type": "watch", "neighbourhood_id": dinard.id})
    assert (await staff_socket.expect("watching"))["neighbourhood_id"] == dinard.id


async def test_moderators_see_members_join_and_leave(applicant, moderator, saint_malo, connect):
    from backend.trust.models import Membership
    from backend.trust.services import membership_revoke, proof_review, proof_upload
    from django.core.files.uploadedfile import SimpleUploadedFile

    watcher = await connect(moderator)
    membership = await sync_to_async(Membership.objects.get)(user=applicant)
    proof = await sync_to_async(proof_upload)(actor=applicant, membership=membership,
                                              upload=SimpleUploadedFile("f.pdf", b"%PDF-1.4\n%%EOF\n"))
    await sync_to_async(proof_review)(actor=moderator, proof=proof, approve=True)
    joined = await watcher.expect("member.joined")
    assert joined["member"]["id"] == applicant.id
    await sync_to_async(membership_revoke)(actor=moderator, membership=membership, reason="Déménagé")
    assert (await watcher.expect("member.left"))["member"]["id"] == applicant.id


async def test_a_moderator_revoked_as_a_resident_stops_watching_at_once(moderator, second_moderator, saint_malo, room,
                                                                         connect):
    """Issue 18: whoever is no longer a verified member loses the neighbourhood's
    moderation at once, and her watching socket is told."""
    from backend.trust.models import Membership
    from backend.trust.services import membership_revoke

    own = await sync_to_async(make_membership)(moderator, saint_malo, state="verified")
    watcher = await connect(moderator)
    await watcher.send({"type": "watch", "ref": "w", "neighbourhood_id": saint_malo.id})
    await watcher.expect("watching")
    await sync_to_async(membership_revoke)(actor=second_moderator, membership=own, reason="Conflit d'intérêts")
    assert (await watcher.expect("room.left"))["room_id"] == room.id
    notices = {(await watcher.expect("trust.notice"))["notice"]["decision"] for _ in range(2)}
    assert notices == {"revoked", "moderator_removed"}
    await watcher.send({"type": "watch", "ref": "w2", "neighbourhood_id": saint_malo.id})
    assert (await watcher.expect("error"))["code"] == "not_moderator"
    assert not await sync_to_async(Membership.objects.filter(pk=own.pk, state="verified").exists)()
