"""Pure rules of organisations, their publications and civic reports: no ORM, no clock
(callers pass `now`), no channel layer."""

import math
import re
import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

TITLE_MAX = 120
TEXT_MAX = 4000
DESCRIPTION_MAX = 2000
FREE_ANSWER_MAX = 500
NOTE_MAX = 2000
MAX_CHOICES = 10
CHOICE_MAX = 80
ANNOUNCEMENT_IMAGES = 6
REPORT_IMAGES = 10
DEFAULT_ALERTS_PER_DAY = 3
ALERT_WINDOW = timedelta(hours=24)
ALERT_MAX_DURATION = timedelta(hours=72)
CONSULTATION_MAX_DURATION = timedelta(days=90)
REOPEN_WITHIN = timedelta(days=14)
NEARBY_M = 150.0  # open reports of the same category this close are suggested first
SUMMARY_MAX = 60

# Standard categories: every organisation takes them; each may add its own (c<id>).
CATEGORIES: dict[str, dict[str, str]] = {
    "roadway": {"en": "Roadway", "fr": "Voirie"},
    "lighting": {"en": "Lighting", "fr": "Éclairage"},
    "cleanliness": {"en": "Cleanliness", "fr": "Propreté"},
    "graffiti": {"en": "Graffiti", "fr": "Graffiti"},
    "green_spaces": {"en": "Green spaces", "fr": "Espaces verts"},
    "other": {"en": "Other", "fr": "Autre"},
}
_CUSTOM = re.compile(r"^c([1-9][0-9]{0,9})$")

# The workflow of a report. The organisation moves it forward; rejected and duplicate
# end it (with a reason); the reporter may reopen a resolved one within REOPEN_WITHIN.
STATUSES = ("received", "acknowledged", "in_progress", "resolved", "rejected", "duplicate")
OPEN_STATUSES = ("received", "acknowledged", "in_progress")
_FORWARD = {
    "received": {"acknowledged", "rejected", "duplicate"},
    "acknowledged": {"in_progress", "resolved", "rejected", "duplicate"},
    "in_progress": {"resolved", "rejected", "duplicate"},
}
NEEDS_REASON = frozenset({"rejected", "duplicate"})


def custom_category_key(category_id: int) -> str:
    return f"c{category_id}"


def custom_category_id(key: str) -> int | None:
    match = _CUSTOM.match(key or "")
    return int(match.group(1)) if match else None


def category_name(key: str, language: str, custom_names: dict[str, str] | None = None) -> str:
    if key in CATEGORIES:
        return CATEGORIES[key].get(language, CATEGORIES[key]["en"])
    return (custom_names or {}).get(key, key)


def status_change_refusal(*, current: str, target: str, reason: str, duplicate_of: int | None,
                          same_organisation_open_duplicate: bool | None) -> str | None:
    """Why an agent may not move a report from `current` to `target`."""
    if target not in _FORWARD.get(current, set()):
        return "invalid_report_transition"
    if target in NEEDS_REASON and not reason.strip():
        return "reason_required"
    if target == "duplicate" and (duplicate_of is None or not same_organisation_open_duplicate):
        return "invalid_duplicate"
    return None


def reopen_refusal(*, status: str, resolved_at: datetime | None, now: datetime) -> str | None:
    if status != "resolved" or resolved_at is None:
        return "invalid_report_transition"
    if now > resolved_at + REOPEN_WITHIN:
        return "reopen_too_late"
    return None


def reopenable_until(*, status: str, resolved_at: datetime | None) -> datetime | None:
    return resolved_at + REOPEN_WITHIN if status == "resolved" and resolved_at else None


