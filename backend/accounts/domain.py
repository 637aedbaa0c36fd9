"""Pure account rules: no ORM, no clock (callers pass `now`)."""

import hashlib
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
