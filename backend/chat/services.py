"""The only place that changes rooms and messages. Each change bumps the room's
sequence number in the same transaction and is published once it commits."""

import hashlib
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import redis.asyncio as aioredis
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.domain_events import AccountErased
from backend.accounts.models import User
from backend.chat import domain, frames, selectors
from backend.chat.domain_events import CardMessageDeleted, MessagesPosted, ReadMarked
from backend.chat.models import Message, Reaction, ReadMarker, Room
from backend.common import domain_events, events, ratelimit
from backend.common.cache import redis_client
from backend.common.db import fetch_together
from backend.common.errors import VoisinsError
from backend.neighbourhoods.models import Neighbourhood
from backend.photos import frames as photo_frames
from backend.photos import selectors as photo_selectors
from backend.photos import services as photo_services
from backend.trust.models import Membership
from backend.trust.selectors import may_moderate

DEFAULT_ROOM_NAME = "Le quartier"


@dataclass(frozen=True)
class Ack:
    room_id: int
    message_id: int
    seq: int
    created_at: datetime | None = None

    def frame(self, ref: str) -> dict[str, Any]:
        frame = {"type": "ack", "ref": ref, "room_id": self.room_id, "message_id": self.message_id, "seq": self.seq}
        if self.created_at is not None:
            frame["created_at"] = self.created_at.isoformat()
        return frame


def _post_ack(message: Message) -> Ack:
    return Ack(room_id=message.room_id, message_id=message.pk, seq=message.seq, created_at=message.created_at)


# Rooms


def rooms_ensure_default(*, neighbourhood_ids: list[int]) -> None:
    """Every neighbourhood has a default room, made the first time someone looks."""
    existing = set(
        Room.objects.filter(neighbourhood_id__in=neighbourhood_ids, kind=Room.Kind.DEFAULT).values_list(
            "neighbourhood_id", flat=True
        )
    )
    for neighbourhood_id in set(neighbourhood_ids) - existing:
        try:
            with transaction.atomic():
                Room.objects.create(neighbourhood_id=neighbourhood_id, kind=Room.Kind.DEFAULT, name=DEFAULT_ROOM_NAME)
        except IntegrityError:  # made meanwhile by another request
            pass


def room_topic_create(*, actor: User, neighbourhood: Neighbourhood, name: str) -> Room:
    if not may_moderate(user=actor, neighbourhood_id=neighbourhood.pk):
        raise VoisinsError("not_moderator")
    name = name.strip()
    if not name:
        raise VoisinsError("text_blank")
    # The default room too has a name to keep: it must exist before we compare.
    rooms_ensure_default(neighbourhood_ids=[neighbourhood.pk])
    taken = Room.objects.filter(neighbourhood=neighbourhood).exclude(kind=Room.Kind.DIRECT).values_list("name", flat=True)
    if domain.room_name_taken(name, taken):
        raise VoisinsError("room_name_taken")
    try:  # the database's unique index settles two creations at once
        with transaction.atomic():
            room = Room.objects.create(neighbourhood=neighbourhood, kind=Room.Kind.TOPIC, name=name, created_by=actor)
            _publish_room_added(room, events.neighbourhood_group(neighbourhood.pk))
            return room
    except IntegrityError as exc:
        raise VoisinsError("room_name_taken") from exc


def room_direct_open(*, actor: User, other_id: int) -> Room:
    """The direct conversation of two verified members of one neighbourhood, made once."""
    if other_id == actor.pk:
        raise VoisinsError("direct_with_self")
    shared = Membership.objects.filter(user=actor, state=Membership.State.VERIFIED).values_list(
        "neighbourhood_id", flat=True
    )
    other = (
        Membership.objects.filter(user_id=other_id, state=Membership.State.VERIFIED, neighbourhood_id__in=list(shared))
        .select_related("user")
        .first()
    )
    if other is None:
        raise VoisinsError("not_member")
    user_a, user_b = domain.direct_pair(actor.pk, other_id)
    room = Room.objects.filter(user_a_id=user_a, user_b_id=user_b).first()
    if room is not None:
        return room
    try:
        with transaction.atomic():
            room = Room.objects.create(
                neighbourhood_id=other.neighbourhood_id,
                kind=Room.Kind.DIRECT,
                name=f"{actor.display_name} · {other.user.display_name}",
                user_a_id=user_a,
                user_b_id=user_b,
                created_by=actor,
            )
            for user_id in (user_a, user_b):
                _publish_room_added(room, events.user_group(user_id))
            return room
    except IntegrityError:
        return Room.objects.get(user_a_id=user_a, user_b_id=user_b)


