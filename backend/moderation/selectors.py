"""Reads of moderation."""

from datetime import datetime
from typing import Any

from backend.accounts.models import User
from backend.chat import frames as chat_frames
from backend.chat import handlers
from backend.chat import selectors as chat_selectors
from backend.chat.models import Message, Room
from backend.common.errors import VoisinsError
from backend.common.personal_data import Section
from backend.moderation import domain
from backend.moderation.models import Action, Appeal, Report
from backend.neighbourhoods.models import Neighbourhood
from backend.trust import domain as trust_domain
from backend.trust.models import AuditEntry
from backend.feed.models import Post
from backend.photos import frames as photo_frames
from backend.photos import selectors as photo_selectors
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


def reported_images(reports: list[Report]) -> dict[int, list[dict[str, Any]]]:
    """The photos of what each report is about (a message or a post), as image objects
    for the moderators; two queries whatever the number of reports."""
    of_messages = photo_selectors.images_of(kind="message", object_ids=[r.message_id for r in reports if r.message_id])
    of_posts = photo_selectors.images_of(kind="post", object_ids=[r.post_id for r in reports if r.post_id])
    return {
        report.pk: photo_frames.image_bodies(
            of_messages[report.message_id] if report.message_id else of_posts[report.post_id] if report.post_id else []
        )
        for report in reports
    }


def post_images_reviewable(user: User, post_id: int) -> bool:
    """Moderators (and staff) review the photos of their neighbourhood's posts, removed
    or hidden ones too (registered with photos by ModerationConfig.ready)."""
    post = Post.objects.filter(pk=post_id).only("neighbourhood_id").first()
    return post is not None and may_moderate(user=user, neighbourhood_id=post.neighbourhood_id)


def message_images_reviewable(user: User, message_id: int) -> bool:
    """…and those of their neighbourhood's messages; in a direct conversation, which
    stays private, only once the message is reported."""
    message = Message.objects.select_related("room").filter(pk=message_id).first()
    if message is None or message.deleted_at is not None:
        return False
    if not may_moderate(user=user, neighbourhood_id=message.room.neighbourhood_id):
        return False
    return message.room.kind != Room.Kind.DIRECT or message.reports.exists()


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
        # A revocation is trust's entry in this log; its copy here is what she appeals.
        rows = Action.objects.filter(neighbourhood_id=neighbourhood_id).exclude(kind=Action.Kind.REVOKE)
        rows = rows.select_related("actor", "subject")
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


def personal_data_export(user: User) -> Section:
    """Her part of moderation for her data export (backend.common.personal_data): the
    reports she filed with their outcome, and the decisions about her with their
    reasons and her appeals. Not what others reported about her (their reports are theirs)."""
    reports = Report.objects.filter(reporter=user).order_by("created_at", "pk")
    actions = Action.objects.filter(subject=user).select_related("actor", "neighbourhood").order_by("at", "pk")
    appeals = {a.action_id: a for a in Appeal.objects.filter(appellant=user)}
    return Section(data={
        "reports_filed": [{"id": r.pk, "about": "message" if r.message_id else "post" if r.post_id else "member",
                           "category": r.category, "text": r.text, "status": r.status, "created_at": r.created_at,
                           "reviewed_at": r.reviewed_at} for r in reports],
        "decisions_about_me": [
            {"id": a.pk, "neighbourhood": a.neighbourhood.name, "kind": a.kind, "reason": a.reason,
             "by": a.actor.display_name, "until": a.until, "at": a.at,
             "appeal": None if a.pk not in appeals else {
                 "text": appeals[a.pk].text, "status": appeals[a.pk].status,
                 "created_at": appeals[a.pk].created_at, "decided_at": appeals[a.pk].decided_at}}
            for a in actions
        ],
    })
