"""The only place that changes organisations, their publications and civic reports.
What changes reaches sockets on commit (events.tell_on_commit, publish_on_commit) and
phones through domain events that push listens to, emitted inside the transaction."""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.domain_events import AccountErased
from backend.accounts.models import User
from backend.chat import services as chat_services
from backend.chat.models import Message, Room
from backend.chat.services import PostRequest
from backend.cities import domain, frames, selectors
from backend.cities.domain_events import AreaAlertPublished, ReportChanged
from backend.cities.models import (
    Agent, Announcement, AnnouncementCard, AreaAlert, CivicReport, Consultation, ConsultationAnswer,
    ConsultationCard, Organisation, ReportCategory, ReportChange, ReportNote, ReportSupport, Residence,
)
from backend.common import domain_events, events
from backend.common.errors import VoisinsError, require_reason
from backend.neighbourhoods import domain as geo
from backend.neighbourhoods.models import Neighbourhood
from backend.photos import services as photo_services

logger = logging.getLogger(__name__)

# Organisations and their areas (staff, through the Django admin)


def organisation_create(*, name: str, slug: str, kind: str, neighbourhood_ids: list[int] | None = None,
                        alerts_per_day: int = domain.DEFAULT_ALERTS_PER_DAY) -> Organisation:
    """An organisation, not verified yet, with its voice: the account its cards and
    answers are written by in the rooms, which can neither log in nor read anything."""
    with transaction.atomic():
        voice = User.objects.create(
            email=f"organisation-{uuid.uuid4().hex}@voices.voisins.invalid", display_name=name[:60],
            password=make_password(None), is_active=False,
        )
        organisation = Organisation.objects.create(
            name=name, slug=slug, kind=kind, voice=voice, alerts_per_day=alerts_per_day, created_at=timezone.now()
        )
        if neighbourhood_ids:
            organisation.neighbourhoods.set(neighbourhood_ids)
    return organisation


def organisation_save(*, organisation: Organisation) -> Organisation:
    """Saves a change made by staff; its voice keeps its name."""
    with transaction.atomic():
        organisation.save()
        User.objects.filter(pk=organisation.voice_id).update(display_name=organisation.name[:60])
    return organisation


def organisation_verify(*, actor: User, organisation: Organisation) -> Organisation:
    """Staff verified who the organisation is: its agents may act, and it takes the
    reports already made where it now handles them."""
    with transaction.atomic():
        if organisation.verified_at is None:
            organisation.verified_at, organisation.verified_by = timezone.now(), actor
            organisation.save(update_fields=["verified_at", "verified_by"])
        reports_adopt(organisation=organisation)
    return organisation


def residence_validate(*, residence: Residence) -> tuple[float, float, float, float]:
    """A polygon or a circle, inside its neighbourhood (its centre is): its bounding box,
    or ValidationError in words for staff."""
    try:
        area = residence.area
        errors = geo.area_errors(area)
    except (TypeError, ValueError) as exc:
        raise ValidationError("Each polygon point is [longitude, latitude].") from exc
    if errors:
        raise ValidationError(errors)
    south, west, north, east = geo.bounding_box(area)
    if not geo.contains(residence.neighbourhood.area, (south + north) / 2, (west + east) / 2):
        raise ValidationError("A residence lies inside its neighbourhood.")
    return south, west, north, east


def residence_save(*, residence: Residence) -> Residence:
    """Validates the area, stores its bounding box, saves."""
    (residence.min_latitude, residence.min_longitude, residence.max_latitude,
     residence.max_longitude) = residence_validate(residence=residence)
    residence.save()
    return residence


def reports_adopt(*, organisation: Organisation) -> int:
    """Reports kept with no organisation, whose position it now handles, become its own."""
    adopted = 0
    orphans = CivicReport.objects.select_for_update().filter(
        organisation=None, neighbourhood_id__in=selectors.area_neighbourhood_ids(organisation=organisation),
        custom_category=None,
    )
    for report in orphans:
        handler = selectors.organisation_for_position(
            neighbourhood_id=report.neighbourhood_id, latitude=report.latitude, longitude=report.longitude)
        if handler is not None and handler.pk == organisation.pk:
            report.organisation = organisation
            report.save(update_fields=["organisation"])
            adopted += 1
    return adopted