def _publish_room_added(room: Room, group: str) -> None:
    frame = {"type": "room.added", "room": frames.room_body(room, unread=0)}
    events.publish_on_commit(group, room_id=None, frame=events.encode(frame))


# Messages


def _advance_seq(room_id: int, changes: int = 1) -> int:
    """Reserves `changes` sequence numbers of the room and returns the last one."""
    return _advance_seqs({room_id: changes})[room_id]


def _advance_seqs(changes: dict[int, int]) -> dict[int, int]:
    """Reserves changes[room id] sequence numbers in each of these rooms and returns
    each one's last, in one statement: concurrent writers of a room get distinct,
    gapless numbers, and a batch of messages in ten rooms pays one round trip, not ten."""
    if not changes:
        return {}
    sql, params = _seqs_statement(changes)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _seqs_statement(changes: dict[int, int]) -> tuple[str, list[int]]:
    """The statement of `_advance_seqs`, returning (room id, last seq) rows. On
    PostgreSQL, a locking subquery takes the rooms' rows in id order before the UPDATE
    writes them: two batches with rooms in common lock them in one order, so that
    neither waits for the other's next room (a deadlock). SQLite has one writer."""
    room_ids = sorted(changes)
    marks = ", ".join(["%s"] * len(room_ids))
    rows = marks
    if connection.vendor == "postgresql" and len(room_ids) > 1:
        rows = f"SELECT id FROM {Room._meta.db_table} WHERE id IN ({marks}) ORDER BY id FOR UPDATE"
    cases = " ".join(["WHEN %s THEN %s"] * len(room_ids))
    params = [value for room_id in room_ids for value in (room_id, changes[room_id])]
    params += room_ids
    return (
        f"UPDATE {Room._meta.db_table} SET last_seq = last_seq + CASE id {cases} END WHERE id IN ({rows}) RETURNING id, last_seq",
        params,
    )


def _room_event(room: Room, frames_: list[dict[str, Any]], posted: list[Message] | None = None) -> dict:
    """A room's frames as the hubs receive them: subscribers get `frames`; for the room's
    other readers, the hubs gather the (seq, author id) of `posted` messages into
    rooms.activity frames, for their unread counts."""
    return {
        "room_id": room.pk,
        "frames": [events.encode(frame) for frame in frames_],
        "activities": [[message.seq, message.author_id] for message in posted or []],
        "audience": [room.user_a_id, room.user_b_id] if room.kind == Room.Kind.DIRECT else None,
    }


def _publish_room(room: Room, frames_: list[dict[str, Any]], posted: list[Message] | None = None) -> None:
    events.publish_on_commit(events.neighbourhood_group(room.neighbourhood_id), **_room_event(room, frames_, posted))


def _writes_limit() -> ratelimit.RateLimit:
    """Every write (send, edit, delete, reaction) counts against one per-user limit."""
    return ratelimit.RateLimit("chat-writes", settings.CHAT_WRITES_PER_WINDOW, settings.CHAT_WRITE_WINDOW_SECONDS)


def _count_write(user: User) -> None:
    limit, now = _writes_limit(), time.time()
    if not ratelimit.allowed(limit, str(user.pk), now, 1):
        raise VoisinsError("rate_limited", retry_after=limit.retry_after(now))


