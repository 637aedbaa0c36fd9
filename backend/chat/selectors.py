from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.accounts.models import DeviceToken, User
from backend.chat import domain
from backend.chat.models import Message, Reaction, ReadMarker, Room
from backend.common.db import fetch_together
from backend.common.errors import VoisinsError
from backend.common.personal_data import Section
from backend.neighbourhoods.models import Neighbourhood
from backend.trust.models import Membership
from backend.trust.selectors import (
    NeighbourhoodAccess,
    access_from_rows,
    access_map,
    access_statement,
    neighbourhood_access,
    neighbourhood_readers,
)


def readable_neighbourhood_ids(*, user: User) -> list[int]:
    """Neighbourhoods whose rooms the user reads: where she is a verified member, and
    those she moderates (one query)."""
    return readable_neighbourhood_ids_of(user_ids=[user.pk])[user.pk]


def readable_neighbourhood_ids_of(*, user_ids: list[int]) -> dict[int, list[int]]:
    """readable_neighbourhood_ids of each of these users, in one query whatever their number."""
    member_of = Membership.objects.filter(user_id__in=user_ids, state=Membership.State.VERIFIED).values_list(
        "user_id", "neighbourhood_id"
    )
    moderated = Neighbourhood.moderators.through.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "neighbourhood_id"
    )
    readable: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    for user_id, neighbourhood_id in member_of.order_by().union(moderated.order_by()):
        readable[user_id].add(neighbourhood_id)
    return {user_id: sorted(ids) for user_id, ids in readable.items()}


# What messages_post needs of a room: its identity and kind (the other columns load if asked).
_POSTED_ROOM_COLUMNS = [field.attname for field in Room._meta.concrete_fields
                        if field.attname in {"id", "neighbourhood_id", "kind", "name", "user_a_id", "user_b_id"}]
# Room id -> its neighbourhood's, which never changes: when this process knows them, the
# authors' access goes in the same round trip as the rooms. Emptied at its bound.
_room_neighbourhoods: dict[int, int] = {}
ROOM_NEIGHBOURHOODS_KEPT = 100_000


@dataclass(frozen=True)
class PostingReads:
    sent: dict[tuple[int, str], Message]  # (author id, client id) -> the message it created
    rooms: dict[int, Room]
    access: dict[tuple[int, int], NeighbourhoodAccess]  # access_map of the authors in the rooms' neighbourhoods


def posting_reads(*, pairs: set[tuple[int, str]], room_ids: set[int]) -> PostingReads:
    """What a batch of sends reads before it writes, in one round trip once this process
    has seen its rooms: the messages these (author id, client id) pairs already created,
    the rooms of these ids, and the authors' access to the rooms' neighbourhoods. The
    pairs are looked up as pairs, on their unique index: filtering authors and client
    ids apart read every message of the batch's authors, a cost that grew with their
    history (bench/store.py: 12 ms for fifty authors of 400 messages each, 0.7 ms as
    pairs). A resend's message is then read whole, in a second query."""
    author_ids = {author_id for author_id, _ in pairs}
    queries = []
    if pairs:
        queries.append((
            f"SELECT author_id, client_id, id FROM {Message._meta.db_table}"
            f" WHERE (author_id, client_id) IN ({', '.join(['(%s, %s)'] * len(pairs))})",
            [value for pair in sorted(pairs) for value in pair],
        ))
    if room_ids:
        queries.append((
            f"SELECT {', '.join(_POSTED_ROOM_COLUMNS)} FROM {Room._meta.db_table}"
            f" WHERE id IN ({', '.join(['%s'] * len(room_ids))})",
            sorted(room_ids),
        ))
    neighbourhood_ids = {_room_neighbourhoods.get(room_id) for room_id in room_ids}
    access_asked = bool(room_ids) and bool(author_ids) and None not in neighbourhood_ids
    if access_asked:
        queries.append(access_statement(user_ids=author_ids, neighbourhood_ids=neighbourhood_ids))
    results = iter(fetch_together(queries) if queries else ())
    sent = next(results) if pairs else []
    rooms = {row[0]: Room.from_db(connection.alias, _POSTED_ROOM_COLUMNS, row) for row in (next(results) if room_ids else ())}
    if len(_room_neighbourhoods) + len(rooms) > ROOM_NEIGHBOURHOODS_KEPT:
        _room_neighbourhoods.clear()
    _room_neighbourhoods.update((room.pk, room.neighbourhood_id) for room in rooms.values())
    found = {room.neighbourhood_id for room in rooms.values()}
    if access_asked and found <= neighbourhood_ids:
        access = access_from_rows(user_ids=author_ids, neighbourhood_ids=neighbourhood_ids, rows=next(results))
    else:  # rooms this process had not seen: their neighbourhoods are known now
        access = access_map(user_ids=author_ids, neighbourhood_ids=found)
    whole = Message.objects.in_bulk([message_id for _, _, message_id in sent]) if sent else {}
    return PostingReads(
        # A message gone between the two reads (its room or author deleted) was not sent.
        sent={(author_id, client_id): whole[message_id] for author_id, client_id, message_id in sent if message_id in whole},
        rooms=rooms,
        access=access,
    )


