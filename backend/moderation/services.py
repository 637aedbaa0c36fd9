"""The only place that reports and moderates. Every action has a reason and is written
to the append-only log (Action) in the same transaction; what it changes reaches the
sockets on commit, and the member concerned and the reporters are told."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from backend.accounts.domain_events import AccountErased
from backend.accounts.models import User
from backend.chat import selectors as chat_selectors
from backend.chat import services as chat_services
from backend.chat.models import Message, Room
from backend.common import domain_events, events
from backend.common.errors import VoisinsError, require_reason
from backend.feed.models import Post
from backend.moderation import domain
from backend.moderation.domain_events import ModerationActed
from backend.moderation.models import Action, Appeal, Report
from backend.moderation.selectors import reported_images, require_moderator
from backend.trust import services as trust_services
from backend.trust.domain_events import MembershipDecided
from backend.trust.models import Membership
from backend.trust.selectors import moderator_ids, neighbourhood_access


def _tell(user_id: int, frame: dict[str, Any]) -> None:
    events.tell_on_commit([user_id], frame)


def _tell_moderators(neighbourhood_id: int, frame: dict[str, Any]) -> None:
    events.tell_on_commit(moderator_ids(neighbourhood_id=neighbourhood_id), frame)


def _log(*, actor: User, kind: str, neighbourhood_id: int, subject_id: int, reason: str, **extra: Any) -> Action:
    action = Action.objects.create(
        actor=actor, kind=kind, neighbourhood_id=neighbourhood_id, subject_id=subject_id, reason=reason,
        at=timezone.now(), **extra,
    )
    _tell(subject_id, {"type": "moderation.notice", "action": domain.notice_body(action)})
    domain_events.emit(ModerationActed(user_id=subject_id, kind=kind, action_id=action.pk, reason=reason))
    _tell_moderators(neighbourhood_id, {"type": "moderation.logged", "entry": domain.log_entry_body(action)})
    return action


def _close_reports(reports: QuerySet[Report], *, status: str) -> None:
    """Reviewed: each reporter hears the outcome."""
    now = timezone.now()
    for report in reports.filter(status=Report.Status.OPEN):
        report.status, report.reviewed_at = status, now
        report.save(update_fields=["status", "reviewed_at"])
        _tell(report.reporter_id, {"type": "report.closed", "report_id": report.pk, "outcome": status})


# Reports


def _report_target(reporter: User, *, message_id: int | None, post_id: int | None, member_id: int | None):
    """(neighbourhood id, the field and the object reported), if she can see it."""
    if sum(x is not None for x in (message_id, post_id, member_id)) != 1:
        raise VoisinsError("report_one_thing")
    if message_id is not None:
        message = Message.objects.select_related("room").filter(pk=message_id).first()
        if message is None or not chat_selectors.room_access(user=reporter, room=message.room):
            raise VoisinsError("message_not_found")
        if message.author_id == reporter.pk:
            raise VoisinsError("report_own")
        return message.room.neighbourhood_id, "message", message
    if post_id is not None:
        post = Post.objects.filter(pk=post_id, deleted_at=None).first()  # its author deleted it: nothing to report
        if post is None or not neighbourhood_access(user=reporter, neighbourhood_id=post.neighbourhood_id).can_read:
            raise VoisinsError("post_not_found")
        if post.author_id == reporter.pk:
            raise VoisinsError("report_own")
        return post.neighbourhood_id, "post", post
    if member_id == reporter.pk:
        raise VoisinsError("report_own")
    shared = set(chat_selectors.readable_neighbourhood_ids(user=reporter)) & set(
        chat_selectors.readable_neighbourhood_ids(user=User(pk=member_id))
    )
    if not shared:
        raise VoisinsError("not_found")
    return min(shared), "member", User.objects.get(pk=member_id)


def report_create(
    *, reporter: User, category: str, text: str = "", message_id: int | None = None, post_id: int | None = None,
    member_id: int | None = None,
) -> tuple[Report, bool]:
    """Reports a message, a post or a member; reporting the same thing again returns the
    first report (counted once). Enough distinct reports hide the content from residents
    until a moderator reviews it."""
    neighbourhood_id, field, target = _report_target(
        reporter, message_id=message_id, post_id=post_id, member_id=member_id
    )
    existing = Report.objects.filter(reporter=reporter, **{field: target}).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = Report.objects.create(
                neighbourhood_id=neighbourhood_id, reporter=reporter, category=category, text=text.strip(),
                created_at=timezone.now(), **{field: target},
            )
            reporters = Report.objects.filter(status=Report.Status.OPEN, **{field: target}).count()
            if domain.hide_now(reports=reporters, threshold=settings.MODERATION_HIDE_AFTER_REPORTS):
                for message in _messages_of(field, target):
                    if message.hidden_at is None and message.removed_at is None:
                        chat_services.message_moderate(message=message, hidden=True)
            images = reported_images([report])[report.pk]
            _tell_moderators(neighbourhood_id, {"type": "report.created", "report": domain.report_body(report, images)})
    except IntegrityError:  # the same report at once from two devices
        return Report.objects.get(reporter=reporter, **{field: target}), False
    return report, True


def _messages_of(field: str, target: Any) -> list[Message]:
    """The messages that show a reported message or post (a post's cards)."""
    if field == "message":
        return [Message.objects.select_for_update(of=("self",)).select_related("room").get(pk=target.pk)]
    if field == "post":
        ids = [target.message_id, *target.responses.exclude(message=None).values_list("message_id", flat=True)]
        return list(Message.objects.select_for_update(of=("self",)).select_related("room").filter(pk__in=ids))
    return []


def _moderated_message(actor: User, message_id: int) -> Message:
    message = Message.objects.select_for_update(of=("self",)).select_related("room").filter(pk=message_id).first()
    if message is None:
        raise VoisinsError("message_not_found")
    require_moderator(user=actor, neighbourhood_id=message.room.neighbourhood_id)
    # Direct conversations stay private: a moderator acts on one of their messages only
    # once it is reported.
    if message.room.kind == Room.Kind.DIRECT and not message.reports.exists():
        raise VoisinsError("message_not_found")
    return message


# Actions on content


def message_remove(*, actor: User, message_id: int, reason: str) -> Action:
    reason = require_reason(reason)
    with transaction.atomic():
        message = _moderated_message(actor, message_id)
        if message.removed_at is not None or message.deleted_at is not None:
            raise VoisinsError("already_removed")
        chat_services.message_moderate(message=message, removed=True, hidden=False)
        _close_reports(message.reports.all(), status=Report.Status.UPHELD)
        return _log(actor=actor, kind=Action.Kind.REMOVE, neighbourhood_id=message.room.neighbourhood_id,
                    subject_id=message.author_id, reason=reason, message=message)


def message_restore(*, actor: User, message_id: int, reason: str) -> Action:
    """Puts back a removed message, or shows again one that reports hid."""
    reason = require_reason(reason)
    with transaction.atomic():
        message = _moderated_message(actor, message_id)
        if message.removed_at is None and message.hidden_at is None:
            raise VoisinsError("not_removed")
        chat_services.message_moderate(message=message, removed=False, hidden=False)
        _close_reports(message.reports.all(), status=Report.Status.DISMISSED)
        return _log(actor=actor, kind=Action.Kind.RESTORE, neighbourhood_id=message.room.neighbourhood_id,
                    subject_id=message.author_id, reason=reason, message=message)


def post_remove(*, actor: User, post_id: int, reason: str) -> Action:
    reason = require_reason(reason)
    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).filter(pk=post_id, deleted_at=None).first()
        if post is None:
            raise VoisinsError("post_not_found")
        require_moderator(user=actor, neighbourhood_id=post.neighbourhood_id)
        if post.removed_at is not None:
            raise VoisinsError("already_removed")
        post.removed_at = timezone.now()
        post.save(update_fields=["removed_at"])
        for message in _messages_of("post", post):
            chat_services.message_moderate(message=message, removed=True, hidden=False)
        _close_reports(post.reports.all(), status=Report.Status.UPHELD)
        return _log(actor=actor, kind=Action.Kind.REMOVE, neighbourhood_id=post.neighbourhood_id,
                    subject_id=post.author_id, reason=reason, post=post)