# Agents


def agent_add(*, organisation: Organisation, email: str, role: str, actor: User) -> Agent:
    """Adds the account of this email as an agent. Her rooms stay those of her own
    membership, if any: acting for an organisation reads none."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise VoisinsError("no_account")
    try:
        with transaction.atomic():
            return Agent.objects.create(organisation=organisation, user=user, role=role, added_at=timezone.now(),
                                        added_by=actor)
    except IntegrityError as exc:
        raise VoisinsError("already_agent") from exc


def _other_agent(admin: Agent, agent_id: int) -> Agent:
    agent = Agent.objects.select_for_update().select_related("user").filter(
        pk=agent_id, organisation_id=admin.organisation_id, removed_at=None).first()
    if agent is None:
        raise VoisinsError("agent_not_found")
    return agent


def _keeps_an_admin(agent: Agent) -> None:
    """An organisation keeps at least one admin: she may not be removed or demoted last."""
    if agent.role == Agent.Role.ADMIN and not Agent.objects.filter(
        organisation_id=agent.organisation_id, role=Agent.Role.ADMIN, removed_at=None
    ).exclude(pk=agent.pk).exists():
        raise VoisinsError("last_admin")


def agent_role_set(*, admin: Agent, agent_id: int, role: str) -> Agent:
    with transaction.atomic():
        agent = _other_agent(admin, agent_id)
        if role != agent.role:
            if role != Agent.Role.ADMIN:
                _keeps_an_admin(agent)
            agent.role = role
            agent.save(update_fields=["role"])
    return agent


def agent_remove(*, admin: Agent, agent_id: int) -> Agent:
    """She stops acting for the organisation at once: her next request is refused, her
    open sockets are told, her reports go back to nobody."""
    with transaction.atomic():
        agent = _other_agent(admin, agent_id)
        _keeps_an_admin(agent)
        agent.removed_at, agent.removed_by = timezone.now(), admin.user
        agent.save(update_fields=["removed_at", "removed_by"])
        CivicReport.objects.filter(assignee=agent).update(assignee=None)
        events.tell_on_commit([agent.user_id], {
            "type": "city.agent.removed", "organisation": frames.organisation_body(admin.organisation),
            "at": agent.removed_at.isoformat(),
        })
    return agent


def category_create(*, admin: Agent, name: str) -> ReportCategory:
    name = name.strip()
    if not name:
        raise VoisinsError("text_blank")
    return ReportCategory.objects.create(organisation=admin.organisation, name=name, created_at=timezone.now())


# Writing in the rooms as the organisation


def _post_as(organisation: Organisation, posts: list[tuple[Room, str, dict | None, str, Message | None]]) -> dict[str, int]:
    """Writes messages in rooms as the organisation's voice: (room, text, card, client id,
    reply to) each; returns {client id: message id}. Each lands, is pushed and goes live
    as any message; a client id already used returns the first message. The voice reads
    no room (that is the point): the caller authorised the write, so it is official."""
    requests = [
        PostRequest(author=organisation.voice, room_id=room.pk, text=text, client_id=client_id, card=card,
                    reply_to_id=reply_to.pk if reply_to else None, counted=False, official=True)
        for room, text, card, client_id, reply_to in posts
    ]
    posted = {}
    for request, result in zip(requests, chat_services.messages_post(requests=requests)):
        if isinstance(result, VoisinsError):
            raise result
        posted[request.client_id] = result.message_id
    return posted


def _default_rooms(neighbourhood_ids: list[int]) -> dict[int, Room]:
    chat_services.rooms_ensure_default(neighbourhood_ids=neighbourhood_ids)
    return {room.neighbourhood_id: room for room in
            Room.objects.filter(neighbourhood_id__in=neighbourhood_ids, kind=Room.Kind.DEFAULT)}


def _targets(agent: Agent, neighbourhood_ids: list[int] | None) -> list[int]:
    """The neighbourhoods asked for (all of its area if none), all of them in its area."""
    area = selectors.area_neighbourhood_ids(organisation=agent.organisation)
    wanted = set(neighbourhood_ids) if neighbourhood_ids else area
    if not wanted or not wanted <= area:
        raise VoisinsError("outside_organisation_area")
    return sorted(wanted)


def _clean_text(title: str, text: str) -> tuple[str, str]:
    title, text = title.strip(), text.strip()
    if not title:
        raise VoisinsError("title_blank")
    return title, text


@dataclass(frozen=True)
class Published:
    item: Any
    created: bool  # False when the client id was already used: the first one, unchanged


def announcement_publish(*, agent: Agent, client_id: str, title: str, text: str = "",
                         neighbourhood_ids: list[int] | None = None, image_ids: list[int] | None = None) -> Published:
    """An official card in the default room of each neighbourhood (all of its area by
    default), written by the organisation: residents react and reply under it; its
    photos are the agent's uploads."""
    organisation = agent.organisation
    existing = Announcement.objects.filter(organisation=organisation, client_id=client_id).first()
    if existing is not None:
        return Published(existing, created=False)
    targets = _targets(agent, neighbourhood_ids)
    title, text = _clean_text(title, text)
    try:
        with transaction.atomic():
            announcement = Announcement.objects.create(
                organisation=organisation, author=agent.user, client_id=client_id, title=title, text=text,
                created_at=timezone.now(),
            )
            photo_services.images_attach(owner=agent.user, image_ids=image_ids or [], kind="announcement",
                                         object_id=announcement.pk)
            images = selectors.announcement_images([announcement.pk])[announcement.pk]
            rooms = _default_rooms(targets)
            posted = _post_as(organisation, [
                (rooms[nid], title, frames.announcement_card(announcement, neighbourhood_id=nid, images=images),
                 f"#announcement{announcement.pk}.{nid}", None)
                for nid in targets
            ])
            AnnouncementCard.objects.bulk_create(
                AnnouncementCard(announcement=announcement, neighbourhood_id=nid,
                                 message_id=posted[f"#announcement{announcement.pk}.{nid}"])
                for nid in targets
            )
    except IntegrityError:  # the same client id at once from two consoles
        return Published(Announcement.objects.get(organisation=organisation, client_id=client_id), created=False)
    return Published(announcement, created=True)


