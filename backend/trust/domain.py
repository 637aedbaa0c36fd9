"""Pure trust rules: no ORM, no clock (callers pass `now`). Each check returns the
error code of the refusal, or None when the action is allowed."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

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


# verified -> pending: the one vouch that let her in was withdrawn with its author
# ("revoke with the chain"); revoked -> verified: a moderator's reinstatement only.
_TRANSITIONS = {PENDING: {VERIFIED, REJECTED}, VERIFIED: {REVOKED, PENDING}, REVOKED: {VERIFIED}}


def transition_refusal(*, current: str, target: str) -> str | None:
    if target in _TRANSITIONS.get(current, set()):
        return None
    return "not_pending" if target in (VERIFIED, REJECTED) else "not_verified"


def apply_refusal(*, banned_here: bool, has_open_membership: bool) -> str | None:
    """A revocation (or a ban) holds: she cannot come back through a new application, by
    vouches or a letter; only a moderator's reinstatement or a granted appeal undoes it.
    A rejection closes one application only: she may apply again at once."""
    if banned_here:
        return "banned"
    if has_open_membership:
        return "already_member"
    return None


def only_route_was(*, state: str, route: str | None, other_counting_vouches: int, needed: int) -> bool:
    """Was one voucher's vouch her only way in? True for a member verified by cooptation
    whom the other vouches still counting would not verify."""
    return state == VERIFIED and route == "vouch" and other_counting_vouches < needed


# Every decision tells its subject why, live and by an urgent push: the texts of both.
DECISIONS = ("verified", "rejected", "proof_rejected", "revoked", "reinstated", "reverify", "moderator_removed")
DECISION_TEXTS: dict[str, dict[str, str]] = {
    "membership_verified": {"en": "Welcome, neighbour!", "fr": "Bienvenue, voisin·e !"},
    "membership_verified_body": {
        "en": "Your membership of {neighbourhood} is verified: its rooms are open to you.",
        "fr": "Votre adhésion à {neighbourhood} est vérifiée : ses salons vous sont ouverts.",
    },
    "membership_rejected": {"en": "About your membership", "fr": "À propos de votre adhésion"},
    "membership_rejected_body": {
        "en": "Your application to {neighbourhood} was not accepted. Reason: {reason}",
        "fr": "Votre demande d'adhésion à {neighbourhood} n'a pas été acceptée. Motif : {reason}",
    },
    "membership_proof_rejected": {"en": "About your proof of address", "fr": "À propos de votre justificatif"},
    "membership_proof_rejected_body": {
        "en": "Your proof of address for {neighbourhood} was not accepted: send another one. Reason: {reason}",
        "fr": "Votre justificatif de domicile pour {neighbourhood} n'a pas été accepté : envoyez-en un autre. "
        "Motif : {reason}",
    },
    "membership_revoked": {"en": "About your membership", "fr": "À propos de votre adhésion"},
    "membership_revoked_body": {
        "en": "The moderators ended your membership of {neighbourhood}. Reason: {reason}",
        "fr": "Les modérateurs ont mis fin à votre adhésion à {neighbourhood}. Motif : {reason}",
    },
    "membership_reinstated": {"en": "Welcome back", "fr": "Bon retour parmi nous"},
    "membership_reinstated_body": {
        "en": "The moderators reinstated your membership of {neighbourhood}. Reason: {reason}",
        "fr": "Les modérateurs ont rétabli votre adhésion à {neighbourhood}. Motif : {reason}",
    },
    "membership_reverify": {"en": "Please verify your address again", "fr": "Merci de vérifier à nouveau votre adresse"},
    "membership_reverify_body": {
        "en": "The neighbour who vouched for you in {neighbourhood} was removed, so your membership is pending "
        "again. Ask another verified neighbour to vouch for you, send a proof of address or ask for a letter "
        "code. Reason: {reason}",
        "fr": "Le voisin qui s'était porté garant de vous à {neighbourhood} a été retiré : votre adhésion est de "
        "nouveau en attente. Demandez à un autre voisin vérifié de se porter garant, envoyez un justificatif de "
        "domicile ou demandez un code par courrier. Motif : {reason}",
    },
    "membership_moderator_removed": {"en": "About your moderation rights", "fr": "À propos de vos droits de modération"},
    "membership_moderator_removed_body": {
        "en": "You no longer moderate {neighbourhood}: you are no longer a verified member there.",
        "fr": "Vous ne modérez plus {neighbourhood} : vous n'y êtes plus membre vérifié·e.",
    },
}


def decision_text(decision: str, language: str, **params: str) -> tuple[str, str]:
    """(title, body) of a decision's notice, in her language (English otherwise)."""
    title, body = DECISION_TEXTS[f"membership_{decision}"], DECISION_TEXTS[f"membership_{decision}_body"]
    return title.get(language, title["en"]), body.get(language, body["en"]).format(**params)


def notice_body(
    *, decision: str, language: str, membership_id: int, neighbourhood_id: int, neighbourhood_name: str, reason: str,
    at: datetime,
) -> dict[str, Any]:
    """A decision as its subject reads it (the trust.notice frame), in her language."""
    title, body = decision_text(decision, language, neighbourhood=neighbourhood_name, reason=reason)
    return {
        "decision": decision,
        "membership_id": membership_id,
        "neighbourhood": {"id": neighbourhood_id, "name": neighbourhood_name},
        "reason": reason,
        "at": at.isoformat(),
        "title": title,
        "body": body,
    }


def person_body(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "display_name": user.display_name}


def audit_entry_body(entry: Any) -> dict[str, Any]:
    """A trust decision as a log entry: the same shape as moderation's entries, so that
    one log shows both (`source` tells them apart)."""
    return {
        "source": "trust",
        "id": entry.pk,
        "neighbourhood_id": entry.neighbourhood_id,
        "kind": entry.action,
        "route": entry.route or None,
        "actor": person_body(entry.actor),
        "subject": person_body(entry.subject),
        "membership_id": entry.membership_id,
        "message_id": None,
        "post_id": None,
        "until": None,
        "reason": entry.reason,
        "at": entry.at.isoformat(),
    }


# Her data (issue 15): what an address becomes once it is no longer kept.
ERASED_ADDRESS = {"street": "", "number": "", "postcode": "", "city": "", "latitude": 0.0, "longitude": 0.0}


def abandoned_reason(*, days: int) -> str:
    """The reason of an application closed by the retention rule, in both languages
    (the audit log keeps one text)."""
    return (f"Demande abandonnée : pas de décision en {days} jours · "
            f"Application abandoned: no decision in {days} days")
