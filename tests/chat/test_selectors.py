"""Unread is one computation: chat_rooms and hello (readable_rooms), read.updated
(unread_count) and the phone badge (unread_badges) count the same messages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.chat import selectors
from backend.chat.models import Message, ReadMarker, Room
from backend.chat.services import (
    message_delete, message_moderate, message_post, read_mark, room_direct_open, room_topic_create, rooms_ensure_default,
)
from backend.trust.models import Membership
from tests.conftest import make_membership, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour(saint_malo):
    user = make_user("neighbour@example.org", name="Nina")
    make_membership(user, saint_malo, state="verified", street="Rue Jacques Cartier")
    return user


@pytest.fixture
def room_of_kind(saint_malo, member, neighbour, moderator):
    def make(kind: str) -> Room:
        rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
        if kind == "default":
            return Room.objects.get(neighbourhood=saint_malo, kind="default")
        if kind == "topic":
            return room_topic_create(actor=moderator, neighbourhood=saint_malo, name="Entraide")
        return room_direct_open(actor=member, other_id=neighbour.id)

    return make


def _every_kind_of_message(room: Room, author, reader) -> None:
    """seq 1 plain, 2 deleted by its author, 3 removed by a moderator, 4 the reader's own,
    5 hidden after reports, 6 and 7 plain."""
    acks = [message_post(author=author, room_id=room.id, text=f"n°{i}", client_id=f"{room.id}-{i}") for i in (1, 2, 3)]
    acks.append(message_post(author=reader, room_id=room.id, text="à moi", client_id=f"{room.id}-4"))
    acks += [message_post(author=author, room_id=room.id, text=f"n°{i}", client_id=f"{room.id}-{i}") for i in (5, 6, 7)]
    assert [ack.seq for ack in acks] == [1, 2, 3, 4, 5, 6, 7]
    message_delete(actor=author, message_id=acks[1].message_id)
    message_moderate(message=Message.objects.select_related("room").get(pk=acks[2].message_id), removed=True)
    message_moderate(message=Message.objects.select_related("room").get(pk=acks[4].message_id), hidden=True)


def _counts(user, room: Room) -> tuple[int, int, int]:
    """(readable_rooms, unread_count, unread_badges) for her in this room."""
    listed = {r.pk: r.unread for r in selectors.readable_rooms(user=user)}
    marker = ReadMarker.objects.filter(user=user, room=room).values_list("read_seq", flat=True).first() or 0
    return listed[room.pk], selectors.unread_count(user=user, room=room, read_seq=marker), selectors.unread_badges(
        user_ids={user.pk}
    )[user.pk]


def test_the_look_up_of_sent_messages_matches_author_and_client_id_together_and_reads_the_rooms(room_of_kind, member, neighbour):
    room = room_of_kind("default")
    member_y = message_post(author=member, room_id=room.id, text="y", client_id="y")
    neighbour_x = message_post(author=neighbour, room_id=room.id, text="x", client_id="x")
    asked = {(member.pk, "x"), (neighbour.pk, "y"), (neighbour.pk, "x")}
    reads = selectors.posting_reads(pairs=asked, room_ids={room.id, 999999})
    assert {key: message.pk for key, message in reads.sent.items()} == {(neighbour.pk, "x"): neighbour_x.message_id}
    assert list(reads.rooms) == [room.id]
    assert (reads.rooms[room.id].kind, reads.rooms[room.id].neighbourhood_id) == ("default", room.neighbourhood_id)
    assert reads.access[(member.pk, room.neighbourhood_id)].is_member
    assert selectors.posting_reads(pairs={(member.pk, "y")}, room_ids=set()).sent[(member.pk, "y")].seq == member_y.seq
    assert selectors.posting_reads(pairs=set(), room_ids=set()) == selectors.PostingReads({}, {}, {})


def test_posting_reads_ask_the_access_with_the_rooms_once_the_process_knows_them(
    room_of_kind, member, outsider, django_assert_num_queries
):
    room = room_of_kind("default")
    selectors._room_neighbourhoods.clear()
    asked = {(member.pk, "a"), (outsider.pk, "b")}
    with django_assert_num_queries(2):  # the rooms, then the access in their neighbourhood
        first = selectors.posting_reads(pairs=asked, room_ids={room.id})
    with django_assert_num_queries(1):
        again = selectors.posting_reads(pairs=asked, room_ids={room.id})
    assert again == first
    assert first.access[(member.pk, room.neighbourhood_id)].is_member
    assert not first.access[(outsider.pk, room.neighbourhood_id)].can_read


def test_posting_reads_do_not_trust_a_neighbourhood_remembered_for_a_room_id(room_of_kind, member, dinard):
    """Were a room id ever another room's (a database restored, a test's reset
    sequence), its remembered neighbourhood is checked against the row it reads."""
    room = room_of_kind("default")
    selectors._room_neighbourhoods[room.id] = dinard.pk
    reads = selectors.posting_reads(pairs={(member.pk, "a")}, room_ids={room.id})
    assert reads.access[(member.pk, room.neighbourhood_id)].is_member
    assert selectors._room_neighbourhoods[room.id] == room.neighbourhood_id


@pytest.mark.parametrize("kind", ["default", "topic", "direct"])
def test_unread_counts_only_what_she_can_read_that_is_not_hers_after_her_marker(room_of_kind, member, neighbour, kind):
    room = room_of_kind(kind)
    _every_kind_of_message(room, member, neighbour)
    # Unread for Nina: 1, 6 and 7 (2 deleted, 3 removed, 4 hers, 5 hidden).
    assert _counts(neighbour, room) == (3, 3, 3)
    read_mark(user=neighbour, room_id=room.id, seq=2)
    assert _counts(neighbour, room) == (2, 2, 2)
    frame = read_mark(user=neighbour, room_id=room.id, seq=6)
    assert frame["unread"] == 1 and _counts(neighbour, room) == (1, 1, 1)
    # Marc's own messages never count for him; Nina's one does.
    assert _counts(member, room) == (1, 1, 1)


def test_the_badge_adds_up_her_rooms_and_stops_at_99(saint_malo, member, neighbour, moderator):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    default = Room.objects.get(neighbourhood=saint_malo, kind="default")
    topic = room_topic_create(actor=moderator, neighbourhood=saint_malo, name="Entraide")
    direct = room_direct_open(actor=member, other_id=neighbour.id)
    for target, count in ((default, 3), (topic, 2), (direct, 4)):
        for i in range(count):
            message_post(author=member, room_id=target.id, text="x", client_id=f"{target.id}-{i}")
    # A moderator who is also a verified member counts each room once; she does not
    # read direct conversations of others.
    make_membership(moderator, saint_malo, state="verified", street="Rue Thiers")
    assert selectors.unread_badges(user_ids={neighbour.id, moderator.id, member.id}) == {
        neighbour.id: 9, moderator.id: 5, member.id: 0
    }
    Message.objects.bulk_create(
        Message(room=topic, seq=100 + i, changed_seq=100 + i, author=member, client_id=f"bulk-{i}", text="x",
                created_at=direct.created_at)
        for i in range(120)
    )
    assert selectors.unread_badges(user_ids={neighbour.id}) == {neighbour.id: 99}
    assert {r.pk: r.unread for r in selectors.readable_rooms(user=neighbour)}[topic.pk] == 122  # the list is not capped
    # Revoked, she reads none of them, her direct conversation neither.
    Membership.objects.filter(user=neighbour).update(state="revoked")
    assert list(selectors.readable_rooms(user=neighbour)) == []
    assert selectors.unread_badges(user_ids={neighbour.id}) == {neighbour.id: 0}


def test_nobody_gets_no_badge(db):
    assert selectors.unread_badges(user_ids=set()) == {}


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_the_room_list_costs_two_queries_whatever_the_number_of_rooms(saint_malo, member, neighbour, moderator):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    room_direct_open(actor=member, other_id=neighbour.id)

    def listed():
        return [(room.pk, room.unread) for room in selectors.readable_rooms(user=neighbour)]

    # Her neighbourhoods (memberships and moderated, in one), then the rooms with their counts.
    assert _queries(listed) == 2
    for i in range(5):
        topic = room_topic_create(actor=moderator, neighbourhood=saint_malo, name=f"Salon {i}")
        message_post(author=member, room_id=topic.id, text="x", client_id=f"t{i}")
    assert _queries(listed) == 2 and len(listed()) == 7


def test_badges_cost_one_query_whatever_the_number_of_people_and_rooms(saint_malo, member, neighbour, moderator):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    assert _queries(lambda: selectors.unread_badges(user_ids={neighbour.id})) == 1
    others = {make_membership(make_user(f"v{i}@example.org"), saint_malo, state="verified").user_id for i in range(5)}
    for i in range(3):
        room_topic_create(actor=moderator, neighbourhood=saint_malo, name=f"Salon {i}")
    room_direct_open(actor=member, other_id=neighbour.id)
    assert _queries(lambda: selectors.unread_badges(user_ids={neighbour.id, member.id, moderator.id, *others})) == 1


def test_the_rooms_of_hello_cost_two_queries_whatever_the_number_of_rooms_and_readers(
    saint_malo, dinard, member, neighbour, moderator, outsider
):
    from backend.chat.arrivals import hello_rooms_of
    from backend.chat.frames import room_body

    readers = {user.pk: selectors.readable_neighbourhood_ids(user=user) for user in (member, neighbour, moderator, outsider)}
    # The first time only, each neighbourhood's default room is made (a look, a savepoint
    # around each insert) and the lists read again.
    assert _queries(lambda: hello_rooms_of(readers)) > 2
    assert _queries(lambda: hello_rooms_of(readers)) == 2
    for i in range(4):
        topic = room_topic_create(actor=moderator, neighbourhood=saint_malo, name=f"Salon {i}")
        message_post(author=member, room_id=topic.id, text="x", client_id=f"t{i}")
    room_direct_open(actor=member, other_id=neighbour.id)
    assert _queries(lambda: hello_rooms_of(readers)) == 2
    hello = hello_rooms_of(readers)
    assert [room["unread"] for room in hello[neighbour.pk]] == [0, 1, 1, 1, 1, 0]
    # Each reader's list is readable_rooms' (chat_rooms over REST), in its order.
    for user in (member, neighbour, moderator, outsider):
        assert hello[user.pk] == [room_body(room, unread=room.unread) for room in selectors.readable_rooms(user=user)]