def announcement_reply(*, agent: Agent, announcement_id: int, reply_to: int, text: str, client_id: str) -> int:
    """The organisation answers in the thread of its announcement: a message of its voice
    in that room, replying to the card or to a resident's reply. Returns its id."""
    announcement = selectors.announcement_of(agent=agent, announcement_id=announcement_id)
    text = text.strip()
    if not text:
        raise VoisinsError("text_blank")
    answered = selectors.thread_message(announcement=announcement, message_id=reply_to)
    if answered is None:
        raise VoisinsError("invalid_reply")
    key = f"#reply{announcement.pk}.{client_id}"
    with transaction.atomic():
        posted = _post_as(announcement.organisation, [(answered.room, text, None, key, answered)])
    return posted[key]


def alert_publish(*, agent: Agent, client_id: str, title: str, expires_at: datetime, text: str = "",
                  neighbourhood_ids: list[int] | None = None) -> Published:
    """An urgent message to every resident of the neighbourhoods: live to their sockets,
    pushed on the urgent tier (through quiet hours and mutes), shown pinned until it
    expires; at most `alerts_per_day` per organisation per 24 hours."""
    organisation = agent.organisation
    existing = AreaAlert.objects.filter(organisation=organisation, client_id=client_id).first()
    if existing is not None:
        return Published(existing, created=False)
    targets = _targets(agent, neighbourhood_ids)
    title, text = _clean_text(title, text)
    now = timezone.now()
    refusal = domain.alert_refusal(expires_at=expires_at, now=now)
    if refusal:
        raise VoisinsError(refusal[0], **refusal[1])
    with transaction.atomic():
        # One alert at a time per organisation: the daily limit holds under concurrency.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if AreaAlert.objects.filter(organisation=organisation, client_id=client_id).exists():
            return Published(AreaAlert.objects.get(organisation=organisation, client_id=client_id), created=False)
        retry_after = domain.alert_limit_retry_after(
            sent_in_window=selectors.alerts_sent_since(organisation_id=organisation.pk, since=now - domain.ALERT_WINDOW),
            limit=organisation.alerts_per_day, now=now,
        )
        if retry_after is not None:
            raise VoisinsError("alert_limit_reached", limit=organisation.alerts_per_day, retry_after=retry_after)
        alert = AreaAlert.objects.create(organisation=organisation, author=agent.user, client_id=client_id,
                                         title=title, text=text, created_at=now, expires_at=expires_at)
        alert.neighbourhoods.set(targets)
        frame = events.encode({"type": "city.alert", "alert": frames.alert_body(alert, targets)})
        for neighbourhood_id in targets:
            events.publish_on_commit(events.neighbourhood_group(neighbourhood_id), room_id=None, frame=frame)
        domain_events.emit(AreaAlertPublished(
            alert_id=alert.pk, organisation_name=organisation.name, neighbourhood_ids=tuple(targets), title=title,
            text=text,
        ))
    return Published(alert, created=True)


