"""Pure chat rules: no ORM, no clock (callers pass `now`), no channel layer."""

from collections.abc import Iterable
from dataclasses import dataclass

CATCH_UP_LIMIT = 500
FIRST_PAGE = 50
MAX_IMAGES = 4  # photos on a message
TYPING_INTERVAL_SECONDS = 3.0


def text_refusal(text: str) -> str | None:
    return "text_blank" if not text.strip() else None


def room_name_key(name: str) -> str:
    """What makes two room names the same: case, and spaces around, do not count."""
    return name.strip().lower()


def room_name_taken(name: str, names: Iterable[str]) -> bool:
    """Is `name` one of `names` (a neighbourhood's rooms but direct conversations)?"""
    key = room_name_key(name)
    return any(room_name_key(other) == key for other in names)


def read_refusal(*, seq: int, room_seq: int, read_seq: int) -> str | None:
    """A read marker moves forward within the room, or stays: past the room's last seq
    is seq_out_of_range, behind her marker read_backwards."""
    if seq > room_seq:
        return "seq_out_of_range"
    if seq < read_seq:
        return "read_backwards"
    return None


def direct_pair(user_id: int, other_id: int) -> tuple[int, int]:
    """Participants of a direct conversation, lower id first, so a pair has one room."""
    return (user_id, other_id) if user_id < other_id else (other_id, user_id)


@dataclass(frozen=True)
class CatchUp:
    """What a subscribing device receives: `replay` the changes after its cursor, or a
    `gap` when there are more than the socket may carry."""

    replay: bool
    gap: bool


def catch_up_plan(*, last_seen: int | None, room_seq: int, changes: int, limit: int = CATCH_UP_LIMIT) -> CatchUp:
    if last_seen is None:
        return CatchUp(replay=False, gap=False)
    if last_seen >= room_seq:
        return CatchUp(replay=True, gap=False)
    return CatchUp(replay=changes <= limit, gap=changes > limit)


def typing_due(*, last_sent: float | None, now: float, interval: float = TYPING_INTERVAL_SECONDS) -> bool:
    return last_sent is None or now - last_sent >= interval


def reactions_summary(pairs: list[tuple[str, int]]) -> list[dict]:
    """(emoji, user id) pairs in order of reaction, as the frames carry them: one entry per
    emoji in order of first use."""
    by_emoji: dict[str, list[int]] = {}
    for emoji, user_id in pairs:
        by_emoji.setdefault(emoji, []).append(user_id)
    return [{"emoji": emoji, "count": len(users), "user_ids": users} for emoji, users in by_emoji.items()]
