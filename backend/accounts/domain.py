"""Pure account rules: no ORM, no clock (callers pass `now`)."""

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

TOKEN_PREFIX = "vt_"


def normalize_email(email: str) -> str:
    # Addresses are unique whatever their case, and nobody types their local part in
    # a case-sensitive way, so we store them lower-cased.
    return (email or "").strip().lower()


def signup_language(*, chosen: str | None, accepted: Iterable[str], supported: Iterable[str], default: str = "fr") -> str:
    """The language of a new account: the one she chose, else the first language of the
    request's Accept-Language (most wanted first) that we speak, else French: Voisins
    is French first."""
    if chosen:
        return chosen
    spoken = set(supported)
    return next((tag.split("-")[0] for tag in accepted if tag.split("-")[0] in spoken), default)


def token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def token_expiry_after_use(
    *, now: datetime, last_used_at: datetime, ttl: timedelta, slide_every: timedelta
) -> datetime | None:
    """The new expiry of a token used at `now`, or None when it should not move yet."""
    if now - last_used_at < slide_every:
        return None
    return now + ttl
