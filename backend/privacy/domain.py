"""Pure rules of her data: no ORM, no clock (callers pass `now`)."""

from datetime import datetime, timedelta

ARCHIVE_ROOT = "voisins-export"

# Asking for her data again within this long of an archive being ready returns that one
# (while it can be downloaded): at most one archive a day.
EXPORT_REUSE = timedelta(days=1)

# What the archive's README.txt says, in both languages (the archive is read offline).
ARCHIVE_README = """Voisins — vos données / your data

FR — Cette archive contient tout ce que Voisins garde sur vous : un fichier JSON par
partie de l'application (compte, appareils, adhésions et décisions, messages, annonces,
prêts, signalements, photos…) et vos photos dans photos/. Les autres personnes n'y
figurent que par leur nom affiché ; d'une conversation privée, seuls vos propres
messages y sont.

EN — This archive holds everything Voisins keeps about you: one JSON file per part of
the app (account, devices, memberships and decisions, messages, posts, loans, reports,
photos…) and your photos in photos/. Other people appear only by their display name; of
a private conversation, only your own messages are here.
"""

PUSH_TEXTS: dict[str, dict[str, str]] = {
    "privacy_export_ready": {"en": "Your data is ready", "fr": "Vos données sont prêtes"},
    "privacy_export_ready_body": {
        "en": "Download your archive within {days} days, from Settings.",
        "fr": "Téléchargez votre archive d'ici {days} jours, depuis les Réglages.",
    },
    "privacy_inactive_warning": {"en": "Voisins misses you", "fr": "Voisins vous attend"},
    "privacy_inactive_warning_body": {
        "en": "Your account has been inactive for a long time: it will be erased on {day} unless you log in.",
        "fr": "Votre compte est inactif depuis longtemps : il sera effacé le {day} si vous ne vous connectez pas.",
    },
}


def archive_path(section: str, name: str = "") -> str:
    """Where a section's JSON (or one of its files) goes in the archive."""
    return f"{ARCHIVE_ROOT}/{section}/{name}" if name else f"{ARCHIVE_ROOT}/{section}.json"


def export_expiry(*, ready_at: datetime, days: int) -> datetime:
    return ready_at + timedelta(days=days)


def export_state(*, state: str, expires_at: datetime | None, now: datetime) -> str:
    """What she sees of an export: a ready one past `expires_at` is expired, even before
    the sweep deletes its archive."""
    if state == "ready" and (expires_at is None or expires_at <= now):
        return "expired"
    return state


def export_refusal(*, state: str, expires_at: datetime | None, now: datetime) -> str | None:
    """Why an export cannot be downloaded now (an error code), or None."""
    if state == "building":
        return "export_not_ready"
    if state == "expired" or expires_at is None or expires_at <= now:
        return "export_expired"
    return None


def inactivity_step(
    *, last_seen_at: datetime, warned_at: datetime | None, now: datetime, inactive_after: timedelta, grace: timedelta
) -> str | None:
    """What the inactivity rule does to an account now: "warn" once she has been away
    `inactive_after`, "erase" `grace` after the warning (coming back clears the warning),
    None otherwise."""
    if warned_at is None:
        return "warn" if now - last_seen_at >= inactive_after else None
    return "erase" if now - warned_at >= grace else None


def page_language(*, asked: str | None, user: str | None, browser: str, supported: set[str]) -> str:
    """The data page's language: the one asked in its URL, else hers, else the browser's."""
    for language in (asked, user, browser):
        if language in supported:
            return language
    return "en"


def duration_parts(kept: timedelta) -> tuple[int, str]:
    """A retention period as (number, unit) for the page: the largest unit that divides
    it ("year", "month", "day", "hour", "minute", "second"), or (0, "now")."""
    seconds = int(kept.total_seconds())
    if seconds == 0:
        return 0, "now"
    days = seconds // 86400
    if seconds % 86400 == 0:
        if days % 365 == 0:
            return days // 365, "year"
        return days, "day"
    for size, unit in ((3600, "hour"), (60, "minute")):
        if seconds % size == 0:
            return seconds // size, unit
    return seconds, "second"