def _check_mentions(room: Room, mentions: list[int]) -> list[int]:
    wanted = sorted(set(mentions))
    if not wanted:
        return []
    if room.kind == Room.Kind.DIRECT:
        readers = {room.user_a_id, room.user_b_id}
    else:
        readers = set(
            User.objects.filter(pk__in=wanted)
            .filter(
                Q(memberships__neighbourhood_id=room.neighbourhood_id, memberships__state=Membership.State.VERIFIED)
                | Q(moderated_neighbourhoods=room.neighbourhood_id)
            )
            .values_list("pk", flat=True)
        )
    if not set(wanted) <= readers:
        raise VoisinsError("invalid_mention")
    return wanted


@dataclass(frozen=True)
class PostRequest:
    author: User
    room_id: int
    text: str
    client_id: str
    reply_to_id: int | None = None
    mentions: tuple[int, ...] = ()
    card: dict[str, Any] | None = None  # a post of the feed (backend.feed.cards)
    # False for notices the server writes on someone's behalf (a post was taken): they
    # do not count against her write limit.
    counted: bool = True
    image_ids: tuple[int, ...] = ()  # her uploaded photos (backend.photos), at most domain.MAX_IMAGES
    # True for a voice that reads no room but whose caller authorised the write (an
    # organisation's announcement, backend.cities): no reader check, no mute. Never
    # set from what a client sends.
    official: bool = False


def message_post(
    *,
    author: User,
    room_id: int,
    text: str,
    client_id: str,
    reply_to_id: int | None = None,
    mentions: list[int] | None = None,
    image_ids: list[int] | None = None,
) -> Ack:
    """Persists one message; see `messages_post`."""
    request = PostRequest(author, room_id, text, client_id, reply_to_id, tuple(mentions or ()),
                          image_ids=tuple(image_ids or ()))
    result = messages_post(requests=[request])[0]
    if isinstance(result, VoisinsError):
        raise result
    return result


def messages_post(*, requests: list[PostRequest]) -> list[Ack | VoisinsError]:
    """Persists messages in the order given, then publishes them on commit.

    Under load, the sends waiting in a server process arrive here together, from any
    sockets, and share the look-ups, one sequence-number update per room and one
    INSERT. Each request gets its ack, or the error that refused it alone. A client id
    its author already used returns the first ack and creates nothing."""
    results: list[Ack | VoisinsError | None] = [None] * len(requests)
    reads = selectors.posting_reads(pairs={(r.author.pk, r.client_id) for r in requests}, room_ids={r.room_id for r in requests})
    known, rooms, access = reads.sent, reads.rooms, reads.access
    now = timezone.now()
    first_of: dict[tuple[int, str], int] = {}
    candidates: list[int] = []
    for index, request in enumerate(requests):
        key = (request.author.pk, request.client_id)
        if key in known:
            results[index] = _post_ack(known[key])
        elif key in first_of:
            continue  # a resend within the batch: gets the first one's answer below
        else:
            first_of[key] = index
            room = rooms.get(request.room_id)
            author_access = access[(request.author.pk, room.neighbourhood_id)] if room and not request.official else None
            refusal = (None if request.image_ids else domain.text_refusal(request.text)) or (
                ("room_not_found" if room is None else None) if request.official
                else selectors.room_refusal(user=request.author, room=room, access=author_access)
            )
            muted = author_access.muted_until if author_access else None
            if refusal:
                results[index] = VoisinsError(refusal)
            elif muted and muted > now and request.counted:
                results[index] = VoisinsError("muted", until=muted.isoformat())
            else:
                candidates.append(index)

    candidates = _with_attachable_images(requests, candidates, results)
    candidates = _within_rate_limits(requests, candidates, results)
    reply_ids = {requests[i].reply_to_id for i in candidates if requests[i].reply_to_id}
    # Not even a query to build when nothing replies (most batches).
    replies = {m.pk: m for m in Message.objects.filter(pk__in=reply_ids).select_related("author")} if reply_ids else {}
    accepted: list[tuple[int, Room, Message | None, list[int]]] = []
    for index in candidates:
        request, room = requests[index], rooms[requests[index].room_id]
        reply_to = replies.get(request.reply_to_id) if request.reply_to_id else None
        try:
            if request.reply_to_id and (reply_to is None or reply_to.room_id != room.pk):
                raise VoisinsError("invalid_reply")
            accepted.append((index, room, reply_to, _check_mentions(room, list(request.mentions))))
        except VoisinsError as exc:
            results[index] = exc
    if accepted:
        try:
            for index, result in _insert_messages(requests, accepted):
                results[index] = result
        except IntegrityError:  # a client id sent twice at once, from two sockets
            if len(requests) == 1:
                request = requests[0]
                return [_post_ack(Message.objects.get(author=request.author, client_id=request.client_id))]
            for index, _, _, _ in accepted:
                results[index] = messages_post(requests=[requests[index]])[0]
        except VoisinsError as exc:  # photos attached elsewhere meanwhile: that message alone is refused
            if len(accepted) == 1:
                results[accepted[0][0]] = exc
            else:
                for index, _, _, _ in accepted:
                    results[index] = messages_post(requests=[requests[index]])[0]
    for index, request in enumerate(requests):
        if results[index] is None:
            results[index] = results[first_of[(request.author.pk, request.client_id)]]
    return results