def post_restore(*, actor: User, post_id: int, reason: str) -> Action:
    reason = require_reason(reason)
    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).filter(pk=post_id, deleted_at=None).first()
        if post is None:
            raise VoisinsError("post_not_found")
        require_moderator(user=actor, neighbourhood_id=post.neighbourhood_id)
        messages = _messages_of("post", post)
        if post.removed_at is None and not any(m.hidden_at for m in messages):
            raise VoisinsError("not_removed")
        post.removed_at = None
        post.save(update_fields=["removed_at"])
        for message in messages:
            chat_services.message_moderate(message=message, removed=False, hidden=False)
        _close_reports(post.reports.all(), status=Report.Status.DISMISSED)
        return _log(actor=actor, kind=Action.Kind.RESTORE, neighbourhood_id=post.neighbourhood_id,
                    subject_id=post.author_id, reason=reason, post=post)


def reports_dismiss(*, actor: User, report_id: int, reason: str) -> Action:
    """Nothing wrong with what this report is about: its reports close, hidden content shows again."""
    reason = require_reason(reason)
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("message", "post").filter(pk=report_id).first()
        if report is None:
            raise VoisinsError("not_found")
        require_moderator(user=actor, neighbourhood_id=report.neighbourhood_id)
        if report.status != Report.Status.OPEN:  # reviewed already: the log does not grow from repeats
            raise VoisinsError("report_closed")
        field, target = next((f, getattr(report, f)) for f in ("message", "post", "member") if getattr(report, f + "_id"))
        for message in _messages_of(field, target):
            if message.hidden_at is not None:
                chat_services.message_moderate(message=message, hidden=False)
        _close_reports(Report.objects.filter(**{field: target}), status=Report.Status.DISMISSED)
        subject_id = target.pk if field == "member" else target.author_id
        return _log(actor=actor, kind=Action.Kind.DISMISS, neighbourhood_id=report.neighbourhood_id,
                    subject_id=subject_id, reason=reason)


