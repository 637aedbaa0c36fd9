"""Pure trust rules: no ORM, no clock (callers pass `now`). Each check returns the
error code of the refusal, or None when the action is allowed."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import filetype

ALLOWED_PROOF_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
# No 0/O or 1/I/L: a code is read off paper and typed on a phone.
LETTER_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LETTER_CODE_LENGTH = 8

PENDING, VERIFIED, REJECTED, REVOKED = "pending", "verified", "rejected", "revoked"


def proof_content_type(head: bytes) -> str | None:
    """The type read from the file's first bytes (never its name), if it is one we accept."""
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_PROOF_TYPES:
        return None
    return kind.mime


def proof_refusal(*, size: int, content_type: str | None, max_bytes: int) -> str | None:
    if size > max_bytes:
        return "file_too_large"
    if content_type is None:
        return "file_type_not_allowed"
    return None


def vouch_refusal(
    *,
    is_self: bool,
    voucher_verified_here: bool,
    voucher_verified_elsewhere: bool,
    applicant_state: str,
    already_vouched: bool,
    given_in_period: int,
    quota: int,
) -> str | None:
    if is_self:
        return "self_vouch"
    if not voucher_verified_here:
        return "other_neighbourhood" if voucher_verified_elsewhere else "not_member"
    if applicant_state != PENDING:
        return "not_pending"
    if already_vouched:
        return "already_vouched"
    if given_in_period >= quota:
        return "vouch_quota_exceeded"
    return None


def vouch_quota_retry_after(*, oldest_in_period: datetime, period: timedelta, now: datetime) -> int:
    """Seconds until the oldest vouch of the period stops counting against the quota."""
    return max(1, int((oldest_in_period + period - now).total_seconds() + 0.999))


def vouched_enough(*, counting_vouches: int, needed: int) -> bool:
    return counting_vouches >= needed


def letter_code_generate() -> str:
    return "".join(secrets.choice(LETTER_CODE_ALPHABET) for _ in range(LETTER_CODE_LENGTH))


def letter_code_normalize(typed: str) -> str:
    """Accepts what people type: lower case, spaces and the dash of the printed form."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def letter_code_format(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def letter_code_digest(code: str, *, key: str) -> str:
    return hmac.new(key.encode(), code.encode(), hashlib.sha256).hexdigest()


def letter_code_matches(typed: str, *, digest: str, key: str) -> bool:
    return hmac.compare_digest(letter_code_digest(letter_code_normalize(typed), key=key), digest)


def letter_code_refusal(
    *, now: datetime, expires_at: datetime, used: bool, failed_attempts: int, max_attempts: int
) -> str | None:
    """Why a code can no longer be tried at all (before looking at what was typed)."""
    if used:
        return "code_used"
    if failed_attempts >= max_attempts:
        return "code_locked"
    if now >= expires_at:
        return "code_expired"
    return None


def letter_text(
    *, language: str, display_name: str, neighbourhood: str, address_lines: list[str], code: str, expires_on: str
) -> str:
    address = "\n".join(address_lines)
    if language == "fr":
        return (
            f"{address}\n\n"
            f"Bonjour {display_name},\n\n"
            f"Pour confirmer votre adresse et rejoindre le quartier {neighbourhood} sur Voisins, "
            f"saisissez ce code dans l'application avant le {expires_on} :\n\n"
            f"    {letter_code_format(code)}\n\n"
            "Ce code ne sert qu'une fois. Si vous n'avez rien demandé, ignorez ce courrier.\n\n"
            "L'équipe de modération Voisins"
        )
    return (
        f"{address}\n\n"
        f"Hello {display_name},\n\n"
        f"To confirm your address and join the {neighbourhood} neighbourhood on Voisins, "
        f"enter this code in the app before {expires_on}:\n\n"
        f"    {letter_code_format(code)}\n\n"
        "The code works once. If you did not ask for it, ignore this letter.\n\n"
        "The Voisins moderation team"
    )


_TRANSITIONS = {PENDING: {VERIFIED, REJECTED}, VERIFIED: {REVOKED}}


def transition_refusal(*, current: str, target: str) -> str | None:
    if target in _TRANSITIONS.get(current, set()):
        return None
    return "not_pending" if target in (VERIFIED, REJECTED) else "not_verified"