def _with_attachable_images(
    requests: list[PostRequest], candidates: list[int], results: list[Ack | VoisinsError | None]
) -> list[int]:
    """The candidates whose photos may attach (one query, none without photos); the
    others are refused alone, with the photos' error."""
    with_images = [index for index in candidates if requests[index].image_ids]
    if not with_images:
        return candidates
    refusals = photo_selectors.attach_refusals(
        kind="message", wanted=[(requests[i].author.pk, list(requests[i].image_ids)) for i in with_images]
    )
    for index, refusal in zip(with_images, refusals):
        if refusal:
            results[index] = VoisinsError(refusal, **({"max": domain.MAX_IMAGES} if refusal == "too_many_images" else {}))
    return [index for index in candidates if results[index] is None]


def _within_rate_limits(
    requests: list[PostRequest], candidates: list[int], results: list[Ack | VoisinsError | None]
) -> list[int]:
    """The candidates each author's write limit lets through (her first ones); the rest
    are refused with rate_limited."""
    limit, now = _writes_limit(), time.time()
    by_author: dict[int, list[int]] = {}
    for index in candidates:
        if requests[index].counted:
            by_author.setdefault(requests[index].author.pk, []).append(index)
    kept = {index for index in candidates if not requests[index].counted}
    within = ratelimit.allowed_many(limit, {str(author): len(indexes) for author, indexes in by_author.items()}, now)
    for author_id, indexes in by_author.items():
        allowed = within[str(author_id)]
        kept.update(indexes[:allowed])
        for index in indexes[allowed:]:
            results[index] = VoisinsError("rate_limited", retry_after=limit.retry_after(now))
    return [index for index in candidates if index in kept]


def _authors_statement(author_ids: set[int]) -> tuple[str, list[int]]:
    """(id, erased at) of these authors. On PostgreSQL it locks their user rows FOR SHARE
    until the transaction ends, and an erasure locks her row FOR UPDATE
    (backend.accounts.services.user_erase): a message either commits before her erasure
    starts, which then erases it, or waits for the erasure to commit and is refused.
    Batches do not wait for one another. SQLite has one writer at a time: the later of
    the two transactions fails instead."""
    sql = (
        f"SELECT id, erased_at FROM {User._meta.db_table} WHERE id IN ({', '.join(['%s'] * len(author_ids))})"
        f" ORDER BY id{' FOR SHARE' if connection.vendor == 'postgresql' else ''}"
    )
    return sql, sorted(author_ids)


class _AuthorsErased(Exception):
    """Authors of the batch were erased before it could lock them: it rolls back."""

    def __init__(self, author_ids: set[int]) -> None:
        super().__init__(author_ids)
        self.author_ids = author_ids


