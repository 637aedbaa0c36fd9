"""Pure rules of moderation. No ORM, no clock."""

from typing import Any

from backend.trust.domain import person_body

MUTE_MINUTES_MIN = 5
MUTE_MINUTES_MAX = 60 * 24 * 90
APPEALABLE = frozenset({"remove", "mute", "ban", "revoke"})


def hide_now(*, reports: int, threshold: int) -> bool:
    """Content reported by `threshold` distinct members is hidden from residents until
    a moderator reviews it."""
    return reports >= threshold


def notice_body(action: Any) -> dict[str, Any]:
    """An entry of the log as the member concerned and the moderators see it."""
    return {
        "id": action.pk,
        "neighbourhood_id": action.neighbourhood_id,
        "kind": action.kind,
        "actor_id": action.actor_id,
        "subject_id": action.subject_id,
        "message_id": action.message_id,
        "post_id": action.post_id,
        "until": action.until.isoformat() if action.until else None,
        "reason": action.reason,
        "at": action.at.isoformat(),
    }


def log_entry_body(action: Any) -> dict[str, Any]:
    """An action as an entry of the neighbourhood's log, in the shape trust's decisions
    share (trust.domain.audit_entry_body), with names."""
    return {
        "source": "moderation",
        "id": action.pk,
        "neighbourhood_id": action.neighbourhood_id,
        "kind": action.kind,
        "route": None,
        "actor": person_body(action.actor),
        "subject": person_body(action.subject),
        "membership_id": None,
        "message_id": action.message_id,
        "post_id": action.post_id,
        "until": action.until.isoformat() if action.until else None,
        "reason": action.reason,
        "at": action.at.isoformat(),
    }


def log_merge(*sources: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Entries of several logs, each newest first, as one log newest first."""
    entries = [entry for source in sources for entry in source]
    entries.sort(key=lambda entry: (entry["at"], entry["source"], entry["id"]), reverse=True)
    return entries[:limit]


def report_body(report: Any, images: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A report as the moderators see it, with what it is about: the reported message's
    author and text (even of a direct conversation: a report opens it to them), the
    post's author and title, or the member; and the photos of the message or post
    (`images`, image objects; none in the answer to the reporter)."""
    if report.message_id:
        author, text = report.message.author, report.message.text
    elif report.post_id:
        author, text = report.post.author, report.post.title
    else:
        author, text = report.member, ""
    return {
        "about": {"author": {"id": author.pk, "display_name": author.display_name}, "text": text,
                  "images": images or []},
        "id": report.pk,
        "neighbourhood_id": report.neighbourhood_id,
        "reporter_id": report.reporter_id,
        "message_id": report.message_id,
        "post_id": report.post_id,
        "member_id": report.member_id,
        "category": report.category,
        "text": report.text,
        "status": report.status,
        "created_at": report.created_at.isoformat(),
    }
