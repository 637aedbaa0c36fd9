"""Pure chat rules: no ORM, no clock (callers pass `now`), no channel layer."""

from dataclasses import dataclass

CATCH_UP_LIMIT = 500
FIRST_PAGE = 50
TYPING_INTERVAL_SECONDS = 3.0


def text_refusal(text: str) -> str | None:
    return "text_blank" if not text.strip() else None


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