def _insert_messages(
    requests: list[PostRequest], accepted: list[tuple[int, Room, Message | None, list[int]]]
) -> list[tuple[int, Ack | VoisinsError]]:
    """Inserts the accepted messages in one transaction; if an author was erased
    meanwhile, it rolls back and the others are stored in another, hers refused
    (not_authenticated: her sockets are closing)."""
    refused: list[tuple[int, Ack | VoisinsError]] = []
    while accepted:
        try:
            return refused + _insert_accepted(requests, accepted)
        except _AuthorsErased as erased:
            refused += [(item[0], VoisinsError("not_authenticated")) for item in accepted
                        if requests[item[0]].author.pk in erased.author_ids]
            accepted = [item for item in accepted if requests[item[0]].author.pk not in erased.author_ids]
    return refused


def _insert_accepted(
    requests: list[PostRequest], accepted: list[tuple[int, Room, Message | None, list[int]]]
) -> list[tuple[int, Ack | VoisinsError]]:
    now = timezone.now()
    with transaction.atomic():
        by_room: dict[int, list[tuple[int, Room, Message | None, list[int]]]] = {}
        for item in accepted:
            by_room.setdefault(item[1].pk, []).append(item)
        # The authors' rows locked, then the rooms' numbers taken, in one round trip. An
        # author erased meanwhile (rare) rolls the numbers back with the rest.
        authors, seqs = fetch_together([
            _authors_statement({requests[item[0]].author.pk for item in accepted}),
            _seqs_statement({room_id: len(items) for room_id, items in by_room.items()}),
        ])
        erased = {author_id for author_id, erased_at in authors if erased_at is not None}
        if erased:
            raise _AuthorsErased(erased)
        last_seqs = dict(seqs)
        rows: list[tuple[int, Message]] = []
        for room_id, items in sorted(by_room.items()):
            last = last_seqs[room_id]
            for offset, (index, room, reply_to, mentioned) in enumerate(items):
                seq = last - len(items) + 1 + offset
                request = requests[index]
                rows.append(
                    (
                        index,
                        Message(
                            room=room, seq=seq, changed_seq=seq, author=request.author, client_id=request.client_id,
                            text=request.text, reply_to=reply_to, mentions=mentioned, card=request.card, created_at=now,
                        ),
                    )
                )
        Message.objects.bulk_create([message for _, message in rows])
        images = {
            message.pk: photo_frames.image_bodies(photo_services.images_attach(
                owner=requests[index].author, image_ids=requests[index].image_ids, kind="message", object_id=message.pk
            ))
            for index, message in rows
            if requests[index].image_ids
        }
        posted_in: list[tuple[Room, list[Message]]] = []
        for room_id, items in by_room.items():
            room = items[0][1]
            posted = [message for _, message in rows if message.room_id == room_id]
            posted_in.append((room, posted))
            _publish_room(
                room,
                [{"type": "message.new", "room_id": room_id, "seq": m.seq,
                  "message": frames.message_body(m, [], images=images.get(m.pk))}
                 for m in posted],
                posted,
            )
        if posted_in:
            domain_events.emit(MessagesPosted(rooms=posted_in))
    return [(index, _post_ack(message)) for index, message in rows]


def _changeable_message(user: User, message_id: int, *, own: bool) -> tuple[Message, Room]:
    """The message, locked, if it is in a room the user can read, not deleted, and hers
    when `own`."""
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("room", "author", "reply_to__author")
        .filter(pk=message_id)
        .first()
    )
    if message is None or not selectors.room_access(user=user, room=message.room):
        raise VoisinsError("message_not_found")
    if own and message.author_id != user.pk:
        raise VoisinsError("not_author")
    if message.deleted_at is not None:
        raise VoisinsError("message_deleted")
    return message, message.room


