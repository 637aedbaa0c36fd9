"""Pure account rules: no ORM, no clock (callers pass `now`)."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

TOKEN_PREFIX = "vt_"


def normalize_email(email: str) -> str:
    # Addresses are unique whatever their case, and nobody types their local part in
    # a case-sensitive way, so we store them lower-cased.
    return (email or "").strip().lower()


def token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def token_expiry_after_use(
    *, now: datetime, last_used_at: datetime, ttl: timedelta, slide_every: timedelta
) -> datetime | None:
    """The new expiry of a token used at `now`, or None when it should not move yet."""
    if now - last_used_at < slide_every:
        return None
    return now + ttl


@dataclass(frozen=True)
class FailureWindow:
    """Failed logins counted for one key (an account or an IP) in a fixed window."""

    failures: int
    resets_at: float


def login_retry_after(*, windows: list[FailureWindow], limit: int, now: float) -> int | None:
    """Seconds to wait before another try, or None when a try is allowed."""
    blocking = [w.resets_at - now for w in windows if w.failures >= limit and w.resets_at > now]
    if not blocking:
        return None
    return max(1, int(max(blocking) + 0.999))
