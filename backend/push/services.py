"""The only place that changes devices, preferences and deliveries, and that sends.

A push is decided in a task enqueued in the transaction of what it is about (so it
exists if and only if that committed), run by the worker after PUSH_DELAY_SECONDS, and
decided again then from the real state: who is watching the room live, who has read.
Each push of an event to a device is first claimed as a Delivery row, committed before
anything is sent, so a task that runs again sends nothing twice that was confirmed; a
worker killed mid-send has its task taken back, which sends again what was claimed but
not confirmed (at-least-once, shown once: docs/operations.md)."""

import logging
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from backend.accounts import domain as account_domain
from backend.accounts.domain_events import AccountErased, InactivityWarned, SignedOut
from backend.accounts.models import User
from backend.chat.domain_events import MessagesPosted, ReadMarked
from backend.chat.models import Message, ReadMarker, Room
from backend.chat.presence import watching_users
from backend.chat.selectors import room_readers, unread_badges
from backend.cities.domain_events import AreaAlertPublished, ReportChanged
from backend.common import metrics, task_attempts
from backend.common.errors import VoisinsError
from backend.feed.domain_events import PartnerLeft
from backend.moderation.domain_events import ModerationActed
from backend.push import domain, tasks
from backend.push.backends import Push, backend
from backend.privacy.domain_events import ExportReady
from backend.push.models import Delivery, Device, Preferences, RoomMute
from backend.trust.domain_events import MembershipDecided
from backend.trust.models import Membership

logger = logging.getLogger(__name__)


# Devices


def device_register(
    *, user: User, token: str, platform: str, app_version: str = "", auth_token_id: int | None = None,
    session_key: str = "",
) -> Device:
    """Registers or refreshes the device's FCM token. A token seen under another user
    moves to this one, so a phone never gets another person's pushes, nor one push twice."""
    now = timezone.now()
    with transaction.atomic():
        device, created = Device.objects.select_for_update().get_or_create(
            token=token,
            defaults={"user": user, "platform": platform, "app_version": app_version, "auth_token_id": auth_token_id,
                      "session_key": session_key, "created_at": now, "last_seen_at": now},
        )
        if not created:
            device.user, device.platform, device.app_version = user, platform, app_version
            device.auth_token_id, device.session_key = auth_token_id, session_key
            device.active, device.deactivated_reason, device.last_seen_at = True, "", now
            device.save()
    return device


def device_unregister(*, user: User, token: str) -> None:
    Device.objects.filter(user=user, token=token, active=True).update(active=False, deactivated_reason="unregistered")


def signed_out(event: SignedOut) -> None:
    """Subscriber of accounts' SignedOut."""
    devices_sign_out(auth_token_id=event.auth_token_id, session_key=event.session_key)


def devices_sign_out(*, auth_token_id: int | None = None, session_key: str = "") -> int:
    """Logging out stops the pushes of the device that logged out."""
    if auth_token_id is not None:
        signed_out = Q(auth_token_id=auth_token_id)
    elif session_key:
        signed_out = Q(session_key=session_key)
    else:
        return 0
    return Device.objects.filter(signed_out, active=True).update(active=False, deactivated_reason="logout")


def devices_prune(*, now: datetime, after_days: int) -> int:
    """The retention of devices (backend/push/retention.py): a device not seen for
    `after_days` (FCM takes its token for stale), or stopped (logged out, unregistered,
    refused by FCM) and not seen since, is deleted with its token. Returns the devices deleted."""
    deleted, _ = Device.objects.filter(last_seen_at__lt=now - timedelta(days=after_days)).delete()
    return deleted


# Preferences


def preferences_of(user: User) -> Preferences:
    return Preferences.objects.get_or_create(user=user)[0]