def socket_users(*, tickets: list[tuple[int, int | None]]) -> dict[tuple[int, int | None], User]:
    """The users that socket tickets name, (user id, API token id or None) each, among
    those still active and, for a ticket an app got with its API token, whose token is
    still live: two queries whatever their number."""
    users = {user.pk: user for user in User.objects.filter(pk__in={user_id for user_id, _ in tickets}, is_active=True)}
    token_ids = {token_id for _, token_id in tickets if token_id is not None}
    live = set(
        DeviceToken.objects.filter(pk__in=token_ids, expires_at__gt=timezone.now()).values_list("pk", "user_id")
    ) if token_ids else set()
    return {
        (user_id, token_id): users[user_id]
        for user_id, token_id in tickets
        if user_id in users and (token_id is None or (token_id, user_id) in live)
    }


def room_access(*, user: User, room: Room, access: NeighbourhoodAccess | None = None) -> bool:
    """May she read the room? From `access` when the caller already has it, else one
    question to trust."""
    if access is None:
        access = neighbourhood_access(user=user, neighbourhood_id=room.neighbourhood_id)
    return access.can_read and (room.kind != Room.Kind.DIRECT or user.pk in (room.user_a_id, room.user_b_id))


def room_refusal(*, user: User, room: Room | None, access: NeighbourhoodAccess | None = None) -> str | None:
    if room is None:
        return "room_not_found"
    if not room_access(user=user, room=room, access=access):
        return "no_access"
    return None


def reads_in_full(*, user: User, room: Room) -> bool:
    """Moderators read what they removed and what reports hid, in their neighbourhood's
    rooms (not in direct conversations, which stay private)."""
    return room.kind != Room.Kind.DIRECT and neighbourhood_access(user=user, neighbourhood_id=room.neighbourhood_id).is_moderator


def room_for_reader(*, user: User, room_id: int) -> Room:
    """The room if she may read it; VoisinsError room_not_found or no_access otherwise."""
    room = Room.objects.filter(pk=room_id).first()
    refusal = room_refusal(user=user, room=room)
    if refusal:
        raise VoisinsError(refusal)
    return room


def watchable_rooms(*, neighbourhood_id: int) -> QuerySet[Room]:
    """What a moderator watches: the neighbourhood's rooms but direct conversations."""
    return Room.objects.filter(neighbourhood_id=neighbourhood_id).exclude(kind=Room.Kind.DIRECT).order_by("pk")


def readable_rooms(*, user: User, neighbourhood_ids: list[int] | None = None) -> QuerySet[Room]:
    """The rooms of her neighbourhoods and her direct conversations, each with her
    `unread` count, in one query whatever the number of rooms (`neighbourhood_ids`:
    her readable_neighbourhood_ids, when the caller has them already)."""
    if neighbourhood_ids is None:
        neighbourhood_ids = readable_neighbourhood_ids(user=user)
    rooms = (
        Room.objects.filter(neighbourhood_id__in=neighbourhood_ids)
        .filter(~Q(kind=Room.Kind.DIRECT) | Q(user_a=user) | Q(user_b=user))
        .select_related("user_a", "user_b")
        .order_by(*_ROOM_ORDER)
    )
    return _with_unread(rooms, reader=user.pk)


# How rooms are listed: by neighbourhood, its default room, its topics, then directs.
_ROOM_ORDER = (
    "neighbourhood_id",
    Case(When(kind=Room.Kind.DEFAULT, then=0), When(kind=Room.Kind.TOPIC, then=1), default=2),
    "name",
    "pk",
)


