from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber

from backend.accounts.models import User
from backend.chat import domain
from backend.chat.models import Message, Reaction, ReadMarker, Room
from backend.common.errors import VoisinsError
from backend.trust.models import Membership
from backend.neighbourhoods.models import Neighbourhood
from backend.trust.selectors import NeighbourhoodAccess, neighbourhood_access, neighbourhood_readers


def readable_neighbourhood_ids(*, user: User) -> list[int]:
    """Neighbourhoods whose rooms the user reads: where she is a verified member, and
    those she moderates."""
    member_of = Membership.objects.filter(user=user, state=Membership.State.VERIFIED).values_list(
        "neighbourhood_id", flat=True
    )
    moderated = user.moderated_neighbourhoods.values_list("id", flat=True)
    return sorted(set(member_of) | set(moderated))


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


def readable_rooms(*, user: User) -> QuerySet[Room]:
    """The rooms of her neighbourhoods and her direct conversations, with her unread count."""
    neighbourhood_ids = readable_neighbourhood_ids(user=user)
    read_seq = ReadMarker.objects.filter(user=user, room=OuterRef("pk")).values("read_seq")[:1]
    unread = (
        Message.objects.filter(room=OuterRef("pk"), seq__gt=Coalesce(Subquery(read_seq), Value(0)), deleted_at=None, removed_at=None)
        .exclude(author=user)
        .values("room")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Room.objects.filter(neighbourhood_id__in=neighbourhood_ids)
        .filter(~Q(kind=Room.Kind.DIRECT) | Q(user_a=user) | Q(user_b=user))
        .select_related("user_a", "user_b")
        .annotate(unread=Coalesce(Subquery(unread), Value(0)))
        .order_by(
            "neighbourhood_id",
            Case(When(kind=Room.Kind.DEFAULT, then=0), When(kind=Room.Kind.TOPIC, then=1), default=2),
            "name",
            "pk",
        )
    )


def unread_count(*, user: User, room: Room, read_seq: int) -> int:
    return Message.objects.filter(room=room, seq__gt=read_seq, deleted_at=None, removed_at=None).exclude(author=user).count()


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
_BADGE_WINDOW = BADGE_CAP + 1


def unread_badges(*, user_ids: set[int]) -> dict[int, int]:
    """Each user's unread count over all her rooms, as a phone badge: at most 99, counted
    from each room's latest 100 messages, in a fixed number of queries."""
    neighbourhoods: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    for user_id, nid in Membership.objects.filter(user_id__in=user_ids, state=Membership.State.VERIFIED).values_list(
        "user_id", "neighbourhood_id"
    ):
        neighbourhoods[user_id].add(nid)
    for user_id, nid in Neighbourhood.moderators.through.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "neighbourhood_id"
    ):
        neighbourhoods[user_id].add(nid)
    all_nids = set().union(*neighbourhoods.values()) if neighbourhoods else set()
    rooms = list(
        Room.objects.filter(
            (Q(neighbourhood_id__in=all_nids) & ~Q(kind=Room.Kind.DIRECT)) | Q(user_a_id__in=user_ids) | Q(user_b_id__in=user_ids)
        ).values_list("pk", "neighbourhood_id", "kind", "user_a_id", "user_b_id")
    )
    room_ids = [room[0] for room in rooms]
    read = {
        (user_id, room_id): seq
        for user_id, room_id, seq in ReadMarker.objects.filter(user_id__in=user_ids, room_id__in=room_ids).values_list(
            "user_id", "room_id", "read_seq"
        )
    }
    latest: dict[int, list[tuple[int, int]]] = {}
    recent = (
        Message.objects.filter(room_id__in=room_ids, deleted_at=None, removed_at=None)
        .annotate(rank=Window(RowNumber(), partition_by=[F("room_id")], order_by=F("seq").desc()))
        .filter(rank__lte=_BADGE_WINDOW)
        .values_list("room_id", "seq", "author_id")
    )
    for room_id, seq, author_id in recent:
        latest.setdefault(room_id, []).append((seq, author_id))
    badges = {}
    for user_id in user_ids:
        total = 0
        for room_id, nid, kind, user_a, user_b in rooms:
            if kind == Room.Kind.DIRECT and user_id not in (user_a, user_b):
                continue
            if kind != Room.Kind.DIRECT and nid not in neighbourhoods[user_id]:
                continue
            after = read.get((user_id, room_id), 0)
            total += sum(1 for seq, author_id in latest.get(room_id, ()) if seq > after and author_id != user_id)
        badges[user_id] = min(total, BADGE_CAP)
    return badges
