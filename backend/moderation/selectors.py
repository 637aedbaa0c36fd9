"""Reads of moderation."""

from datetime import datetime

from django.db.models import Max

from backend.moderation.models import MemberMute


def muted_until(*, user_ids: set[int], neighbourhood_ids: set[int], now: datetime) -> dict[tuple[int, int], datetime]:
    """{(user id, neighbourhood id): end of her mute} for the mutes that hold now."""
    rows = (
        MemberMute.objects.filter(user_id__in=user_ids, neighbourhood_id__in=neighbourhood_ids, until__gt=now)
        .values("user_id", "neighbourhood_id")
        .annotate(end=Max("until"))
    )
    return {(row["user_id"], row["neighbourhood_id"]): row["end"] for row in rows}
