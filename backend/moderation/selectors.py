"""Reads of moderation."""

from datetime import datetime
from typing import Any

from backend.accounts.models import User
from backend.chat import frames as chat_frames
from backend.chat import handlers
from backend.chat import selectors as chat_selectors
from backend.chat.models import Room
from backend.common.errors import VoisinsError
from backend.moderation import domain
from backend.moderation.models import Action, Appeal, Report
from backend.neighbourhoods.models import Neighbourhood
from backend.trust import domain as trust_domain
from backend.trust.models import AuditEntry
from backend.trust.selectors import audit_entries, may_moderate


def require_moderator(*, user: User, neighbourhood_id: int) -> None:
    """Moderators of the neighbourhood, and staff everywhere; not_moderator otherwise."""
    if not may_moderate(user=user, neighbourhood_id=neighbourhood_id):
        raise VoisinsError("not_moderator")


def watched_rooms(*, user: User, neighbourhood_id: int) -> list[Room]:
    """What a moderator's socket watches (the frame watch): the neighbourhood's rooms but
    direct conversations, which stay private; not_moderator for anyone else."""
    require_moderator(user=user, neighbourhood_id=neighbourhood_id)
    return list(chat_selectors.watchable_rooms(neighbourhood_id=neighbourhood_id))


def watch_answer(user: User, frame: dict[str, Any]) -> handlers.Answer:
    """The socket's watch (frontend-contract/websocket/client/watch.json), registered with
    chat by ModerationConfig.ready: the watching frame, and the rooms her socket follows."""
    neighbourhood_id = frame["neighbourhood_id"]
    rooms = watched_rooms(user=user, neighbourhood_id=neighbourhood_id)
    return handlers.Answer(
        {"type": "watching", "neighbourhood_id": neighbourhood_id,
         "rooms": [chat_frames.room_body(room, unread=0) for room in rooms]},
        follow=handlers.Follow(neighbourhood_id, rooms),
    )


def report_queue(*, viewer: User, neighbourhood_id: int, status: str = "open") -> list[Report]:
    require_moderator(user=viewer, neighbourhood_id=neighbourhood_id)
    return list(
        Report.objects.filter(neighbourhood_id=neighbourhood_id, status=status)
        .select_related("reporter", "message__author", "post__author", "member")
        .order_by("-id")[:200]
    )


def neighbourhood_log(
    *, viewer: User, neighbourhood_id: int, kinds: list[str] | None = None, before: datetime | None = None,
    limit: int = 50,
) -> list[dict]:
    """The neighbourhood's one log, newest first: trust decisions and moderation actions,
    with names; `kinds` keeps some kinds only, `before` an entry's `at` pages."""
    require_moderator(user=viewer, neighbourhood_id=neighbourhood_id)
    moderation_kinds = [k for k in kinds if k in Action.Kind.values] if kinds else None
    trust_kinds = [k for k in kinds if k in AuditEntry.Action.values] if kinds else None
    actions: list[dict] = []
    if moderation_kinds is None or moderation_kinds:
        rows = Action.objects.filter(neighbourhood_id=neighbourhood_id).select_related("actor", "subject")
        if moderation_kinds:
            rows = rows.filter(kind__in=moderation_kinds)
        if before is not None:
            rows = rows.filter(at__lt=before)
        actions = [domain.log_entry_body(a) for a in rows.order_by("-at", "-id")[:limit]]
    decisions: list[dict] = []
    if trust_kinds is None or trust_kinds:
        decisions = [
            trust_domain.audit_entry_body(entry)
            for entry in audit_entries(neighbourhood_id=neighbourhood_id, actions=trust_kinds, before=before, limit=limit)
        ]
    return domain.log_merge(actions, decisions, limit=limit)


LOG_KINDS = sorted({*Action.Kind.values, *AuditEntry.Action.values})


def actions_about(*, user: User) -> list[Action]:
    """What moderators decided about her, with whether she appealed."""
    return list(Action.objects.filter(subject=user).select_related("appeal_made").order_by("-id")[:100])


def open_appeals(*, viewer: User, neighbourhood_id: int) -> list[Appeal]:
    require_moderator(user=viewer, neighbourhood_id=neighbourhood_id)
    return list(
        Appeal.objects.filter(action__neighbourhood_id=neighbourhood_id, status="open").select_related("action").order_by("id")
    )


def console_neighbourhoods(*, user: User) -> list[Neighbourhood]:
    """The neighbourhoods her console shows: those she moderates; every one for staff."""
    if not user.is_authenticated:
        return []
    neighbourhoods = Neighbourhood.objects.all() if user.is_staff else user.moderated_neighbourhoods.all()
    return list(neighbourhoods.order_by("name"))
