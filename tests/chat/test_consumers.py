import asyncio
from collections import deque

import pytest
from asgiref.sync import sync_to_async

from backend.chat.models import Message, Reaction, Room
from backend.chat.services import rooms_ensure_default
from tests.chat.conftest import ALLOWED_ORIGIN, Socket, communicator
from tests.conftest import make_membership, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("socket_cleanup")]


@pytest.fixture
def neighbour(saint_malo):
    user = make_user("neighbour@example.org", name="Nina")
    make_membership(user, saint_malo, state="verified", street="Rue Jacques Cartier")
    return user


@pytest.fixture
def room(saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return Room.objects.get(neighbourhood=saint_malo, kind="default")


async def _subscribed(socket, room_id, **extra):
    await socket.send({"type": "subscribe", "room_id": room_id, **extra})
    return await socket.expect("subscribed")


async def _send(socket, room_id, text, ref, **extra):
    await socket.send({"type": "message.send", "ref": ref, "room_id": room_id, "text": text, **extra})
    return await socket.expect("ack")


# Authentication


async def test_a_socket_without_credentials_is_closed_with_4401():
    socket = communicator("/ws/v1/")
    connected, _ = await socket.connect()
    assert connected
    output = await socket.receive_output(3)
    assert output == {"type": "websocket.close", "code": 4401}


async def test_a_ticket_works_once(member, connect):
    from backend.chat import services

    ticket = await sync_to_async(services.ticket_issue)(user=member, token_id=None)
    first = communicator(f"/ws/v1/?ticket={ticket}")
    await first.connect()
    assert "hello" in (await first.receive_output(3))["text"]
    second = communicator(f"/ws/v1/?ticket={ticket}")
    await second.connect()
    assert await second.receive_output(3) == {"type": "websocket.close", "code": 4401}
    await first.disconnect()


async def test_an_expired_ticket_is_refused(member, settings):
    from backend.chat import services

    settings.CHAT_TICKET_TTL_SECONDS = 1
    ticket = await sync_to_async(services.ticket_issue)(user=member, token_id=None)
    await asyncio.sleep(1.2)
    socket = communicator(f"/ws/v1/?ticket={ticket}")
    await socket.connect()
    assert await socket.receive_output(3) == {"type": "websocket.close", "code": 4401}


async def test_a_page_of_another_origin_is_refused_with_4403(member):
    socket = communicator("/ws/v1/", headers=[(b"origin", b"https://evil.example")])
    await socket.connect()
    assert await socket.receive_output(3) == {"type": "websocket.close", "code": 4403}


async def test_the_session_cookie_of_an_allowed_page_opens_a_socket(member, room):
    from django.test import Client

    client = Client()
    await sync_to_async(client.force_login)(member)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    socket = communicator("/ws/v1/", headers=[(b"origin", ALLOWED_ORIGIN), (b"cookie", cookie)])
    await socket.connect()
    output = await socket.receive_output(3)
    assert '"type":"hello"' in output["text"]
    await socket.disconnect()


async def test_an_unknown_session_cookie_is_refused():
    socket = communicator("/ws/v1/", headers=[(b"origin", ALLOWED_ORIGIN), (b"cookie", b"sessionid=forged")])
    await socket.connect()
    assert await socket.receive_output(3) == {"type": "websocket.close", "code": 4401}


async def test_a_session_cookie_without_origin_is_not_enough(member):
    from django.test import Client

    client = Client()
    await sync_to_async(client.force_login)(member)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    socket = communicator("/ws/v1/", headers=[(b"cookie", cookie)])
    await socket.connect()
    assert await socket.receive_output(3) == {"type": "websocket.close", "code": 4401}


# The summary on connect


async def test_hello_lists_rooms_unread_counts_and_presence(member, neighbour, room, connect):
    alice = await connect(member)
    await _subscribed(alice, room.id)
    await _send(alice, room.id, "Qui a une raclette ?", "m1")
    nina = await connect(neighbour)
    rooms = {r["id"]: r for r in nina.hello["rooms"]}
    assert rooms[room.id]["unread"] == 1 and rooms[room.id]["kind"] == "default"
    assert rooms[room.id]["last_seq"] == 1
    presence = {p["neighbourhood_id"]: p["online"] for p in nina.hello["presence"]}
    assert presence[room.neighbourhood_id] == sorted([member.id, neighbour.id])
    assert nina.hello["limits"]["max_frame_bytes"] == 65536


async def test_an_applicant_gets_no_rooms(applicant, room, connect):
    socket = await connect(applicant)
    assert socket.hello["rooms"] == []
    await socket.send({"type": "subscribe", "room_id": room.id, "ref": "s"})
    error = await socket.expect("error")
    assert (error["code"], error["ref"]) == ("no_access", "s")


# Messages


async def test_send_is_acknowledged_then_reaches_every_subscriber(member, neighbour, room, connect):
    alice, nina = await connect(member), await connect(neighbour)
    await _subscribed(alice, room.id)
    await _subscribed(nina, room.id)
    ack = await _send(alice, room.id, "Bonjour à tous", "client-1")
    assert (ack["ref"], ack["room_id"], ack["seq"]) == ("client-1", room.id, 1)
    new = await nina.expect("message.new")
    assert new["seq"] == 1 and new["message"]["id"] == ack["message_id"]
    assert new["message"]["text"] == "Bonjour à tous" and new["message"]["author"]["display_name"] == "Marc"
    assert (await alice.expect("message.new"))["seq"] == 1


async def test_resending_a_client_id_returns_the_first_ack_and_creates_nothing(member, neighbour, room, connect):
    alice, nina = await connect(member), await connect(neighbour)
    await _subscribed(nina, room.id)
    first = await _send(alice, room.id, "Une fois", "same-id")
    assert (await nina.expect("message.new"))["seq"] == 1
    again = await _send(alice, room.id, "Une fois", "same-id")
    assert again == first
    await nina.nothing()
    assert await Message.objects.filter(author=member).acount() == 1


async def test_replies_quote_and_mentions_resolve(member, neighbour, room, connect):
    alice, nina = await connect(member), await connect(neighbour)
    await _subscribed(nina, room.id)
    question = await _send(alice, room.id, "Quelqu'un a une perceuse ?", "q")
    await nina.expect("message.new")
    await _send(nina, room.id, "Oui, passe ce soir", "a", reply_to=question["message_id"], mentions=[member.id])
    answer = (await nina.expect("message.new"))["message"]
    assert answer["reply_to"]["id"] == question["message_id"]
    assert answer["reply_to"]["text"] == "Quelqu'un a une perceuse ?"
    assert answer["mentions"] == [member.id]


async def test_a_mention_of_someone_outside_the_room_is_refused(member, outsider, room, connect):
    alice = await connect(member)
    await alice.send({"type": "message.send", "ref": "x", "room_id": room.id, "text": "Salut", "mentions": [outsider.id]})
    assert (await alice.expect("error"))["code"] == "invalid_mention"
    assert not await Message.objects.aexists()


async def test_reactions_edit_and_delete_reach_the_room(member, neighbour, room, connect):
    alice, nina = await connect(member), await connect(neighbour)
    await _subscribed(nina, room.id)
    posted = await _send(alice, room.id, "Fête des voisins samedi", "m")
    await nina.expect("message.new")
    message_id = posted["message_id"]

    await nina.send({"type": "reaction.add", "ref": "r1", "message_id": message_id, "emoji": "🎉"})
    changed = await nina.expect("reaction.changed")
    assert changed["reactions"] == [{"emoji": "🎉", "count": 1, "user_ids": [neighbour.id]}]
    assert changed["seq"] == 2
    await nina.send({"type": "reaction.add", "ref": "r2", "message_id": message_id, "emoji": "🎉"})
    assert (await nina.expect("ack"))["seq"] == 2  # nothing changed
    await nina.send({"type": "reaction.remove", "ref": "r3", "message_id": message_id, "emoji": "🎉"})
    assert (await nina.expect("reaction.changed"))["reactions"] == []

    await alice.send({"type": "message.edit", "ref": "e", "message_id": message_id, "text": "Fête des voisins dimanche"})
    edited = await nina.expect("message.edited")
    assert edited["message"]["text"] == "Fête des voisins dimanche" and edited["message"]["edited_at"]

    await alice.send({"type": "message.delete", "ref": "d", "message_id": message_id})
    deleted = await nina.expect("message.deleted")
    assert (deleted["message_id"], deleted["seq"]) == (message_id, 5)
    stored = await Message.objects.aget(pk=message_id)
    assert stored.text == "" and stored.deleted_at is not None


async def test_nobody_edits_or_deletes_the_message_of_someone_else(member, neighbour, room, connect):
    alice, nina = await connect(member), await connect(neighbour)
    posted = await _send(alice, room.id, "À moi", "m")
    for frame in (
        {"type": "message.edit", "ref": "e", "message_id": posted["message_id"], "text": "Piraté"},
        {"type": "message.delete", "ref": "d", "message_id": posted["message_id"]},
    ):
        await nina.send(frame)
        error = await nina.expect("error")
        assert (error["code"], error["ref"]) == ("not_author", frame["ref"])
    assert (await Message.objects.aget(pk=posted["message_id"])).text == "À moi"


async def test_message_ids_of_another_neighbourhood_are_unknown(member, outsider, dinard, room, connect):
    await sync_to_async(rooms_ensure_default)(neighbourhood_ids=[dinard.id])
    dinard_room = await Room.objects.aget(neighbourhood=dinard)
    otto = await connect(outsider)
    posted = await _send(otto, dinard_room.id, "Message de Dinard", "o")
    alice = await connect(member)
    for frame in (
        {"type": "message.edit", "ref": "e", "message_id": posted["message_id"], "text": "x"},
        {"type": "message.delete", "ref": "d", "message_id": posted["message_id"]},
        {"type": "reaction.add", "ref": "r", "message_id": posted["message_id"], "emoji": "👍"},
    ):
        await alice.send(frame)
        assert (await alice.expect("error"))["code"] == "message_not_found"
    await alice.send({"type": "message.send", "ref": "s", "room_id": dinard_room.id, "text": "Coucou"})
    assert (await alice.expect("error"))["code"] == "no_access"
    await alice.send({"type": "message.send", "ref": "s2", "room_id": room.id, "text": "Réponse", "reply_to": posted["message_id"]})
    assert (await alice.expect("error"))["code"] == "invalid_reply"
    assert not await Reaction.objects.aexists()
    assert await Message.objects.acount() == 1


# Catch-up


async def test_subscribe_with_a_cursor_replays_what_was_missed(member, neighbour, room, connect):
    alice = await connect(member)
    for index in range(3):
        await _send(alice, room.id, f"message {index}", f"m{index}")
    nina = await connect(neighbour)
    caught_up = await _subscribed(nina, room.id, last_seq=1)
    assert caught_up["seq"] == 3 and caught_up["gap"] is False
    assert [m["text"] for m in caught_up["messages"]] == ["message 1", "message 2"]
    fresh = await _subscribed(nina, room.id)
    assert [m["seq"] for m in fresh["messages"]] == [1, 2, 3]


async def test_more_than_500_changes_answer_a_gap(member, neighbour, room, connect):
    def fill():
        from django.utils import timezone

        Message.objects.bulk_create(
            Message(room=room, seq=i, changed_seq=i, author=member, client_id=f"bulk-{i}", text=str(i),
                    created_at=timezone.now())
            for i in range(1, 502)
        )
        Room.objects.filter(pk=room.pk).update(last_seq=501)

    await sync_to_async(fill)()
    nina = await connect(neighbour)
    gap = await _subscribed(nina, room.id, last_seq=0)
    assert gap["gap"] is True and gap["messages"] == [] and gap["seq"] == 501
    close = await _subscribed(nina, room.id, last_seq=1)
    assert close["gap"] is False and len(close["messages"]) == 500


# Ephemeral state


async def test_typing_reaches_subscribers_at_most_every_three_seconds(member, neighbour, room, connect):
    alice, nina = await connect(member), await connect(neighbour)
    await _subscribed(alice, room.id)
    await _subscribed(nina, room.id)
    await alice.send({"type": "typing", "room_id": room.id})
    await alice.send({"type": "typing", "room_id": room.id})
    typing = await nina.expect("typing")
    assert typing["user"] == {"id": member.id, "display_name": "Marc"}
    await _no_second_typing(nina)


async def test_typing_is_not_sent_back_to_the_typer_s_sockets(member, neighbour, room, connect):
    phone, tablet, nina = await connect(member), await connect(member), await connect(neighbour)
    for socket in (phone, tablet, nina):
        await _subscribed(socket, room.id)
    await phone.send({"type": "typing", "room_id": room.id})
    assert (await nina.expect("typing"))["user"]["id"] == member.id
    await phone.nothing()
    await tablet.nothing()


async def test_typing_in_a_room_not_subscribed_is_refused(member, room, connect):
    alice = await connect(member)
    await alice.send({"type": "typing", "room_id": room.id})
    error = await alice.expect("error")
    assert (error["code"], error["ref"]) == ("not_subscribed", None)


async def _no_second_typing(socket):
    await socket.nothing(timeout=0.4, ignore=("presence.changed", "ack"))


async def _presence_of(socket, user_id):
    """(neighbourhood id, online) from the next presence.changed that names her."""
    while True:
        frame = await socket.expect("presence.changed")
        if user_id in frame["online"] + frame["offline"]:
            return frame["neighbourhood_id"], user_id in frame["online"]


async def test_presence_follows_sockets(member, neighbour, room, connect):
    alice = await connect(member)
    nina = await connect(neighbour)
    assert await _presence_of(alice, neighbour.id) == (room.neighbourhood_id, True)
    second_device = await connect(neighbour)
    await nina.close()
    await alice.nothing()  # still online on her second device
    await second_device.close()
    assert await _presence_of(alice, neighbour.id) == (room.neighbourhood_id, False)


async def test_arrivals_and_departures_of_one_interval_reach_each_socket_in_one_frame(
    member, neighbour, saint_malo, connect, settings
):
    settings.CHAT_ACTIVITY_SECONDS = 2  # the connects below fall in one interval, even on a slow machine
    alice = await connect(member)
    assert (await alice.expect("presence.changed", timeout=3))["online"] == [member.id]  # her own arrival

    def resident(name):
        user = make_user(f"{name.lower()}@example.org", name=name)
        make_membership(user, saint_malo, state="verified")
        return user

    bruno, chloe = [await sync_to_async(resident)(name) for name in ("Bruno", "Chloé")]
    nina, bruno_socket = await connect(neighbour), await connect(bruno)
    chloe_socket = await connect(chloe)
    await chloe_socket.close()  # came and went: her latest state only
    changed = await alice.expect("presence.changed")
    assert changed == {"type": "presence.changed", "neighbourhood_id": saint_malo.id,
                       "online": sorted([neighbour.id, bruno.id]), "offline": [chloe.id]}
    await alice.nothing(timeout=2.5, ignore=())
    await nina.nothing()  # the frame above reached her too
    await bruno_socket.close()
    assert (await nina.expect("presence.changed"))["offline"] == [bruno.id]


async def test_read_markers_and_unread_counts_stay_live_on_every_device(member, neighbour, room, connect):
    phone, tablet = await connect(neighbour), await connect(neighbour)
    alice = await connect(member)
    await _send(alice, room.id, "Un", "1")
    await _send(alice, room.id, "Deux", "2")
    activity = await tablet.expect("rooms.activity")
    assert activity["rooms"] == [{"room_id": room.id, "seq": 2, "author_ids": [member.id, member.id]}]
    await phone.send({"type": "read", "ref": "r1", "room_id": room.id, "seq": 1})
    answer = await phone.expect("read.updated")
    assert (answer["ref"], answer["seq"], answer["unread"]) == ("r1", 1, 1)
    told = await tablet.expect("read.updated")
    assert (told["seq"], told["unread"]) == (1, 1) and "ref" not in told
    await phone.nothing(ignore=("presence.changed", "rooms.activity"))  # the answer only, not the broadcast too
    # The same seq again: the marker as it is, to the asking socket only.
    await phone.send({"type": "read", "ref": "r2", "room_id": room.id, "seq": 1})
    assert (await phone.expect("read.updated"))["ref"] == "r2"
    await tablet.nothing(ignore=("presence.changed", "rooms.activity"))
    await phone.send({"type": "read", "room_id": room.id, "seq": 2})
    assert "ref" not in (await phone.expect("read.updated"))
    assert (await tablet.expect("read.updated"))["unread"] == 0


@pytest.mark.parametrize(
    ("seq", "code", "extra"), [(3, "seq_out_of_range", {"last_seq": 2}), (0, "read_backwards", {"read_seq": 1})]
)
async def test_a_read_marker_beyond_the_room_or_backwards_is_refused_and_changes_nothing(
    member, neighbour, room, connect, seq, code, extra
):
    from backend.chat.models import ReadMarker

    alice, phone, tablet = await connect(member), await connect(neighbour), await connect(neighbour)
    await _send(alice, room.id, "Un", "1")
    await _send(alice, room.id, "Deux", "2")
    await phone.send({"type": "read", "room_id": room.id, "seq": 1})
    await phone.expect("read.updated")
    await tablet.expect("read.updated")
    await phone.send({"type": "read", "ref": "bad", "room_id": room.id, "seq": seq})
    error = await phone.expect("error")
    assert (error["code"], error["ref"]) == (code, "bad") and error["message"]
    assert {key: error[key] for key in extra} == extra
    await tablet.nothing(ignore=("presence.changed", "rooms.activity"))
    assert await ReadMarker.objects.filter(user=neighbour).values_list("room_id", "read_seq").aget() == (room.id, 1)
    await phone.ping_works()


async def test_every_unread_count_agrees_after_reading_part_of_a_room(member, neighbour, room, connect, client_for):
    """REST chat_rooms, a new socket's hello, the read.updated frame and the phone badge."""
    from backend.chat.selectors import unread_badges
    from backend.chat.services import message_moderate

    alice = await connect(member)
    acks = [await _send(alice, room.id, f"n°{i}", f"m{i}") for i in range(1, 7)]
    nina = await connect(neighbour)
    await _send(nina, room.id, "la mienne", "own")  # seq 7: hers
    await alice.send({"type": "message.delete", "ref": "d", "message_id": acks[3].get("message_id")})  # seq 4
    await alice.expect("ack")

    def hide(message_id):
        message_moderate(message=Message.objects.select_related("room").get(pk=message_id), hidden=True)

    await sync_to_async(hide)(acks[4]["message_id"])  # seq 5
    await nina.send({"type": "read", "ref": "part", "room_id": room.id, "seq": 2})
    answer = await nina.expect("read.updated")
    # After seq 2: 3 and 6 (4 deleted, 5 hidden, 7 hers).
    assert (answer["ref"], answer["unread"]) == ("part", 2)
    rest = await sync_to_async(lambda: client_for(neighbour).get("/api/v1/chat/rooms/").json())()
    hello = (await connect(neighbour)).hello
    badge = (await sync_to_async(unread_badges)(user_ids={neighbour.id}))[neighbour.id]
    assert [r["unread"] for r in rest if r["id"] == room.id] == [2]
    assert [r["unread"] for r in hello["rooms"] if r["id"] == room.id] == [2]
    assert badge == 2


# Limits and bad input


@pytest.mark.parametrize(
    "raw, code",
    [
        ("{not json", "malformed_json"),
        ("[1, 2]", "invalid_frame"),
        ('{"type": "teleport"}', "unknown_type"),
        ('{"type": "message.send", "ref": "a", "text": "Salut"}', "invalid_frame"),
        ('{"type": "message.send", "ref": "a", "room_id": "un", "text": "Salut"}', "invalid_frame"),
        ('{"type": "subscribe", "room_id": 1, "extra": true}', "invalid_frame"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_usable(member, neighbour, room, connect, raw, code):
    alice, nina = await connect(member), await connect(neighbour)
    await _subscribed(nina, room.id)
    await alice.send(raw)
    error = await alice.expect("error")
    assert error["code"] == code and error["message"]
    await alice.ping_works()
    await nina.nothing()
    assert not await Message.objects.aexists()


async def test_over_long_text_and_oversized_frames(member, room, connect):
    alice = await connect(member)
    await alice.send({"type": "message.send", "ref": "long", "room_id": room.id, "text": "x" * 4001})
    error = await alice.expect("error")
    assert (error["code"], error["ref"]) == ("invalid_frame", "long")
    await alice.send({"type": "message.send", "ref": "huge", "room_id": room.id, "text": "x" * 70_000})
    error = await alice.expect("error")
    assert (error["code"], error["ref"]) == ("frame_too_large", "huge")
    await alice.send({"type": "message.send", "room_id": room.id, "text": "x" * 70_000, "ref": "last"})
    assert (await alice.expect("error"))["ref"] == "last"
    await alice.send({"type": "message.send", "room_id": room.id, "text": "x" * 70_000})
    assert (await alice.expect("error"))["ref"] is None
    await alice.send({"type": "message.send", "ref": "blank", "room_id": room.id, "text": "   "})
    assert (await alice.expect("error"))["code"] == "text_blank"
    await alice.ping_works()
    assert not await Message.objects.aexists()


async def test_a_flood_is_rate_limited(member, room, connect, settings):
    settings.CHAT_WRITES_PER_WINDOW = 3
    alice = await connect(member)
    for index in range(3):
        await _send(alice, room.id, "spam", f"s{index}")
    await alice.send({"type": "message.send", "ref": "s3", "room_id": room.id, "text": "spam"})
    error = await alice.expect("error")
    assert error["code"] == "rate_limited" and 1 <= error["retry_after"] <= 10
    assert await Message.objects.acount() == 3


async def test_at_most_n_sockets_per_user(member, connect, settings):
    settings.CHAT_MAX_SOCKETS_PER_USER = 2
    await connect(member)
    await connect(member)
    third = await connect(member, expect_hello=False)
    assert await third.closed_with() == 4409


async def test_an_idle_socket_is_closed(member, connect, settings):
    settings.CHAT_IDLE_TIMEOUT_SECONDS = 0.3
    settings.CHAT_SWEEP_SECONDS = 0.1
    socket = await connect(member)
    assert await socket.closed_with(timeout=3) == 4408


# Revocation


async def test_revoking_a_member_takes_her_out_of_the_rooms_at_once(member, neighbour, moderator, room, connect):
    from backend.trust.models import Membership
    from backend.trust.services import membership_revoke

    nina = await connect(neighbour)
    await _subscribed(nina, room.id)
    membership = await Membership.objects.aget(user=neighbour)
    await sync_to_async(membership_revoke)(actor=moderator, membership=membership, reason="Faux profil")
    left = await nina.expect("room.left")
    assert (left["room_id"], left["reason"]) == (room.id, "membership_revoked")
    alice = await connect(member)
    await _send(alice, room.id, "Elle ne lit plus ceci", "after")
    await nina.nothing()
    await nina.send({"type": "subscribe", "room_id": room.id})
    assert (await nina.expect("error"))["code"] == "no_access"


async def test_revoking_the_token_ends_its_sockets(member, connect):
    from backend.accounts.models import DeviceToken
    from backend.accounts.services import token_create, token_revoke
    from backend.chat import services

    token, _ = await sync_to_async(token_create)(user=member)
    ticket = await sync_to_async(services.ticket_issue)(user=member, token_id=token.pk)
    socket = Socket(communicator(f"/ws/v1/?ticket={ticket}"))
    await socket.communicator.connect()
    await socket.expect("hello")
    await sync_to_async(token_revoke)(token=await DeviceToken.objects.aget(pk=token.pk))
    assert (await socket.expect("session.ended"))["reason"] == "token_revoked"
    assert await socket.closed_with() == 4401


async def test_a_ticket_of_a_revoked_token_opens_nothing(member):
    from backend.accounts.services import token_create, token_revoke
    from backend.chat import services

    token, _ = await sync_to_async(token_create)(user=member)
    ticket = await sync_to_async(services.ticket_issue)(user=member, token_id=token.pk)
    await sync_to_async(token_revoke)(token=token)
    socket = communicator(f"/ws/v1/?ticket={ticket}")
    await socket.connect()
    assert await socket.receive_output(3) == {"type": "websocket.close", "code": 4401}


async def test_unsubscribe_stops_the_room_frames(member, neighbour, room, connect):
    alice, nina = await connect(member), await connect(neighbour)
    await _subscribed(nina, room.id)
    await nina.send({"type": "unsubscribe", "room_id": room.id, "ref": "u"})
    assert (await nina.expect("unsubscribed"))["ref"] == "u"
    await _send(alice, room.id, "Plus pour Nina en direct", "x")
    activity = await nina.expect("rooms.activity")
    assert [body["room_id"] for body in activity["rooms"]] == [room.id]
    await nina.nothing()


async def test_messages_got_live_before_unsubscribing_are_not_counted_again(member, neighbour, room, connect, settings):
    """She reads a room, then leaves it within one interval: rooms.activity lists only
    what came after (her unread count already moved with the live frames)."""
    settings.CHAT_ACTIVITY_SECONDS = 1.5  # all of it within one interval, even on a slow machine
    alice, nina = await connect(member), await connect(neighbour)
    await _subscribed(nina, room.id)
    await _send(alice, room.id, "Lu en direct", "live")
    assert (await nina.expect("message.new"))["message"]["text"] == "Lu en direct"
    await nina.send({"type": "unsubscribe", "room_id": room.id, "ref": "u"})
    await nina.expect("unsubscribed")
    await nina.nothing(timeout=2)  # the interval ends: nothing she has not seen

    await _subscribed(nina, room.id)
    await _send(alice, room.id, "Vu", "seen")
    await nina.expect("message.new")
    await nina.send({"type": "unsubscribe", "room_id": room.id, "ref": "u2"})
    await nina.expect("unsubscribed")
    await _send(alice, room.id, "Après son départ", "after")
    activity = await nina.expect("rooms.activity")
    assert activity["rooms"] == [{"room_id": room.id, "seq": 3, "author_ids": [member.id]}]


async def test_busy_rooms_reach_the_others_in_one_activity_frame_per_interval(
    member, neighbour, room, saint_malo, connect, settings
):
    from backend.chat.models import Room

    settings.CHAT_ACTIVITY_SECONDS = 2  # the three sends below fall in one interval, even on a slow machine

    topic = await Room.objects.acreate(neighbourhood=saint_malo, kind="topic", name="Entraide")
    alice, nina, reader = await connect(member), await connect(neighbour), await connect(neighbour)
    await _subscribed(alice, room.id)
    await _subscribed(reader, topic.id)
    for target, text, ref in ((room.id, "Un", "1"), (topic.id, "Deux", "2"), (room.id, "Trois", "3")):
        await _send(alice, target, text, ref)
    # Nina follows neither room: both in one frame; the reader of the topic hears of the
    # other room only; Alice, subscribed to the default room, of the topic.
    told = await nina.expect("rooms.activity")
    assert sorted((body["room_id"], body["seq"], body["author_ids"]) for body in told["rooms"]) == [
        (room.id, 2, [member.id, member.id]), (topic.id, 1, [member.id])
    ]
    assert (await reader.expect("rooms.activity"))["rooms"] == [{"room_id": room.id, "seq": 2, "author_ids": [member.id, member.id]}]
    assert (await alice.expect("rooms.activity"))["rooms"] == [{"room_id": topic.id, "seq": 1, "author_ids": [member.id]}]
    await nina.nothing(ignore=("presence.changed",))


async def test_unsubscribe_is_idempotent(member, room, connect):
    alice = await connect(member)
    for room_id, ref in ((room.id, "never-subscribed"), (999999, "unknown-room")):
        await alice.send({"type": "unsubscribe", "room_id": room_id, "ref": ref})
        answer = await alice.expect("unsubscribed")
        assert (answer["room_id"], answer["ref"]) == (room_id, ref)
    await _subscribed(alice, room.id)
    for ref in ("once", "twice"):
        await alice.send({"type": "unsubscribe", "room_id": room.id, "ref": ref})
        assert (await alice.expect("unsubscribed"))["ref"] == ref


# Posts of the feed arrive as cards


async def test_a_post_sent_over_the_socket_arrives_as_a_card_and_its_changes_live(member, neighbour, room, connect):
    from backend.feed.models import Post
    from backend.feed.services import post_respond, post_status_set
    from tests.feed.test_domain import VALID

    author, reader = await connect(member), await connect(neighbour)
    await _subscribed(reader, room.id)
    await author.send({"type": "post.create", "ref": "post-1", "kind": "event", "title": "Apéro de rue",
                       "details": VALID["event"]})
    ack = await author.expect("ack")
    post = await sync_to_async(Post.objects.get)(pk=ack["post_id"])
    assert (ack["ref"], ack["room_id"], ack["message_id"]) == ("post-1", room.id, post.message_id)
    new = await reader.expect("message.new")
    assert new["message"]["card"]["post_id"] == post.pk and new["message"]["text"] == "Apéro de rue"

    await author.send({"type": "post.create", "ref": "post-1", "kind": "event", "title": "Apéro de rue",
                       "details": VALID["event"]})
    assert (await author.expect("ack")) == ack
    await reader.nothing()

    await sync_to_async(post_status_set)(actor=member, post_id=post.pk, status="closed")
    updated = await reader.expect("card.updated")
    assert (updated["message_id"], updated["card"]["status"], updated["seq"]) == (post.message_id, "closed", new["seq"] + 1)

    classified = await sync_to_async(_classified)(member)
    answer = await sync_to_async(post_respond)(actor=neighbour, post_id=classified.pk)
    card_update = await reader.expect("card.updated")
    assert card_update["message_id"] == classified.message_id and card_update["card"]["responses"] == 1
    assert answer.response.room_id != room.id


def _classified(author):
    from backend.feed.services import post_create
    from tests.feed.test_domain import VALID

    return post_create(author=author, kind="classified", title="Vélo", details=VALID["classified"], client_id="c").post


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"kind": "event", "title": "Fête", "details": {"start": "2026-11-30T18:00:00+00:00", "place": "Ici"}},
         "invalid_post_details"),
        ({"kind": "barter", "title": "Troc", "details": {}}, "invalid_frame"),
        ({"kind": "help_request", "title": "Aide", "details": "arroser"}, "invalid_frame"),
        ({"kind": "help_request", "title": "Aide", "details": {"what": "x", "when": "2030-01-01T10:00:00+00:00"},
          "expires_at": "bientôt"}, "invalid_post_details"),
        ({"kind": "help_request", "title": "Aide", "details": {"what": "x", "when": "2030-01-01T10:00:00+00:00"},
          "room_id": 999999}, "room_not_found"),
    ],
)
async def test_bad_posts_over_the_socket_get_an_error_and_change_nothing(member, neighbour, room, connect, frame, code):
    from backend.feed.models import Post

    author, reader = await connect(member), await connect(neighbour)
    await _subscribed(reader, room.id)
    await author.send({"type": "post.create", "ref": "bad", **frame})
    error = await author.expect("error")
    assert (error["code"], error["ref"]) == (code, "bad")
    await author.ping_works()
    await reader.nothing()
    assert not await sync_to_async(Post.objects.exists)()