def summary(text: str, limit: int = SUMMARY_MAX) -> str:
    """The first words of a description, for a notification."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut + "…"


def resident_of(neighbourhood_name: str, language: str) -> str:
    """How the organisation names a reporter who did not agree to show her name."""
    return f"un·e habitant·e de {neighbourhood_name}" if language == "fr" else f"a resident of {neighbourhood_name}"


# Area alerts


def alert_refusal(*, expires_at: datetime, now: datetime) -> tuple[str, dict[str, Any]] | None:
    if expires_at <= now:
        return "in_the_past", {"field": "expires_at"}
    if expires_at - now > ALERT_MAX_DURATION:
        return "alert_too_long", {}
    return None


def alert_limit_retry_after(*, sent_in_window: list[datetime], limit: int, now: datetime) -> int | None:
    """None if one more alert fits in the rolling 24 hours, else the seconds until the
    oldest alert that counts leaves the window."""
    recent = sorted(at for at in sent_in_window if at > now - ALERT_WINDOW)
    if len(recent) < limit:
        return None
    if not recent:  # a limit of 0: no alerts at all
        return int(ALERT_WINDOW.total_seconds())
    leaves = recent[len(recent) - limit] + ALERT_WINDOW
    return max(1, math.ceil((leaves - now).total_seconds()))


# Consultations


def consultation_refusal(*, answer_kind: str, choices: list[str], closes_at: datetime, now: datetime
                         ) -> tuple[str, dict[str, Any]] | None:
    if closes_at <= now:
        return "in_the_past", {"field": "closes_at"}
    if closes_at - now > CONSULTATION_MAX_DURATION:
        return "consultation_too_long", {}
    if answer_kind == "choices":
        cleaned = [choice.strip() for choice in choices]
        if not 2 <= len(cleaned) <= MAX_CHOICES or not all(cleaned) or len(set(cleaned)) != len(cleaned):
            return "invalid_choices", {"max": MAX_CHOICES}
    elif choices:
        return "invalid_choices", {"max": MAX_CHOICES}
    return None


def answer_refusal(*, answer_kind: str, choices: list[str], choice: int | None, text: str, closes_at: datetime,
                   now: datetime) -> str | None:
    if now >= closes_at:
        return "consultation_closed"
    if answer_kind == "choices":
        if choice is None or not 0 <= choice < len(choices) or text:
            return "invalid_answer"
    elif choice is not None or not text.strip() or len(text) > FREE_ANSWER_MAX:
        return "invalid_answer"
    return None


def consultation_results(*, answer_kind: str, choices: list[str], answers: Iterable[tuple[int | None, str]],
                         with_texts: bool) -> dict[str, Any]:
    """Aggregates only: a count per choice, and for a free question the texts (sorted, so
    that their order tells nothing of who answered when) when `with_texts`."""
    answers = list(answers)
    counts = [0] * len(choices)
    for choice, _ in answers:
        if choice is not None and 0 <= choice < len(counts):
            counts[choice] += 1
    results: dict[str, Any] = {
        "answers": len(answers),
        "choices": [{"label": label, "count": count} for label, count in zip(choices, counts)],
        "free_answers": None,
    }
    if answer_kind == "free" and with_texts:
        results["free_answers"] = sorted(text for _, text in answers if text)
    return results


# Figures


def median_seconds(durations: Iterable[timedelta]) -> int | None:
    values = [d.total_seconds() for d in durations]
    return round(statistics.median(values)) if values else None


def figures(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Reports counted by category and status, with the median times to acknowledge and to
    resolve, overall and per neighbourhood. `rows`: dicts with neighbourhood_id,
    category, status, created_at, acknowledged_at, resolved_at."""
    rows = list(rows)

    def block(selected: list[dict[str, Any]]) -> dict[str, Any]:
        by_category: dict[str, dict[str, int]] = {}
        by_status = dict.fromkeys(STATUSES, 0)
        for row in selected:
            by_status[row["status"]] += 1
            by_category.setdefault(row["category"], dict.fromkeys(STATUSES, 0))[row["status"]] += 1
        return {
            "total": len(selected),
            "by_status": by_status,
            "by_category": [{"category": key, "by_status": counts} for key, counts in sorted(by_category.items())],
            "median_seconds_to_acknowledge": median_seconds(
                row["acknowledged_at"] - row["created_at"] for row in selected if row["acknowledged_at"]),
            "median_seconds_to_resolve": median_seconds(
                row["resolved_at"] - row["created_at"] for row in selected if row["resolved_at"]),
        }

    neighbourhoods = sorted({row["neighbourhood_id"] for row in rows})
    return {
        **block(rows),
        "by_neighbourhood": [
            {"neighbourhood_id": nid, **block([row for row in rows if row["neighbourhood_id"] == nid])}
            for nid in neighbourhoods
        ],
    }


# Open data: what the CSV export holds. No description (free text may name people), no
# reporter, no notes; positions rounded to about 10 m.
CSV_COLUMNS = ("id", "created_at", "neighbourhood", "category", "status", "latitude", "longitude", "supporters",
               "acknowledged_at", "resolved_at")


def csv_row(report: dict[str, Any]) -> list[str]:
    def when(value: datetime | None) -> str:
        return value.isoformat() if value else ""

    return [
        str(report["id"]), when(report["created_at"]), report["neighbourhood"], report["category"], report["status"],
        f"{report['latitude']:.4f}", f"{report['longitude']:.4f}", str(report["supporters"]),
        when(report["acknowledged_at"]), when(report["resolved_at"]),
    ]


# What phones are told (push listens to cities' domain events and shows these).

_STATUS_BODIES = {
    "acknowledged": {"en": "“{summary}” was acknowledged.", "fr": "« {summary} » a été pris en compte."},
    "in_progress": {"en": "Work has started on “{summary}”.", "fr": "Les travaux ont commencé : « {summary} »."},
    "resolved": {"en": "“{summary}” is resolved. Not fixed? Reopen it within 14 days.",
                 "fr": "« {summary} » est résolu. Pas réglé ? Rouvrez-le sous 14 jours."},
    "rejected": {"en": "“{summary}” was rejected: {reason}", "fr": "« {summary} » a été rejeté : {reason}"},
    "duplicate": {"en": "“{summary}” duplicates another report, which you now follow: {reason}",
                  "fr": "« {summary} » fait doublon avec un autre signalement, que vous suivez désormais : {reason}"},
    "received": {"en": "“{summary}” was reopened.", "fr": "« {summary} » a été rouvert."},
}
PUSH_TEXTS: dict[str, dict[str, str]] = {
    "city_alert": {"en": "Alert · {organisation}", "fr": "Alerte · {organisation}"},
    "city_alert_body": {"en": "{title}: {text}", "fr": "{title} : {text}"},
    **{f"city_report_{status}": {"en": "Report · {organisation}", "fr": "Signalement · {organisation}"}
       for status in _STATUS_BODIES},
    **{f"city_report_{status}_body": texts for status, texts in _STATUS_BODIES.items()},
}