# Actions on members


def _member(actor: User, user_id: int, neighbourhood_id: int) -> User:
    require_moderator(user=actor, neighbourhood_id=neighbourhood_id)
    member = User.objects.filter(pk=user_id).first()
    if member is None or not neighbourhood_access(user=member, neighbourhood_id=neighbourhood_id).can_read:
        raise VoisinsError("not_member")
    if member.is_staff:
        raise VoisinsError("cannot_moderate_staff")
    if member.pk == actor.pk:
        raise VoisinsError("forbidden")
    return member


def _membership(member: User, neighbourhood_id: int) -> Membership:
    """Her verified membership: mutes and bans are about residents (a moderator who does
    not live there is named, and unnamed, by staff)."""
    membership = Membership.objects.filter(
        user=member, neighbourhood_id=neighbourhood_id, state=Membership.State.VERIFIED
    ).first()
    if membership is None:
        raise VoisinsError("not_member")
    return membership


def member_mute(*, actor: User, user_id: int, neighbourhood_id: int, minutes: int, reason: str) -> Action:
    """Her sends in the neighbourhood's rooms are refused until the mute ends."""
    reason = require_reason(reason)
    if not domain.MUTE_MINUTES_MIN <= minutes <= domain.MUTE_MINUTES_MAX:
        raise VoisinsError("invalid_duration")
    with transaction.atomic():
        member = _member(actor, user_id, neighbourhood_id)
        until = timezone.now() + timedelta(minutes=minutes)
        membership = _membership(member, neighbourhood_id)
        trust_services.membership_mute(membership=membership, until=until)
        action = _log(actor=actor, kind=Action.Kind.MUTE, neighbourhood_id=neighbourhood_id, subject_id=member.pk,
                      reason=reason, until=until)
        _close_reports(Report.objects.filter(member=member, neighbourhood_id=neighbourhood_id), status=Report.Status.UPHELD)
        return action


def member_ban(*, actor: User, user_id: int, neighbourhood_id: int, reason: str, chain: bool = False) -> Action:
    """Revokes her membership through the trust app: her sockets leave the rooms at once,
    and with `chain` the members whose only way in was her vouch go back to pending."""
    reason = require_reason(reason)
    with transaction.atomic():
        member = _member(actor, user_id, neighbourhood_id)
        membership = _membership(member, neighbourhood_id)
        trust_services.membership_revoke(actor=actor, membership=membership, reason=reason, chain=chain, notify=False)
        _close_reports(Report.objects.filter(member=member, neighbourhood_id=neighbourhood_id), status=Report.Status.UPHELD)
        return _log(actor=actor, kind=Action.Kind.BAN, neighbourhood_id=neighbourhood_id, subject_id=member.pk,
                    reason=reason)


# Appeals