def consultation_create(*, agent: Agent, client_id: str, question: str, answer_kind: str, closes_at: datetime,
                        choices: list[str] | None = None, text: str = "",
                        neighbourhood_ids: list[int] | None = None) -> Published:
    """A question to the residents of the neighbourhoods, as a card in each default room,
    open until `closes_at`: one answer per verified resident."""
    organisation = agent.organisation
    existing = Consultation.objects.filter(organisation=organisation, client_id=client_id).first()
    if existing is not None:
        return Published(existing, created=False)
    targets = _targets(agent, neighbourhood_ids)
    question, text = _clean_text(question, text)
    choices = [choice.strip() for choice in choices or []]
    refusal = domain.consultation_refusal(answer_kind=answer_kind, choices=choices, closes_at=closes_at,
                                          now=timezone.now())
    if refusal:
        raise VoisinsError(refusal[0], **refusal[1])
    try:
        with transaction.atomic():
            consultation = Consultation.objects.create(
                organisation=organisation, author=agent.user, client_id=client_id, question=question, text=text,
                answer_kind=answer_kind, choices=choices, closes_at=closes_at, created_at=timezone.now(),
            )
            rooms = _default_rooms(targets)
            posted = _post_as(organisation, [
                (rooms[nid], question, frames.consultation_card(consultation, neighbourhood_id=nid),
                 f"#consultation{consultation.pk}.{nid}", None)
                for nid in targets
            ])
            ConsultationCard.objects.bulk_create(
                ConsultationCard(consultation=consultation, neighbourhood_id=nid,
                                 message_id=posted[f"#consultation{consultation.pk}.{nid}"])
                for nid in targets
            )
    except IntegrityError:
        return Published(Consultation.objects.get(organisation=organisation, client_id=client_id), created=False)
    return Published(consultation, created=True)


def consultation_answer(*, user: User, consultation_id: int, choice: int | None = None, text: str = "") -> ConsultationAnswer:
    """Her one answer, while it is open, if she is a verified resident of one of its
    neighbourhoods. A second answer is refused (already_answered): nothing changes."""
    consultation = selectors.consultation_for_resident(user=user, consultation_id=consultation_id)
    targeted = set(consultation.cards.values_list("neighbourhood_id", flat=True))
    home = [nid for nid in selectors.resident_neighbourhood_ids(user=user) if nid in targeted]
    if not home:
        raise VoisinsError("not_member")
    if ConsultationAnswer.objects.filter(consultation=consultation, user=user).exists():
        raise VoisinsError("already_answered")
    refusal = domain.answer_refusal(answer_kind=consultation.answer_kind, choices=consultation.choices, choice=choice,
                                    text=text, closes_at=consultation.closes_at, now=timezone.now())
    if refusal:
        raise VoisinsError(refusal)
    try:
        with transaction.atomic():
            return ConsultationAnswer.objects.create(
                consultation=consultation, user=user, neighbourhood_id=home[0], choice=choice, text=text.strip(),
                created_at=timezone.now(),
            )
    except IntegrityError as exc:  # twice at once
        raise VoisinsError("already_answered") from exc