def readable_rooms_of(*, readers: dict[int, list[int]]) -> dict[int, list[tuple[Room, int]]]:
    """readable_rooms of many users at once ({user id: her readable_neighbourhood_ids}),
    as (room, her unread count) in readable_rooms' order: two queries whatever their
    number (the hellos of the sockets that open together, backend/chat/arrivals.py)."""
    if not readers:
        return {}
    counts: dict[int, dict[int, int]] = {reader: {} for reader in readers}
    for reader, room_id, unread in _readable_pairs(set(readers)):
        counts[reader][room_id] = unread
    room_ids = {room_id for rooms in counts.values() for room_id in rooms}
    ordered = Room.objects.filter(pk__in=room_ids).select_related("user_a", "user_b").order_by(*_ROOM_ORDER)
    listed: dict[int, list[tuple[Room, int]]] = {reader: [] for reader in readers}
    for room in ordered:
        for reader, neighbourhood_ids in readers.items():
            unread = counts[reader].get(room.pk)
            if unread is not None and room.neighbourhood_id in neighbourhood_ids:
                listed[reader].append((room, unread))
    return listed


# Unread: one definition for every count she is shown (chat_rooms, hello, read.updated
# and the phone badge).


def _unread_messages(*, reader: Any, room: Any, read_seq: Any) -> QuerySet[Message]:
    """Her unread messages in a room: after her read marker, not hers, and neither
    deleted, removed by a moderator nor hidden by reports (residents do not see hidden
    messages, so they do not count; a moderator's count is the residents' count). The
    arguments are values or OuterRef()s, so one rule serves one room and many at once."""
    return Message.objects.filter(
        room_id=room, seq__gt=read_seq, deleted_at=None, removed_at=None, hidden_at=None
    ).filter(~Q(author_id=reader))


class _CountOf(Subquery):
    """The number of rows of a (possibly sliced) queryset, as a subquery: with a slice,
    counting stops at its end."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"

    def __init__(self, queryset: QuerySet) -> None:
        super().__init__(queryset.values("pk"), output_field=IntegerField())


def _with_unread(rooms: QuerySet[Room], *, reader: int | str, cap: int | None = None) -> QuerySet[Room]:
    """`rooms` annotated with `read_seq` (her marker, 0 without one) and `unread`, at most
    `cap` when given; `reader` is a user id, or the name of the rooms' column that holds it."""
    reader_ref = reader if isinstance(reader, int) else OuterRef(reader)
    marker = ReadMarker.objects.filter(user_id=reader_ref, room_id=OuterRef("pk")).values("read_seq")[:1]
    unread = _unread_messages(reader=reader_ref, room=OuterRef("pk"), read_seq=OuterRef("read_seq")).order_by()
    if cap is not None:
        unread = unread[:cap]
    return rooms.annotate(read_seq=Coalesce(Subquery(marker), Value(0))).annotate(unread=_CountOf(unread))


def unread_count(*, user: User, room: Room, read_seq: int) -> int:
    return _unread_messages(reader=user.pk, room=room.pk, read_seq=read_seq).count()