def preferences_set(*, user: User, **fields: Any) -> Preferences:
    if "time_zone" in fields:
        try:
            zoneinfo.ZoneInfo(fields["time_zone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise VoisinsError("invalid_time_zone") from exc
    if ("quiet_start" in fields) != ("quiet_end" in fields):
        raise VoisinsError("quiet_hours_incomplete")
    # Both or neither: a start with no end (or the reverse) is no quiet hours at all.
    if "quiet_start" in fields and (fields["quiet_start"] is None) != (fields["quiet_end"] is None):
        raise VoisinsError("quiet_hours_incomplete")
    preferences = preferences_of(user)
    for name, value in fields.items():
        setattr(preferences, name, value)
    preferences.save()
    return preferences


def room_mute_set(*, user: User, room: Room, until: datetime | None) -> RoomMute:
    if until is not None and until <= timezone.now():
        raise VoisinsError("in_the_past", field="until")
    mute, _ = RoomMute.objects.update_or_create(user=user, room=room, defaults={"until": until})
    return mute


def room_mute_clear(*, user: User, room: Room) -> None:
    RoomMute.objects.filter(user=user, room=room).delete()


# What enqueues pushes: listeners of the deciding apps' domain events (subscribed in
# PushConfig.ready), run inside the transaction of what they are about.


def _later() -> datetime:
    return timezone.now() + timedelta(seconds=settings.PUSH_DELAY_SECONDS)


def messages_posted(event: MessagesPosted) -> None:
    """One task for the whole stored batch, whatever its number of rooms: a task is a row
    written in the batch's transaction (docs/performance.md)."""
    tasks.messages_push.using(run_after=_later()).enqueue(
        [[room.pk, [message.pk for message in messages]] for room, messages in event.rooms]
    )


def read_marked(event: ReadMarked) -> None:
    """Clears the room's notification on her devices: she has read it somewhere."""
    tasks.notification_clear.enqueue(event.user_id, event.room_id, event.seq)


def membership_decided(event: MembershipDecided) -> None:
    """Urgent, like every trust decision: past quiet hours and mutes."""
    tasks.user_alert.enqueue(
        event.user_id, f"membership_{event.decision}",
        {"neighbourhood": event.neighbourhood_name, "reason": event.reason},
        f"membership:{event.membership_id}:{event.decision}:{event.at.isoformat()}",
    )


def moderation_acted(event: ModerationActed) -> None:
    """A moderator acted on her content or account: urgent, like trust decisions."""
    tasks.user_alert.enqueue(
        event.user_id, f"moderation_{event.kind}", {"reason": event.reason}, f"moderation:{event.action_id}"
    )


def area_alert_published(event: AreaAlertPublished) -> None:
    """An organisation's area alert: urgent, to every verified resident of its neighbourhoods."""
    tasks.people_alert.enqueue(
        [], list(event.neighbourhood_ids), "city_alert",
        {"organisation": event.organisation_name, "title": event.title, "text": event.text},
        {"type": "city_alert", "alert_id": event.alert_id}, f"city_alert:{event.alert_id}",
    )


def report_changed(event: ReportChanged) -> None:
    """A civic report changed status: its reporter and supporters hear it, like a decision about her."""
    if event.user_ids:
        tasks.people_alert.enqueue(
            list(event.user_ids), [], f"city_report_{event.status}",
            {"organisation": event.organisation_name, "summary": event.summary, "reason": event.reason},
            {"type": "city_report", "report_id": event.report_id, "status": event.status},
            f"city_report:{event.change_id}",
        )


# Deciding


@dataclass(frozen=True)
class Plan:
    device: Device
    payload: dict[str, Any]


def _quiet(preferences: Preferences | None, now: datetime) -> bool:
    if preferences is None:
        return False
    local = now.astimezone(zoneinfo.ZoneInfo(preferences.time_zone)).time()
    return domain.in_quiet_hours(local, preferences.quiet_start, preferences.quiet_end)


def messages_push(*, rooms: list[tuple[int, list[int]]], now: datetime | None = None) -> int:
    """`room_messages_push` for each (room id, message ids) of a stored batch. A room
    that fails does not keep the others from their pushes; the task fails after them."""
    sent, failure = 0, None
    for room_id, message_ids in rooms:
        try:
            sent += room_messages_push(room_id=room_id, message_ids=message_ids, now=now)
        except Exception as exc:
            logger.exception("pushing the new messages of room %s failed", room_id)
            failure = failure or exc
    if failure is not None:
        raise failure
    return sent


def room_messages_push(*, room_id: int, message_ids: list[int], now: datetime | None = None) -> int:
    """Pushes new messages of a room to those who should hear of them: the room's readers
    but their authors, who did not mute the room (or this kind of post), are not watching
    it live, have not read them, and are not in their quiet hours. Returns the pushes sent."""
    now = now or timezone.now()
    room = Room.objects.filter(pk=room_id).first()
    messages = list(
        Message.objects.filter(pk__in=message_ids, deleted_at=None, removed_at=None, hidden_at=None)
        .select_related("author")
        .order_by("seq")
    )
    if room is None or not messages:
        return 0
    candidates = room_readers(room=room) - watching_users(room_id)
    muted = set(
        RoomMute.objects.filter(room=room, user_id__in=candidates).filter(Q(until=None) | Q(until__gt=now))
        .values_list("user_id", flat=True)
    )
    read = dict(ReadMarker.objects.filter(room=room, user_id__in=candidates).values_list("user_id", "read_seq"))
    preferences = {p.user_id: p for p in Preferences.objects.filter(user_id__in=candidates)}
    users = {u.pk: u for u in User.objects.filter(pk__in=candidates - muted, is_active=True)}
    recipients: dict[int, list[Message]] = {}
    for user_id, user in users.items():
        prefs = preferences.get(user_id)
        muted_kinds = set(prefs.muted_kinds) if prefs else set()
        news = [
            m for m in messages
            if m.author_id != user_id and m.seq > read.get(user_id, 0)
            and not (m.card and m.card.get("kind") in muted_kinds)
        ]
        if news and not _quiet(prefs, now):
            recipients[user_id] = news
    if not recipients:
        return 0
    badges = unread_badges(user_ids=set(recipients))
    plans = []
    for device in Device.objects.filter(user_id__in=recipients, active=True).order_by("pk"):
        user, news = users[device.user_id], recipients[device.user_id]
        last = news[-1]
        prefs = preferences.get(user.pk)
        title, body = domain.message_notification(
            room_name=room.name, author=last.author.display_name, body_text=last.text,
            card_title=last.card["title"] if last.card else None,
            mentioned=any(user.pk in m.mentions for m in news), previews=prefs.previews if prefs else True,
            language=user.language,
        )
        plans.append(Plan(device, {
            "notification": {"title": title, "body": body},
            "data": {"type": "message", "room_id": room.pk, "seq": last.seq, "message_id": last.pk},
            "collapse_key": domain.collapse_key(room.pk),
            "badge": badges.get(user.pk, 0),
        }))
    return _deliver(f"room:{room.pk}:{messages[-1].seq}", plans, now=now)


def notification_clear(*, user_id: int, room_id: int, seq: int, now: datetime | None = None) -> int:
    """A data push that tells her devices to clear the room's notification and shows the
    new badge."""
    now = now or timezone.now()
    badge = unread_badges(user_ids={user_id}).get(user_id, 0)
    payload = {"data": {"type": "clear", "room_id": room_id, "seq": seq}, "collapse_key": domain.collapse_key(room_id),
               "badge": badge}
    devices = Device.objects.filter(user_id=user_id, active=True).order_by("pk")
    return _deliver(f"clear:{user_id}:{room_id}:{seq}", [Plan(d, payload) for d in devices], now=now)


def user_alert(*, user_id: int, text_key: str, params: dict[str, Any], event: str, now: datetime | None = None) -> int:
    """The urgent tier: sent whatever her quiet hours and mutes say. `event` names what
    it is about, so that a run again sends nothing twice."""
    now = now or timezone.now()
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    payload = {
        "notification": {"title": domain.text(text_key, user.language, **params),
                         "body": domain.text(f"{text_key}_body", user.language, **params)},
        "data": {"type": text_key},
    }
    devices = Device.objects.filter(user=user, active=True).order_by("pk")
    return _deliver(f"alert:{event}", [Plan(d, payload) for d in devices], now=now)


def people_alert(*, user_ids: list[int], neighbourhood_ids: list[int], text_key: str, params: dict[str, Any],
                 data: dict[str, Any], event: str, now: datetime | None = None) -> int:
    """The urgent tier for many people at once (an area alert reaches thousands): these
    people and the verified residents of these neighbourhoods, each active device in its
    owner's language, past quiet hours and mutes. One query for the devices; the texts
    are made once per language, not per device."""
    now = now or timezone.now()
    residents = Membership.objects.filter(neighbourhood_id__in=neighbourhood_ids, state=Membership.State.VERIFIED)
    devices = (
        Device.objects.filter(Q(user_id__in=user_ids) | Q(user_id__in=residents.values("user_id")),
                              active=True, user__is_active=True)
        .annotate(language=F("user__language")).only("pk", "user_id").order_by("pk")
    )
    payloads: dict[str, dict[str, Any]] = {}
    plans = []
    for device in devices:
        if device.language not in payloads:
            payloads[device.language] = {
                "notification": {"title": domain.text(text_key, device.language, **params)[:120],
                                 "body": domain.text(f"{text_key}_body", device.language, **params)[:240]},
                "data": dict(data),
            }
        plans.append(Plan(device, payloads[device.language]))
    return _deliver(f"alert:{event}", plans, now=now)


# Sending


def _deliver(event: str, plans: Iterable[Plan], *, now: datetime) -> int:
    """Claims a Delivery per device not yet pushed for this event, commits the claims,
    then sends them.

    Inside a worker the claim is the running task's id (backend/common/task_attempts.py).
    A worker that dies mid-send leaves its task RUNNING and its rows claimed; the task is
    taken back after its lease (backend/ops/services.py) and runs again under the same
    id, so it finds here what its dead attempt claimed and did not confirm, and sends it
    again: at-least-once, the pushes FCM had already received arriving twice under the
    same collapse id or tag, so the phone shows one (docs/operations.md). What the dead
    attempt claimed and this run no longer plans (she read the room since) is skipped."""
    plans = list(plans)
    attempt = task_attempts.current()
    claim = attempt.task_id if attempt is not None else uuid.uuid4().hex
    if attempt is not None and attempt.number > 1:
        left = Delivery.objects.filter(event=event, claim=claim, state=Delivery.State.CLAIMED)
        skipped = left.exclude(device_id__in=[p.device.pk for p in plans]).update(
            state=Delivery.State.SKIPPED, updated_at=now
        )
        again = left.count()
        metrics.PUSH_TAKEN_BACK.inc(again)
        logger.warning("push %s: attempt %d of its task sends again %d push(es) a dead worker claimed (%d no longer due)",
                       event, attempt.number, again, skipped)
    # A push without a collapse key (the urgent alerts) still gets a tag of its own, so
    # that one sent twice after a crash replaces itself on the phone.
    tag = domain.event_tag(event)
    Delivery.objects.bulk_create(
        [Delivery(event=event, device=p.device, state=Delivery.State.CLAIMED,
                  payload=p.payload if p.payload.get("collapse_key") else {**p.payload, "tag": tag}, claim=claim,
                  created_at=now, updated_at=now) for p in plans],
        ignore_conflicts=True,
    )
    return _send_claimed(claim, now=now)


def deliveries_retry(*, event: str, now: datetime | None = None) -> int:
    """Sends again what a transient error left to retry for this event. Claimed under the
    task's id, as `_deliver` does, so a worker dying here leaves nothing stuck: the task
    taken back finds its claimed rows and sends them."""
    now = now or timezone.now()
    attempt = task_attempts.current()
    claim = attempt.task_id if attempt is not None else uuid.uuid4().hex
    Delivery.objects.filter(event=event, state=Delivery.State.RETRY).update(
        state=Delivery.State.CLAIMED, claim=claim, updated_at=now
    )
    return _send_claimed(claim, now=now)


def _send_claimed(claim: str, *, now: datetime) -> int:
    """Sends the claimed deliveries of `claim`, PUSH_CONFIRM_EVERY at a time, recording
    each chunk's outcome before the next is sent: a worker killed mid-send leaves at most
    one chunk sent but unconfirmed, which is all its task's next attempt sends twice."""
    attempt = task_attempts.current()
    if attempt is not None and claim != attempt.task_id:
        # deliveries_retry claims under an id of its own: the rows become the task's, so
        # that its next attempt finds them if this worker dies, as in _deliver.
        if attempt.number > 1:
            again = Delivery.objects.filter(claim=attempt.task_id, state=Delivery.State.CLAIMED).count()
            metrics.PUSH_TAKEN_BACK.inc(again)
            logger.warning("push retry: attempt %d of its task sends again %d push(es) a dead worker claimed",
                           attempt.number, again)
        Delivery.objects.filter(claim=claim, state=Delivery.State.CLAIMED).update(claim=attempt.task_id)
        claim = attempt.task_id
    sent = 0
    claimed = list(Delivery.objects.filter(claim=claim, state=Delivery.State.CLAIMED).select_related("device").order_by("pk"))
    retry_after: float | None = None
    for batch in domain.batches(claimed, min(settings.PUSH_CONFIRM_EVERY, domain.BATCH)):
        results = backend().send([Push(d.device.token, d.device.platform, d.payload, d.device.user_id) for d in batch])
        by_state: dict[str, list[int]] = {}
        deactivate: dict[str, list[int]] = {}
        for delivery, result in zip(batch, results):
            outcome = domain.outcome(result.error, attempts=delivery.attempts + 1)
            by_state.setdefault(outcome.state, []).append(delivery.pk)
            if outcome.deactivate:
                deactivate.setdefault(outcome.deactivate, []).append(delivery.device_id)
            if outcome.alert:
                logger.error("FCM refused a push for a third-party auth error (APNs credentials?): %s", result.detail)
            if outcome.state == "retry":
                delay = domain.retry_delay(delivery.attempts + 1, result.retry_after)
                retry_after = max(retry_after or 0, delay)
            elif result.error:
                logger.warning("push %s to device %s: %s", delivery.event, delivery.device_id, result.error)
        with transaction.atomic():
            for state, ids in by_state.items():
                Delivery.objects.filter(pk__in=ids).update(state=state, updated_at=timezone.now())
            Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(attempts=F("attempts") + 1)
            for reason, device_ids in deactivate.items():
                Device.objects.filter(pk__in=device_ids).update(active=False, deactivated_reason=reason)
        sent += len(by_state.get("sent", []))
        metrics.PUSH_SENT.inc(len(by_state.get("sent", [])))
        metrics.PUSH_RETRIED.inc(len(by_state.get("retry", [])))
        for given_up in ("failed", "dropped"):
            if by_state.get(given_up):
                metrics.PUSH_FAILED.labels(outcome=given_up).inc(len(by_state[given_up]))
    if retry_after is not None:
        event = claimed[0].event
        tasks.deliveries_retry.using(run_after=now + timedelta(seconds=retry_after)).enqueue(event)
    return sent


# Her data (issue 15)


def account_erased(event: AccountErased) -> None:
    """Her part of push when her account is erased (subscriber of AccountErased, in the
    erasing transaction): her devices (their FCM tokens and the record of what was sent
    to them), her preferences and mutes go, and so does the record of any push of her
    messages to others (its notification showed her name and text)."""
    Device.objects.filter(user_id=event.user_id).delete()
    Preferences.objects.filter(user_id=event.user_id).delete()
    RoomMute.objects.filter(user_id=event.user_id).delete()
    her_messages = Message.objects.filter(author_id=event.user_id).values_list("pk", flat=True)
    Delivery.objects.filter(payload__data__message_id__in=list(her_messages)).delete()


def deliveries_prune(*, now: datetime, after_days: int) -> int:
    """The retention of push records (backend/push/retention.py): a delivery only
    guards against sending twice, which matters for minutes; after `after_days` it goes."""
    deleted, _ = Delivery.objects.filter(updated_at__lte=now - timedelta(days=after_days)).delete()
    return deleted


def partner_left(event: PartnerLeft) -> None:
    """The other side of her loan or purchase left Voisins: urgent, like a decision."""
    tasks.user_alert.enqueue(
        event.user_id, f"partner_left_{event.relation}", {"item": event.item},
        f"partner_left:{event.relation}:{event.post_id}:{event.user_id}",
    )


def export_ready(event: ExportReady) -> None:
    """The archive of her data is ready: urgent (the link lasts PRIVACY_EXPORT_DAYS)."""
    tasks.user_alert.enqueue(
        event.user_id, "privacy_export_ready", {"days": event.days}, f"export:{event.export_id}",
    )


def inactivity_warned(event: InactivityWarned) -> None:
    """Her inactive account will be erased unless she comes back (an email says it too,
    with the day written the same way, in her language)."""
    language = User.objects.filter(pk=event.user_id).values_list("language", flat=True).first()
    day = account_domain.day_text(date.fromisoformat(event.erase_on), language=language or settings.LANGUAGE_CODE)
    tasks.user_alert.enqueue(
        event.user_id, "privacy_inactive_warning", {"day": day}, f"inactive:{event.user_id}:{event.erase_on}",
    )