# Civic reports


@dataclass(frozen=True)
class Reported:
    report: CivicReport
    created: bool


def _route(category: str, neighbourhood: Neighbourhood, latitude: float, longitude: float
           ) -> tuple[Organisation | None, ReportCategory | None]:
    if category in domain.CATEGORIES:
        return selectors.organisation_for_position(neighbourhood_id=neighbourhood.pk, latitude=latitude,
                                                   longitude=longitude), None
    custom_id = domain.custom_category_id(category)
    custom = ReportCategory.objects.select_related("organisation").filter(
        pk=custom_id, organisation__verified_at__isnull=False).first() if custom_id else None
    if custom is None or not selectors.organisation_covers(
            organisation=custom.organisation, neighbourhood_id=neighbourhood.pk, latitude=latitude, longitude=longitude):
        raise VoisinsError("unknown_category")
    return custom.organisation, custom


def report_create(*, reporter: User, client_id: str, category: str, description: str, latitude: float,
                  longitude: float, show_name: bool = False, image_ids: list[int] | None = None,
                  ignore_similar: bool = False) -> Reported:
    """A problem in the public space of her neighbourhood, positioned on a map. It goes to
    the organisation handling that position, or is kept with none. Open reports of the
    same category nearby are offered first (similar_reports) unless `ignore_similar`."""
    existing = CivicReport.objects.filter(reporter=reporter, client_id=client_id).first()
    if existing is not None:
        return Reported(existing, created=False)
    neighbourhood = selectors.report_neighbourhood(user=reporter, latitude=latitude, longitude=longitude)
    organisation, custom = _route(category, neighbourhood, latitude, longitude)
    description = description.strip()
    if not description:
        raise VoisinsError("text_blank")
    if not ignore_similar:
        similar = selectors.reports_nearby(neighbourhood_id=neighbourhood.pk, category=category, latitude=latitude,
                                           longitude=longitude)
        if similar:
            raise VoisinsError("similar_reports", reports=selectors.report_bodies(similar))
    now = timezone.now()
    try:
        with transaction.atomic():
            report = CivicReport.objects.create(
                neighbourhood=neighbourhood, organisation=organisation, reporter=reporter, client_id=client_id,
                show_name=show_name, category=category, custom_category=custom, description=description,
                latitude=latitude, longitude=longitude, created_at=now, status_changed_at=now,
            )
            photo_services.images_attach(owner=reporter, image_ids=image_ids or [], kind="city_report",
                                         object_id=report.pk)
            ReportChange.objects.create(report=report, status="received", actor=reporter, by_reporter=True, at=now)
            _tell_agents(report)
    except IntegrityError:  # the same client id at once from two devices
        return Reported(CivicReport.objects.get(reporter=reporter, client_id=client_id), created=False)
    return Reported(report, created=True)


def _tell_agents(report: CivicReport) -> None:
    """The organisation's consoles see the queue change live."""
    if report.organisation_id is None:
        return
    body = selectors.report_bodies([selectors.report_with_counts(report.pk)], for_agents=True)[0]
    body.pop("reporter_label")
    events.tell_on_commit(selectors.active_agent_user_ids(organisation_id=report.organisation_id),
                          {"type": "city.queue.updated", "organisation_id": report.organisation_id, "report": body})