def message_edit(*, actor: User, message_id: int, text: str) -> Ack:
    refusal = domain.text_refusal(text)
    if refusal:
        raise VoisinsError(refusal)
    _count_write(actor)
    with transaction.atomic():
        message, room = _changeable_message(actor, message_id, own=True)
        seq = _advance_seq(room.pk)
        message.text, message.edited_at, message.changed_seq = text, timezone.now(), seq
        message.save(update_fields=["text", "edited_at", "changed_seq"])
        reactions = selectors.reactions_of(message_ids=[message.pk]).get(message.pk, [])
        _publish_room(
            room,
            [{"type": "message.edited", "room_id": room.pk, "seq": seq,
              "message": frames.message_body(message, reactions, images=frames.images_of(message))}],
        )
    return Ack(room_id=room.pk, message_id=message.pk, seq=seq)


def _delete(message: Message) -> int:
    """Deletes a message in the caller's transaction; returns the room's new seq. Its
    text, card and photos go with it (the files once this commits): a deleted message
    keeps only its place."""
    seq = _advance_seq(message.room_id)
    message.text, message.card, message.deleted_at, message.changed_seq = "", None, timezone.now(), seq
    message.save(update_fields=["text", "card", "deleted_at", "changed_seq"])
    photo_services.images_delete(kind="message", object_ids=[message.pk])
    _publish_room(message.room,
                  [{"type": "message.deleted", "room_id": message.room_id, "seq": seq, "message_id": message.pk}])
    return seq


def message_delete(*, actor: User, message_id: int) -> Ack:
    """Her message goes. A post's card goes with its post: the feed hears
    CardMessageDeleted and deletes the post, or refuses, and then nothing changes."""
    _count_write(actor)
    with transaction.atomic():
        message, room = _changeable_message(actor, message_id, own=True)
        had_card = message.card is not None
        seq = _delete(message)
        if had_card:
            domain_events.emit(CardMessageDeleted(message_id=message.pk, author_id=actor.pk, at=message.deleted_at))
    return Ack(room_id=room.pk, message_id=message.pk, seq=seq)


def message_moderate(*, message: Message, removed: bool | None = None, hidden: bool | None = None) -> int:
    """Moderation changes a message, keeping its text for the audit (in the caller's
    transaction): residents see a removal as a deletion, and a hidden message without
    its text. Returns the room's new seq."""
    now = timezone.now()
    if removed is not None:
        message.removed_at = now if removed else None
    if hidden is not None:
        message.hidden_at = now if hidden else None
    seq = _advance_seq(message.room_id)
    message.changed_seq = seq
    message.save(update_fields=["removed_at", "hidden_at", "changed_seq"])
    room = message.room
    if message.removed_at is not None:
        frame = {"type": "message.deleted", "room_id": room.pk, "seq": seq, "message_id": message.pk}
    else:
        reactions = selectors.reactions_of(message_ids=[message.pk]).get(message.pk, [])
        frame = {"type": "message.edited", "room_id": room.pk, "seq": seq,
                 "message": frames.message_body(message, reactions, images=frames.images_of(message))}
    _publish_room(room, [frame])
    return seq


def cards_update(*, message_ids: list[int], card: dict[str, Any]) -> None:
    """The feed changed a post: its card messages (in its room, and quoted in the
    responders' conversations) show it as it is now, live, as a change of each room. A
    deleted message keeps no card: it is left as it is."""
    messages = Message.objects.select_for_update(of=("self",)).select_related("room").filter(
        pk__in=message_ids, deleted_at=None
    )
    for message in messages.order_by("room_id", "pk"):
        seq = _advance_seq(message.room_id)
        message.card, message.changed_seq = card, seq
        message.save(update_fields=["card", "changed_seq"])
        _publish_room(
            message.room,
            [{"type": "card.updated", "room_id": message.room_id, "seq": seq, "message_id": message.pk, "card": card}],
        )


def cards_delete(*, message_ids: list[int]) -> None:
    """The feed deleted a post: its card messages (in its room, and quoted in the
    responders' conversations) are deleted as their authors delete messages, live, in
    the caller's transaction. One already deleted is left as it is."""
    messages = Message.objects.select_for_update(of=("self",)).select_related("room").filter(
        pk__in=message_ids, deleted_at=None
    )
    for message in messages.order_by("room_id", "pk"):
        _delete(message)