async def test_rooms_created_while_connected_are_announced(member, neighbour, moderator, saint_malo, connect):
    from backend.chat.services import room_direct_open, room_topic_create

    socket, other = await connect(member), await connect(neighbour)
    direct = await sync_to_async(room_direct_open)(actor=neighbour, other_id=member.id)
    for device in (socket, other):
        added = await device.expect("room.added")
        assert added["room"]["id"] == direct.id and added["room"]["kind"] == "direct"
        assert {p["id"] for p in added["room"]["participants"]} == {member.id, neighbour.id}
    await sync_to_async(room_direct_open)(actor=member, other_id=neighbour.id)  # the same room: nothing new
    topic = await sync_to_async(room_topic_create)(actor=moderator, neighbourhood=saint_malo, name="Entraide")
    added = await socket.expect("room.added")
    assert (added["room"]["id"], added["room"]["name"], added["room"]["unread"]) == (topic.id, "Entraide", 0)
    await socket.nothing()
    await _subscribed(socket, direct.id)


# Connecting: what a failed connect gives back, what it says, and hello first


async def test_a_connect_that_fails_after_joining_the_hub_gives_back_everything(member, neighbour, room, connect,
                                                                                   settings, monkeypatch):
    from backend.chat import arrivals
    from backend.chat.hub import current_hub

    settings.CHAT_MAX_SOCKETS_PER_USER = 1
    nina = await connect(neighbour)

    def broken(readers):
        raise RuntimeError("hello could not be built")

    monkeypatch.setattr(arrivals, "hello_rooms_of", broken)
    failed = await connect(member, expect_hello=False)
    error = await failed.expect("error")
    assert (error["code"], error["ref"]) == ("server_error", None)
    assert await failed.closed_with() == 1011
    hub = current_hub()
    assert member.id not in hub.by_user
    assert all(member.id not in {s.user_id for s in sockets} for sockets in hub.by_neighbourhood.values())
    monkeypatch.undo()
    # Her one place is free again, and the next connect works.
    again = await connect(member)
    assert member.id in again.hello["presence"][0]["online"]
    while not (await _presence_of(nina, member.id))[1]:
        pass  # (the failed connect may have said she is offline: she was)
    await again.close()
    assert (await _presence_of(nina, member.id))[1] is False