def _changed(report: CivicReport, change: ReportChange, *, audience: set[int], actor: User) -> None:
    """Tells the reporter and the supporters (but whoever changed it), live and by push,
    and the organisation's consoles."""
    told = audience - {actor.pk}
    body = selectors.report_bodies([selectors.report_with_counts(report.pk)])[0]
    events.tell_on_commit(told, {"type": "city.report.updated", "report": body})
    domain_events.emit(ReportChanged(
        report_id=report.pk, change_id=change.pk, status=change.status, reason=change.reason,
        summary=domain.summary(report.description),
        organisation_name=report.organisation.name if report.organisation_id else "",
        user_ids=tuple(sorted(told)),
    ))
    _tell_agents(report)


def _locked_report(**filters: Any) -> CivicReport | None:
    return CivicReport.objects.select_for_update(of=("self",)).select_related("organisation").filter(**filters).first()


def report_status_set(*, agent: Agent, report_id: int, status: str, reason: str = "",
                      duplicate_of: int | None = None) -> CivicReport:
    """received → acknowledged → in_progress → resolved (acknowledged may go straight to
    resolved), or rejected / duplicate of another of its reports, with a reason. A
    duplicate's reporter and supporters follow the original from then on."""
    with transaction.atomic():
        report = _locked_report(pk=report_id, organisation_id=agent.organisation_id)
        if report is None:
            raise VoisinsError("city_report_not_found")
        original = None
        if status == "duplicate" and duplicate_of is not None:
            original = CivicReport.objects.filter(pk=duplicate_of, organisation_id=agent.organisation_id).exclude(
                pk=report.pk).exclude(status__in=["duplicate", "rejected"]).first()
        refusal = domain.status_change_refusal(current=report.status, target=status, reason=reason,
                                               duplicate_of=duplicate_of, same_organisation_open_duplicate=original is not None)
        if refusal == "invalid_report_transition":
            raise VoisinsError(refusal, current=report.status, target=status)
        if refusal:
            raise VoisinsError(refusal)
        audience = selectors.report_audience(report=report)
        now = timezone.now()
        previous = report.status
        report.status, report.status_changed_at = status, now
        report.reason = reason.strip() if status in domain.NEEDS_REASON else ""
        report.duplicate_of = original
        if status == "acknowledged" and report.acknowledged_at is None:
            report.acknowledged_at = now
        if status == "resolved":
            report.resolved_at = now
        report.save(update_fields=["status", "status_changed_at", "reason", "duplicate_of", "acknowledged_at",
                                   "resolved_at"])
        if original is not None:
            followers = audience - selectors.report_audience(report=original) - {original.reporter_id}
            ReportSupport.objects.bulk_create(
                [ReportSupport(report=original, user_id=user_id, created_at=now) for user_id in sorted(followers)],
                ignore_conflicts=True,
            )
        change = ReportChange.objects.create(report=report, previous=previous, status=status, reason=report.reason,
                                             actor=agent.user, at=now)
        _changed(report, change, audience=audience, actor=agent.user)
        if original is not None:
            _tell_agents(original)
    return report


def report_reopen(*, user: User, report_id: int, reason: str) -> CivicReport:
    """The reporter says a resolved problem is not fixed, within 14 days: back to received."""
    reason = require_reason(reason)
    with transaction.atomic():
        report = _locked_report(pk=report_id)
        if report is None or not selectors.report_visible(user=user, report=report):
            raise VoisinsError("city_report_not_found")
        if report.reporter_id != user.pk:
            raise VoisinsError("not_reporter")
        refusal = domain.reopen_refusal(status=report.status, resolved_at=report.resolved_at, now=timezone.now())
        if refusal == "invalid_report_transition":
            raise VoisinsError(refusal, current=report.status, target="received")
        if refusal:
            raise VoisinsError(refusal)
        now = timezone.now()
        report.status, report.status_changed_at, report.resolved_at = "received", now, None
        report.save(update_fields=["status", "status_changed_at", "resolved_at"])
        change = ReportChange.objects.create(report=report, previous="resolved", status="received", reason=reason,
                                             actor=user, by_reporter=True, at=now)
        _changed(report, change, audience=selectors.report_audience(report=report), actor=user)
    return report