def reaction_set(*, actor: User, message_id: int, emoji: str, present: bool) -> Ack:
    """Adds (present=True) or removes the actor's reaction; doing it twice changes nothing."""
    _count_write(actor)
    with transaction.atomic():
        message, room = _changeable_message(actor, message_id, own=False)
        if present:
            _, changed = Reaction.objects.get_or_create(message=message, user=actor, emoji=emoji)
        else:
            changed, _ = Reaction.objects.filter(message=message, user=actor, emoji=emoji).delete()
        if not changed:
            return Ack(room_id=room.pk, message_id=message.pk, seq=message.changed_seq)
        seq = _advance_seq(room.pk)
        message.changed_seq = seq
        message.save(update_fields=["changed_seq"])
        reactions = domain.reactions_summary(selectors.reactions_of(message_ids=[message.pk]).get(message.pk, []))
        _publish_room(
            room,
            [{"type": "reaction.changed", "room_id": room.pk, "seq": seq, "message_id": message.pk, "reactions": reactions}],
        )
    return Ack(room_id=room.pk, message_id=message.pk, seq=seq)


def read_mark(*, user: User, room_id: int, seq: int, origin: str | None = None) -> dict[str, Any]:
    """Moves her read marker forward to `seq` and returns the read.updated frame that
    answers her; her other devices (all but the socket `origin`) hear it on commit.
    The same seq again changes nothing and answers the marker as it is; a seq beyond
    the room's last (seq_out_of_range) or behind her marker (read_backwards) is refused."""
    room = selectors.room_for_reader(user=user, room_id=room_id)
    with transaction.atomic():
        marker, _ = ReadMarker.objects.select_for_update().get_or_create(user=user, room=room)
        refusal = domain.read_refusal(seq=seq, room_seq=room.last_seq, read_seq=marker.read_seq)
        if refusal == "seq_out_of_range":
            raise VoisinsError(refusal, last_seq=room.last_seq)
        if refusal == "read_backwards":
            raise VoisinsError(refusal, read_seq=marker.read_seq)
        moved = seq > marker.read_seq
        if moved:
            marker.read_seq = seq
            marker.save(update_fields=["read_seq"])
            domain_events.emit(ReadMarked(user_id=user.pk, room_id=room.pk, seq=seq))
        frame = {
            "type": "read.updated",
            "room_id": room.pk,
            "seq": marker.read_seq,
            "unread": selectors.unread_count(user=user, room=room, read_seq=marker.read_seq),
        }
        if moved:
            events.publish_on_commit(events.user_group(user.pk), frame=events.encode(frame), except_socket=origin)
    return frame


async def typing_publish(*, user_id: int, display_name: str, room: Room) -> None:
    """To the room's subscribers but her own sockets: she knows she is typing."""
    frame = {"type": "typing", "room_id": room.pk, "user": {"id": user_id, "display_name": display_name}}
    await events.publish_async(
        events.neighbourhood_group(room.neighbourhood_id), **_room_event(room, [frame]), except_user=user_id
    )


# Tickets: how a mobile app opens a socket without putting its API token in a URL. A
# ticket lives in Redis (the cache of the embedded default), never in PostgreSQL: issuing
# is one SET, redeeming one GETDEL, so a storm of reconnects costs the database nothing
# here. It names the user and the API token it was issued for; the socket checks that the
# token is still live in the query that reads the user anyway.


@dataclass(frozen=True)
class TicketOwner:
    user_id: int
    token_id: int | None


def _ticket_key(ticket: str) -> str:
    return "ws-ticket:" + hashlib.sha256(ticket.encode()).hexdigest()