def _with_relations(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.select_related("author", "reply_to__author")


def messages_changed_after(*, room: Room, seq: int, limit: int) -> list[Message]:
    """Up to `limit` + 1 messages changed after `seq`, oldest change first (one more than
    asked tells the caller there is a gap)."""
    return list(_with_relations(room.messages.filter(changed_seq__gt=seq)).order_by("changed_seq")[: limit + 1])


def catch_up(*, room: Room, last_seen: int | None) -> tuple[int, list[Message], bool]:
    """(room seq now, messages to send, gap): the changes after `last_seen`, or the latest
    page when the device has no cursor."""
    room_seq = Room.objects.filter(pk=room.pk).values_list("last_seq", flat=True).get()
    if last_seen is None:
        return room_seq, room_history(room=room, limit=domain.FIRST_PAGE)[::-1], False
    changed = messages_changed_after(room=room, seq=last_seen, limit=domain.CATCH_UP_LIMIT)
    plan = domain.catch_up_plan(last_seen=last_seen, room_seq=room_seq, changes=len(changed))
    return room_seq, changed if plan.replay else [], plan.gap


def room_history(*, room: Room, before: int | None = None, limit: int = 50) -> list[Message]:
    """Newest first, `before` a message seq (exclusive)."""
    messages = room.messages.all()
    if before is not None:
        messages = messages.filter(seq__lt=before)
    return list(_with_relations(messages).order_by("-seq")[:limit])


def reactions_of(*, message_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    pairs: dict[int, list[tuple[str, int]]] = {}
    rows = Reaction.objects.filter(message_id__in=message_ids).order_by("created_at", "pk")
    for message_id, emoji, user_id in rows.values_list("message_id", "emoji", "user_id"):
        pairs.setdefault(message_id, []).append((emoji, user_id))
    return pairs


def room_readers(*, room: Room) -> set[int]:
    if room.kind == Room.Kind.DIRECT:
        return {room.user_a_id, room.user_b_id}
    return neighbourhood_readers(neighbourhood_id=room.neighbourhood_id)


BADGE_CAP = 99


def _reads_the_neighbourhood(user_field: str) -> Q:
    """The room's `user_field` reads its neighbourhood (readable_neighbourhood_ids)."""
    member = Membership.objects.filter(
        user_id=OuterRef(user_field), neighbourhood_id=OuterRef("neighbourhood_id"), state=Membership.State.VERIFIED
    )
    moderator = Neighbourhood.moderators.through.objects.filter(
        user_id=OuterRef(user_field), neighbourhood_id=OuterRef("neighbourhood_id")
    )
    return Q(Exists(member)) | Q(Exists(moderator))


def unread_badges(*, user_ids: set[int]) -> dict[int, int]:
    """Each user's unread count over all the rooms she reads, as a phone badge: the
    count of `readable_rooms`, capped at 99 (each room counts at most 99), in one query."""
    if not user_ids:
        return {}
    badges = dict.fromkeys(user_ids, 0)
    for reader, _, unread in _readable_pairs(user_ids, cap=BADGE_CAP):
        badges[reader] += unread
    return {user_id: min(total, BADGE_CAP) for user_id, total in badges.items()}


def _readable_pairs(user_ids: set[int], *, cap: int | None = None) -> QuerySet:
    """(reader, room id, her unread count, at most `cap`) for every room that each of
    these users reads, as readable_rooms reads them, in one query."""
    others = Room.objects.exclude(kind=Room.Kind.DIRECT)
    directs = Room.objects.filter(kind=Room.Kind.DIRECT)
    # Verified members and moderators of the neighbourhood, and the two people of a
    # direct conversation while they read its neighbourhood.
    pairs = [
        others.filter(
            neighbourhood__memberships__user_id__in=user_ids, neighbourhood__memberships__state=Membership.State.VERIFIED
        ).annotate(reader=F("neighbourhood__memberships__user_id")),
        others.filter(neighbourhood__moderators__in=user_ids).annotate(reader=F("neighbourhood__moderators")),
        directs.filter(user_a_id__in=user_ids).filter(_reads_the_neighbourhood("user_a_id")).annotate(reader=F("user_a_id")),
        directs.filter(user_b_id__in=user_ids).filter(_reads_the_neighbourhood("user_b_id")).annotate(reader=F("user_b_id")),
    ]
    counted = [
        _with_unread(rooms.order_by(), reader="reader", cap=cap).values_list("reader", "pk", "unread")
        for rooms in pairs
    ]
    # A union without ALL: a moderator who is also a member reads each room once.
    return counted[0].union(*counted[1:])


def message_images_visible(user: User, message_id: int) -> bool:
    """Who sees a message's photos (registered with photos by ChatConfig.ready): those
    who read its room, as they read its text: not once deleted, and removed or hidden
    ones only in full (the moderators of a room that is not a direct conversation)."""
    message = Message.objects.select_related("room").filter(pk=message_id).first()
    if message is None or message.deleted_at is not None or not room_access(user=user, room=message.room):
        return False
    return (message.removed_at is None and message.hidden_at is None) or reads_in_full(user=user, room=message.room)


def personal_data_export(user: User) -> Section:
    """Her part of chat for her data export (backend.common.personal_data): the messages
    she wrote, with their rooms, and her reactions. Only her own messages: of a direct
    conversation, the other side's messages are theirs."""
    messages = Message.objects.filter(author=user).select_related("room").order_by("room_id", "seq")
    reactions = Reaction.objects.filter(user=user).select_related("message__room").order_by("created_at", "pk")
    return Section(data={
        "messages": [
            {"id": m.pk, "room": {"id": m.room_id, "kind": m.room.kind, "name": m.room.name}, "seq": m.seq,
             "text": m.text, "reply_to": m.reply_to_id, "post": (m.card or {}).get("post_id"),
             "created_at": m.created_at, "edited_at": m.edited_at, "deleted_at": m.deleted_at,
             "removed_by_moderators_at": m.removed_at}
            for m in messages
        ],
        "reactions": [
            {"message_id": r.message_id, "room": r.message.room.name, "emoji": r.emoji, "created_at": r.created_at}
            for r in reactions
        ],
    })