def report_support_set(*, user: User, report_id: int, present: bool) -> CivicReport:
    """“Me too” (or no longer): a verified resident of its neighbourhood follows an open
    report instead of reporting it again. Twice changes nothing."""
    with transaction.atomic():
        report = _locked_report(pk=report_id)
        if report is None or not selectors.report_visible(user=user, report=report):
            raise VoisinsError("city_report_not_found")
        if present:
            if report.neighbourhood_id not in selectors.resident_neighbourhood_ids(user=user):
                raise VoisinsError("not_member")
            if report.reporter_id == user.pk:
                raise VoisinsError("own_report")
            if report.status not in domain.OPEN_STATUSES:
                raise VoisinsError("report_not_open")
            _, changed = ReportSupport.objects.get_or_create(report=report, user=user,
                                                             defaults={"created_at": timezone.now()})
        else:
            changed = ReportSupport.objects.filter(report=report, user=user).delete()[0] > 0
        if changed:
            _tell_agents(report)
    return report


def report_assign(*, agent: Agent, report_id: int, agent_id: int | None) -> CivicReport:
    with transaction.atomic():
        report = _locked_report(pk=report_id, organisation_id=agent.organisation_id)
        if report is None:
            raise VoisinsError("city_report_not_found")
        assignee = None
        if agent_id is not None:
            assignee = Agent.objects.filter(pk=agent_id, organisation_id=agent.organisation_id, removed_at=None).first()
            if assignee is None:
                raise VoisinsError("agent_not_found")
        if report.assignee_id != (assignee.pk if assignee else None):
            report.assignee = assignee
            report.save(update_fields=["assignee"])
            _tell_agents(report)
    return report


def report_note_add(*, agent: Agent, report_id: int, text: str) -> ReportNote:
    """An internal note: agents of the organisation read it, residents never."""
    text = text.strip()
    if not text:
        raise VoisinsError("text_blank")
    report = selectors.report_for_agent(agent=agent, report_id=report_id)
    return ReportNote.objects.create(report=report, author=agent.user, text=text, created_at=timezone.now())


# Her data (issue 15)


def account_erased(event: AccountErased) -> None:
    """Her part of the organisations' space when her account is erased (subscriber of
    AccountErased, in the erasing transaction): she acts for no organisation any more
    (what she published and decided for it stays, under her neutral label: it is the
    organisation's record); her civic reports lose their description and her name, her
    "me too"s go, her free answers to consultations lose their text (their choice still
    counts), and so do the reasons she gave to reopen a report. An organisation whose
    last administrator she was gets its longest-serving agent as administrator, as the
    rule that an organisation keeps one (agent_remove, agent_role_set) wants; with no
    agent left, staff are told in the log."""
    roles = list(Agent.objects.select_for_update().filter(user_id=event.user_id, removed_at=None))
    Agent.objects.filter(pk__in=[agent.pk for agent in roles]).update(removed_at=event.at)
    for agent in roles:
        if agent.role != Agent.Role.ADMIN:
            continue
        remaining = Agent.objects.select_for_update().filter(organisation_id=agent.organisation_id, removed_at=None)
        if remaining.filter(role=Agent.Role.ADMIN).exists():
            continue
        successor = remaining.order_by("added_at", "pk").first()
        if successor is None:
            logger.warning("organisation %s has no agent left: its last one erased her account", agent.organisation_id)
        else:
            Agent.objects.filter(pk=successor.pk).update(role=Agent.Role.ADMIN)
    CivicReport.objects.filter(reporter_id=event.user_id).update(description="", show_name=False)
    ReportSupport.objects.filter(user_id=event.user_id).delete()
    ConsultationAnswer.objects.filter(user_id=event.user_id).update(text="")
    ReportChange.objects.filter(actor_id=event.user_id, by_reporter=True).update(reason="")
