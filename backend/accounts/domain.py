"""Pure account rules: no ORM, no clock (callers pass `now`)."""

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta

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


# Erasure (backend.accounts.services.user_erase). What others still see of an erased
# member's trace: a neutral label, the same in both languages (one frame serves every
# reader), with a pseudonym that tells two erased people apart and keeps the past
# decisions of a moderator or an organisation's agent attributed.
ERASED_LABEL = "Ancien membre · Former member"
ERASED_EMAIL_DOMAIN = "erased.voisins.invalid"


def erased_display_name(pseudonym: str) -> str:
    return f"{ERASED_LABEL} #{pseudonym}"


def erased_email(*, user_id: int) -> str:
    """Unique like every address, about no one (.invalid is reserved: RFC 2606)."""
    return f"erased-{user_id}@{ERASED_EMAIL_DOMAIN}"


def seen_again(*, last_seen_at: datetime, now: datetime, every: timedelta) -> bool:
    """Whether a use at `now` is worth recording as her last activity (a write at most every `every`)."""
    return now - last_seen_at >= every


def day_text(day: date, *, language: str) -> str:
    """A day as her warnings (email and push) write it: 24/12/2026 in French, 2026-12-24 in English."""
    return day.strftime("%d/%m/%Y") if language == "fr" else day.isoformat()


def inactivity_email(*, language: str, display_name: str, erase_on: str, page: str) -> tuple[str, str]:
    """(subject, body) of the warning before an inactive account is erased."""
    if language == "fr":
        return (
            "Votre compte Voisins sera effacé",
            f"Bonjour {display_name},\n\n"
            f"Vous ne vous êtes pas connecté·e à Voisins depuis longtemps. Comme nous ne gardons pas "
            f"les données des comptes inactifs, votre compte et vos données seront effacés le {erase_on}.\n\n"
            f"Pour garder votre compte, connectez-vous simplement avant cette date. Pour emporter vos "
            f"données, demandez-les dans les Réglages. Ce que nous gardons et pourquoi : {page}\n\n"
            "L'équipe Voisins",
        )
    return (
        "Your Voisins account will be erased",
        f"Hello {display_name},\n\n"
        f"You have not logged in to Voisins for a long time. As we do not keep the data of inactive "
        f"accounts, your account and your data will be erased on {erase_on}.\n\n"
        f"To keep your account, simply log in before that day. To take your data with you, ask for it "
        f"in Settings. What we keep and why: {page}\n\n"
        "The Voisins team",
    )