async def test_a_connect_that_finds_the_database_busy_is_told_to_retry(member, room, connect, settings, monkeypatch):
    from django.db import OperationalError
    from psycopg_pool import PoolTimeout

    from backend.chat import arrivals

    def busy(readers):
        try:
            raise PoolTimeout("couldn't get a connection after 3.00 sec")
        except PoolTimeout as exc:
            raise OperationalError("couldn't get a connection") from exc

    monkeypatch.setattr(arrivals, "hello_rooms_of", busy)
    settings.SERVER_BUSY_RETRY_AFTER = 3
    refused = await connect(member, expect_hello=False)
    error = await refused.expect("error")
    assert (error["code"], error["retry_after"]) == ("server_busy", 3)
    assert await refused.closed_with() == 1013
    monkeypatch.undo()
    await connect(member)


async def test_nothing_reaches_a_socket_before_its_hello(member, neighbour, room, connect, monkeypatch):
    import threading

    from backend.chat import arrivals

    building, release = threading.Event(), threading.Event()
    build = arrivals.hello_rooms_of

    def slow(readers):
        building.set()
        release.wait(3)
        return build(readers)

    monkeypatch.setattr(arrivals, "hello_rooms_of", slow)
    opening = asyncio.ensure_future(connect(member, expect_hello=False))
    await asyncio.get_running_loop().run_in_executor(None, building.wait, 3)
    monkeypatch.undo()
    # Meanwhile a neighbour comes online and a message is posted: frames for her socket,
    # which has joined the hub but has not had its hello yet.
    nina = await connect(neighbour)
    await _send(nina, room.id, "Avant le hello d'Alice", "early")
    await asyncio.sleep(0.7)  # rooms.activity goes out every half-second
    release.set()
    alice = await opening
    first = await alice.recv()
    assert first["type"] == "hello"
    # Then her own arrival and Nina's (in one presence.changed frame or two), and the activity.
    online, types = set(), set()
    while not (online >= {member.id, neighbour.id} and "rooms.activity" in types):
        frame = await alice.recv()
        types.add(frame["type"])
        online.update(frame.get("online", ()))
    assert types == {"presence.changed", "rooms.activity"}


def test_a_batch_goes_to_the_wire_in_one_write_only_when_nothing_else_must_come_first(monkeypatch, settings):
    from backend.chat import consumers, wire

    written = []
    monkeypatch.setattr(wire, "write_all", lambda connection, texts: written.append(texts) or True)
    socket = consumers.RoomSocket.__new__(consumers.RoomSocket)
    socket.before_hello, socket.closing, socket.backlog = None, False, None
    socket.catching_up, socket.connection = {7: ["older"]}, object()
    batch = ["un", "deux"]

    socket.deliver_all(batch, 8)  # plainly open: one write
    assert written == [batch]
    socket.deliver_all(batch, 7)  # catching up on that room: after what it is catching up with
    assert socket.catching_up[7] == ["older", "un", "deux"] and written == [batch]
    socket.backlog = deque(["waiting"])  # a send waits for the peer: behind it, in order
    socket.deliver_all(batch, 8)
    assert list(socket.backlog) == ["waiting", "un", "deux"] and written == [batch]
