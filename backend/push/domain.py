"""Pure rules of pushes: who is quiet, what a notification says, how errors are met.
No ORM, no clock (callers pass `now`), no network."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from backend.cities.domain import PUSH_TEXTS as CITY_TEXTS
from backend.feed.domain import PUSH_TEXTS as FEED_TEXTS
from backend.privacy.domain import PUSH_TEXTS as PRIVACY_TEXTS
from backend.trust.domain import DECISION_TEXTS

BATCH = 500  # requests in flight at once to FCM, at most
MAX_ATTEMPTS = 5
BASE_RETRY_SECONDS = 2
MAX_RETRY_SECONDS = 300


def collapse_key(room_id: int) -> str:
    """One notification per room: a burst replaces itself on the phone."""
    return f"room-{room_id}"


def event_tag(event: str) -> str:
    """The notification tag of a push that has no collapse key: one per event, so that
    the same push sent twice (after a worker crash) shows once. Short enough for APNs'
    64-byte apns-collapse-id whatever the event's name."""
    return "event-" + hashlib.blake2s(event.encode(), digest_size=10).hexdigest()


def in_quiet_hours(local: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # across midnight


def mute_active(until: datetime | None, *, now: datetime) -> bool:
    return until is None or until > now


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds before attempt number `attempt` + 1: exponential, never sooner than the
    server's Retry-After."""
    backoff = min(MAX_RETRY_SECONDS, BASE_RETRY_SECONDS * 2 ** max(0, attempt - 1))
    return max(backoff, retry_after or 0)


@dataclass(frozen=True)
class Outcome:
    """What to do with a delivery after FCM answered."""

    state: str  # sent, retry, failed, dropped
    deactivate: str = ""  # a reason to deactivate the device
    alert: bool = False  # worth a person's attention (APNs credentials)


# firebase_admin exception classes by name, and what they mean for us.
_DEVICE_GONE = {
    "UnregisteredError": "unregistered",
    "SenderIdMismatchError": "sender_id_mismatch",
    "InvalidArgumentError": "invalid",
}
_TRANSIENT = {"QuotaExceededError", "UnavailableError", "InternalError", "DeadlineExceededError", "UnknownError"}


def outcome(error_class: str | None, *, attempts: int) -> Outcome:
    if error_class is None:
        return Outcome("sent")
    if error_class in _DEVICE_GONE:
        return Outcome("dropped", deactivate=_DEVICE_GONE[error_class])
    if error_class == "ThirdPartyAuthError":
        # Our APNs credentials are wrong: the devices are fine, retrying will not help.
        return Outcome("failed", alert=True)
    if error_class in _TRANSIENT and attempts < MAX_ATTEMPTS:
        return Outcome("retry")
    return Outcome("failed")


_TEXTS = {
    "new_message": {"en": "New message", "fr": "Nouveau message"},
    "new_photo": {"en": "📷 Photo", "fr": "📷 Photo"},
    "new_post": {"en": "New post: {title}", "fr": "Nouvelle annonce : {title}"},
    "mention": {"en": "{author} mentioned you", "fr": "{author} vous a mentionné·e"},
    **DECISION_TEXTS,
    **CITY_TEXTS,
    **FEED_TEXTS,
    **PRIVACY_TEXTS,
    **{
        f"moderation_{kind}": {"en": "Moderation", "fr": "Modération"}
        for kind in ("remove", "restore", "mute", "ban", "dismiss", "appeal_granted", "appeal_denied")
    },
    "moderation_remove_body": {"en": "A moderator removed your content ({reason}); you may appeal once.",
                               "fr": "Un modérateur a retiré votre contenu ({reason}) ; vous pouvez faire un recours."},
    "moderation_restore_body": {"en": "A moderator restored your content.", "fr": "Un modérateur a rétabli votre contenu."},
    "moderation_mute_body": {"en": "A moderator muted you for a while ({reason}); you may appeal once.",
                             "fr": "Un modérateur vous a mis en sourdine ({reason}) ; vous pouvez faire un recours."},
    "moderation_ban_body": {"en": "A moderator removed you from the neighbourhood ({reason}); you may appeal once.",
                            "fr": "Un modérateur vous a retiré du quartier ({reason}) ; vous pouvez faire un recours."},
    "moderation_dismiss_body": {"en": "Reports about you were reviewed: nothing to change.",
                                "fr": "Des signalements vous concernant ont été examinés : rien à changer."},
    "moderation_appeal_granted_body": {"en": "Your appeal was granted: {reason}", "fr": "Votre recours a été accepté : {reason}"},
    "moderation_appeal_denied_body": {"en": "Your appeal was denied: {reason}", "fr": "Votre recours a été rejeté : {reason}"},
}


class _Params(dict):
    """A task enqueued before a text gained a parameter still renders (without it)."""

    def __missing__(self, key: str) -> str:
        return ""


def text(key: str, language: str, **params: Any) -> str:
    texts = _TEXTS[key]
    return texts.get(language, texts["en"]).format_map(_Params(params))


def message_notification(
    *, room_name: str, author: str, body_text: str, card_title: str | None, mentioned: bool, previews: bool,
    language: str,
) -> tuple[str, str]:
    """(title, body) of the notification of a new message, in the reader's language;
    the text only when she lets previews show."""
    title = text("mention", language, author=author) if mentioned else f"{author} · {room_name}"
    if card_title is not None:
        body = text("new_post", language, title=card_title) if previews else text("new_message", language)
    elif not body_text:  # a message of photos only
        body = text("new_photo", language)
    else:
        body = body_text if previews else text("new_message", language)
    return title, body[:240]


def batches(items: list, size: int = BATCH) -> list[list]:
    return [items[start:start + size] for start in range(0, len(items), size)]