def ticket_issue(*, user: User, token_id: int | None) -> str:
    ticket = secrets.token_urlsafe(32)
    owner = orjson.dumps({"user_id": user.pk, "token_id": token_id})
    if settings.REDIS_URL:
        redis_client().set(_ticket_key(ticket), owner, ex=settings.CHAT_TICKET_TTL_SECONDS)
    else:
        cache.set(_ticket_key(ticket), owner, settings.CHAT_TICKET_TTL_SECONDS)
    return ticket


async def ticket_redeem(*, ticket: str, client: aioredis.Redis | None) -> TicketOwner | None:
    """The ticket's owner, once (GETDEL: of two redemptions at once, one gets it);
    `client` is the process's Redis, None for the embedded default."""
    key = _ticket_key(ticket)
    if client is not None:
        owner = await client.getdel(key)
    else:  # the in-memory cache of one process: nothing else redeems meanwhile
        owner = cache.get(key)
        cache.delete(key)
    if owner is None:
        return None
    decoded = orjson.loads(owner)
    return TicketOwner(user_id=decoded["user_id"], token_id=decoded["token_id"])


async def presence_publish(*, changes: Iterable[tuple[int, Iterable[int], bool]]) -> None:
    """Tells the neighbourhoods who came online or went offline: (user id, her
    neighbourhood ids, online) each. One event per neighbourhood, however many people;
    the hubs gather them into presence.changed frames (hub.py)."""
    by_neighbourhood: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for user_id, neighbourhood_ids, online in changes:
        for neighbourhood_id in neighbourhood_ids:
            by_neighbourhood[neighbourhood_id].append((user_id, online))
    for neighbourhood_id, presence in by_neighbourhood.items():
        await events.publish_async(events.neighbourhood_group(neighbourhood_id), room_id=None, presence=presence)


# Her data (issue 15)

ERASED_LIVE_FRAMES = domain.FIRST_PAGE


def account_erased(event: AccountErased) -> None:
    """Her part of chat when her account is erased (subscriber of AccountErased, in the
    erasing transaction): every message she wrote loses its text, card and mentions and
    becomes a deleted message for everyone (one change of its room each), her reactions
    and read markers go, and her direct conversations are named after her neutral label.

    Live, each room hears `message.deleted` for her newest messages only, at most
    ERASED_LIVE_FRAMES (a first page, what a client shows): thousands of frames at once
    would overflow every subscriber's queue and close its socket (4503). Her older
    messages take the seqs before those frames, so a client behind sees a hole and
    catches up from its cursor (replay, or a gap and history), where they are deleted."""
    now = event.at
    messages = list(
        Message.objects.select_for_update(of=("self",)).select_related("room")
        .filter(author_id=event.user_id).order_by("room_id", "seq")
    )
    by_room: dict[int, list[Message]] = {}
    for message in messages:
        by_room.setdefault(message.room_id, []).append(message)
    last_seqs = _advance_seqs({room_id: len(room_messages) for room_id, room_messages in by_room.items()})
    for room_id, room_messages in by_room.items():
        last = last_seqs[room_id]
        for seq, message in enumerate(room_messages, start=last - len(room_messages) + 1):
            message.text, message.card, message.mentions, message.changed_seq = "", None, [], seq
            message.deleted_at = message.deleted_at or now
        _publish_room(room_messages[0].room, [
            {"type": "message.deleted", "room_id": room_id, "seq": message.changed_seq, "message_id": message.pk}
            for message in room_messages[-ERASED_LIVE_FRAMES:]
        ])
    Message.objects.bulk_update(messages, ["text", "card", "mentions", "changed_seq", "deleted_at"], batch_size=500)
    Reaction.objects.filter(user_id=event.user_id).delete()
    ReadMarker.objects.filter(user_id=event.user_id).delete()
    direct = Room.objects.filter(Q(user_a_id=event.user_id) | Q(user_b_id=event.user_id), kind=Room.Kind.DIRECT)
    for room in direct.select_related("user_a", "user_b", "created_by"):
        first = room.created_by or room.user_a
        second = room.user_b if first.pk == room.user_a_id else room.user_a
        room.name = f"{first.display_name} · {second.display_name}"
        room.save(update_fields=["name"])