def appeal_create(*, appellant: User, action_id: int, text: str) -> Appeal:
    text = (text or "").strip()
    if not text:
        raise VoisinsError("text_blank")
    with transaction.atomic():
        action = Action.objects.select_for_update().filter(pk=action_id, subject=appellant).first()
        if action is None:
            raise VoisinsError("not_found")
        if action.kind not in domain.APPEALABLE:
            raise VoisinsError("not_appealable")
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(action=action, appellant=appellant, text=text, created_at=timezone.now())
        except IntegrityError as exc:
            raise VoisinsError("already_appealed") from exc
        _tell_moderators(action.neighbourhood_id, {"type": "appeal.created", "appeal_id": appeal.pk,
                                                   "action": domain.notice_body(action)})
    return appeal


def appeal_decide(*, actor: User, appeal_id: int, grant: bool, reason: str) -> Action:
    """Another moderator of the neighbourhood, or staff, decides; granting undoes the action."""
    reason = require_reason(reason)
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().select_related("action").filter(pk=appeal_id).first()
        if appeal is None:
            raise VoisinsError("not_found")
        action = appeal.action
        require_moderator(user=actor, neighbourhood_id=action.neighbourhood_id)
        if action.actor_id == actor.pk:
            raise VoisinsError("own_action")
        if appeal.status != Appeal.Status.OPEN:
            raise VoisinsError("appeal_decided")
        appeal.status = Appeal.Status.GRANTED if grant else Appeal.Status.DENIED
        appeal.decided_at = timezone.now()
        appeal.save(update_fields=["status", "decided_at"])
        if grant:
            _undo(action, actor=actor, reason=reason, now=appeal.decided_at)
        return _log(actor=actor, kind=Action.Kind.APPEAL_GRANTED if grant else Action.Kind.APPEAL_DENIED,
                    neighbourhood_id=action.neighbourhood_id, subject_id=action.subject_id, reason=reason,
                    appeal=appeal, message=action.message, post=action.post)


def _undo(action: Action, *, actor: User, reason: str, now: datetime) -> None:
    if action.kind == Action.Kind.REMOVE and action.message_id:
        message = Message.objects.select_for_update(of=("self",)).select_related("room").get(pk=action.message_id)
        chat_services.message_moderate(message=message, removed=False)
    elif action.kind == Action.Kind.REMOVE and action.post_id:
        post = Post.objects.select_for_update(of=("self",)).get(pk=action.post_id)
        post.removed_at = None
        post.save(update_fields=["removed_at"])
        for message in _messages_of("post", post):
            chat_services.message_moderate(message=message, removed=False)
    elif action.kind == Action.Kind.MUTE:
        membership = Membership.objects.filter(user_id=action.subject_id, neighbourhood_id=action.neighbourhood_id,
                                               muted_until=action.until).first()
        if membership is not None:  # unless a later mute replaced this one
            trust_services.membership_mute(membership=membership, until=None)
    elif action.kind in (Action.Kind.BAN, Action.Kind.REVOKE):
        membership = Membership.objects.filter(
            user_id=action.subject_id, neighbourhood_id=action.neighbourhood_id, state=Membership.State.REVOKED
        ).order_by("-decided_at").first()
        if membership is not None:
            trust_services.membership_reinstate(actor=actor, membership=membership, reason=reason, notify=False)


def membership_decided(event: MembershipDecided) -> None:
    """A moderator revoked her through trust (subscriber of MembershipDecided, in the
    deciding transaction): she may appeal it as she would a ban, so it is an action of
    hers here too. Trust's own notice and push have told her; its log entry stands for
    it in the neighbourhood's log."""
    if event.decision == "revoked" and event.actor_id is not None:
        Action.objects.create(
            neighbourhood_id=event.neighbourhood_id, actor_id=event.actor_id, kind=Action.Kind.REVOKE,
            subject_id=event.user_id, reason=event.reason, at=event.at,
        )


# Her data (issue 15)


def account_erased(event: AccountErased) -> None:
    """Her part of moderation when her account is erased (subscriber of AccountErased,
    in the erasing transaction): what she wrote in her reports and appeals goes. The
    moderation log keeps every decision, its reason and who it concerned or who took it,
    under her neutral label (the law lets us keep what accountability needs); the
    reported content of hers is already erased by chat and the feed."""
    Report.objects.filter(reporter_id=event.user_id).update(text="")
    Appeal.objects.filter(appellant_id=event.user_id).update(text="")
