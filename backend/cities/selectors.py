"""Reads of cities. `agent_for` is the one question every organisation endpoint asks,
on every request: an agent removed a second ago is refused at once."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from backend.accounts.models import User
from backend.chat import selectors as chat_selectors
from backend.chat.models import Message
from backend.cities import domain, frames
from backend.cities.models import (
    Agent, Announcement, AnnouncementCard, AreaAlert, CivicReport, Consultation, ConsultationAnswer, Organisation,
    ReportCategory, ReportChange, ReportSupport, Residence,
)
from backend.common.errors import VoisinsError
from backend.common.personal_data import Section
from backend.neighbourhoods import domain as geo
from backend.neighbourhoods.models import Neighbourhood
from backend.photos import frames as photo_frames
from backend.photos import selectors as photo_selectors
from backend.trust.models import Membership
from backend.trust.selectors import neighbourhood_access

# Who acts for an organisation


def agent_for(*, user: User, organisation_id: int, admin: bool = False) -> Agent:
    """Her active agent row for this organisation, or a refusal: not_agent (also for an
    organisation that does not exist: its id tells nothing), organisation_not_verified,
    not_organisation_admin."""
    agent = (
        Agent.objects.select_related("organisation", "user")
        .filter(user_id=user.pk, organisation_id=organisation_id, removed_at=None, user__is_active=True)
        .first()
        if user.is_authenticated else None
    )
    if agent is None:
        raise VoisinsError("not_agent")
    if agent.organisation.verified_at is None:
        raise VoisinsError("organisation_not_verified")
    if admin and agent.role != Agent.Role.ADMIN:
        raise VoisinsError("not_organisation_admin")
    return agent


def agencies_of(*, user: User) -> list[Agent]:
    """The organisations she acts for now (verified or not), with her role."""
    return list(Agent.objects.filter(user=user, removed_at=None).select_related("organisation").order_by("organisation__name"))


def is_active_agent(user: User) -> bool:
    """An agent of a verified organisation: she uploads the photos of its announcements."""
    return Agent.objects.filter(
        user_id=user.pk, removed_at=None, organisation__verified_at__isnull=False
    ).exists()


def active_agent_user_ids(*, organisation_id: int) -> list[int]:
    return list(Agent.objects.filter(organisation_id=organisation_id, removed_at=None).values_list("user_id", flat=True))


def agents_of(*, organisation: Organisation) -> list[Agent]:
    return list(organisation.agents.filter(removed_at=None).select_related("user").order_by("user__display_name", "pk"))


def area_neighbourhood_ids(*, organisation: Organisation) -> set[int]:
    """Where it may publish: its whole neighbourhoods and those of its residences."""
    whole = organisation.neighbourhoods.values_list("pk", flat=True)
    of_residences = organisation.residences.values_list("neighbourhood_id", flat=True)
    return set(whole) | set(of_residences)


def area_neighbourhoods(*, organisation: Organisation) -> list[Neighbourhood]:
    return list(Neighbourhood.objects.filter(pk__in=area_neighbourhood_ids(organisation=organisation)).order_by("name"))


def categories_of(*, organisation_ids: Iterable[int]) -> list[ReportCategory]:
    return list(ReportCategory.objects.filter(organisation_id__in=list(organisation_ids)).order_by("name", "pk"))


def custom_names(keys: Iterable[str]) -> dict[str, str]:
    ids = {domain.custom_category_id(key) for key in keys} - {None}
    return {category.key: category.name for category in ReportCategory.objects.filter(pk__in=ids)}


# Where a report goes


def organisation_for_position(*, neighbourhood_id: int, latitude: float, longitude: float) -> Organisation | None:
    """The verified organisation handling this position: the one whose residence holds it
    (the smallest, if several), else one covering its whole neighbourhood (the earliest
    verified, if several), else none."""
    residences = Residence.objects.select_related("organisation").filter(
        neighbourhood_id=neighbourhood_id, organisation__verified_at__isnull=False,
        min_latitude__lte=latitude, max_latitude__gte=latitude, min_longitude__lte=longitude,
        max_longitude__gte=longitude,
    )
    holding = [r for r in residences if geo.contains(r.area, latitude, longitude)]
    if holding:
        return min(holding, key=lambda r: (geo.approximate_size_m2(r.area), r.pk)).organisation
    return (
        Organisation.objects.filter(neighbourhoods=neighbourhood_id, verified_at__isnull=False)
        .order_by("verified_at", "pk").first()
    )


def organisation_covers(*, organisation: Organisation, neighbourhood_id: int, latitude: float, longitude: float) -> bool:
    if organisation.neighbourhoods.filter(pk=neighbourhood_id).exists():
        return True
    return any(geo.contains(r.area, latitude, longitude)
               for r in organisation.residences.filter(neighbourhood_id=neighbourhood_id))


def categories_at(*, neighbourhood_id: int, latitude: float, longitude: float) -> tuple[Organisation | None, list]:
    """(the organisation a standard report here goes to, the custom categories of the
    verified organisations covering the position)."""
    covering = [
        organisation for organisation in Organisation.objects.filter(
            Q(neighbourhoods=neighbourhood_id) | Q(residences__neighbourhood_id=neighbourhood_id),
            verified_at__isnull=False,
        ).distinct()
        if organisation_covers(organisation=organisation, neighbourhood_id=neighbourhood_id, latitude=latitude,
                               longitude=longitude)
    ]
    default = organisation_for_position(neighbourhood_id=neighbourhood_id, latitude=latitude, longitude=longitude)
    return default, categories_of(organisation_ids=[o.pk for o in covering])


# Residents


def resident_neighbourhood_ids(*, user: User) -> list[int]:
    """Where she is a verified resident: where she reports and answers."""
    return sorted(Membership.objects.filter(user_id=user.pk, state=Membership.State.VERIFIED)
                  .values_list("neighbourhood_id", flat=True))


def report_neighbourhood(*, user: User, latitude: float, longitude: float) -> Neighbourhood:
    """The neighbourhood of hers where a problem is: she reports in her neighbourhood
    (not_member if she has none, position_outside_neighbourhood elsewhere)."""
    homes = Neighbourhood.objects.filter(pk__in=resident_neighbourhood_ids(user=user)).order_by("pk")
    if not homes:
        raise VoisinsError("not_member")
    if geo.valid_position(latitude, longitude):
        for neighbourhood in homes:
            if geo.contains(neighbourhood.area, latitude, longitude):
                return neighbourhood
    raise VoisinsError("position_outside_neighbourhood")


def readable_neighbourhood_ids(*, user: User) -> list[int]:
    """Where she reads what organisations publish and what neighbours report: her rooms'."""
    return chat_selectors.readable_neighbourhood_ids(user=user)


# Reports


def _report_rows(reports: QuerySet[CivicReport]) -> QuerySet[CivicReport]:
    return reports.select_related("neighbourhood", "organisation", "reporter", "assignee__user").annotate(
        supporter_count=Count("supports", distinct=True)
    )


def report_bodies(reports: list[CivicReport], *, for_agents: bool = False, with_notes: bool = False,
                  language: str = "en") -> list[dict[str, Any]]:
    """Bodies of reports from `_report_rows` (which counts supporters): two more queries
    for all of them (history, images), plus notes when asked."""
    ids = [report.pk for report in reports]
    changes: dict[int, list[ReportChange]] = {pk: [] for pk in ids}
    for change in ReportChange.objects.filter(report_id__in=ids).select_related("actor").order_by("at", "pk"):
        changes[change.report_id].append(change)
    images = photo_selectors.images_of(kind="city_report", object_ids=ids)
    names = custom_names(report.category for report in reports)
    bodies = []
    for report in reports:
        common = dict(supporters=report.supporter_count, images=photo_frames.image_bodies(images[report.pk]),
                      changes=changes[report.pk], custom_names=names)
        if for_agents:
            notes = list(report.notes.select_related("author").order_by("created_at", "pk")) if with_notes else None
            body = frames.agent_report_body(report, notes=notes, **common)
            body["reporter_label"] = (
                report.reporter.display_name if report.show_name
                else domain.resident_of(report.neighbourhood.name, language)
            )
            bodies.append(body)
        else:
            bodies.append(frames.report_body(report, **common))
    return bodies


def report_with_counts(report_id: int) -> CivicReport:
    return _report_rows(CivicReport.objects.filter(pk=report_id)).get()


def report_for_resident(*, user: User, report_id: int) -> CivicReport:
    """The report if she may see it: hers, supported by her, or of a neighbourhood whose
    rooms she reads."""
    report = _report_rows(CivicReport.objects.filter(pk=report_id)).first()
    if report is None or not report_visible(user=user, report=report):
        raise VoisinsError("city_report_not_found")
    return report


def report_visible(*, user: User, report: CivicReport) -> bool:
    if not user.is_authenticated:
        return False
    if report.reporter_id == user.pk or ReportSupport.objects.filter(report=report, user_id=user.pk).exists():
        return True
    return neighbourhood_access(user=user, neighbourhood_id=report.neighbourhood_id).can_read


def report_for_agent(*, agent: Agent, report_id: int) -> CivicReport:
    report = _report_rows(CivicReport.objects.filter(pk=report_id, organisation_id=agent.organisation_id)).first()
    if report is None:
        raise VoisinsError("city_report_not_found")
    return report


def _in_bbox(reports: QuerySet[CivicReport], bbox: tuple[float, float, float, float] | None) -> QuerySet[CivicReport]:
    if bbox is None:
        return reports
    west, south, east, north = bbox
    return reports.filter(longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north)


def report_queue(
    *, organisation_id: int, statuses: list[str] | None = None, categories: list[str] | None = None,
    neighbourhood_ids: list[int] | None = None, assignee: str | None = None, agent: Agent | None = None,
    bbox: tuple[float, float, float, float] | None = None, before: int | None = None, limit: int = 50,
) -> list[CivicReport]:
    """The organisation's reports, newest first. `assignee`: "me", "none", or an agent id."""
    reports = CivicReport.objects.filter(organisation_id=organisation_id)
    if statuses:
        reports = reports.filter(status__in=statuses)
    if categories:
        reports = reports.filter(category__in=categories)
    if neighbourhood_ids:
        reports = reports.filter(neighbourhood_id__in=neighbourhood_ids)
    if assignee == "me":
        reports = reports.filter(assignee=agent)
    elif assignee == "none":
        reports = reports.filter(assignee=None)
    elif assignee:
        reports = reports.filter(assignee_id=int(assignee))
    if before is not None:
        reports = reports.filter(pk__lt=before)
    return list(_report_rows(_in_bbox(reports, bbox)).order_by("-pk")[:limit])


def neighbourhood_reports(
    *, neighbourhood_ids: list[int], statuses: list[str] | None = None, categories: list[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None, before: int | None = None, limit: int = 50,
) -> list[CivicReport]:
    """What neighbours see on the map and in the list: open reports by default."""
    reports = CivicReport.objects.filter(neighbourhood_id__in=neighbourhood_ids,
                                         status__in=statuses or list(domain.OPEN_STATUSES))
    if categories:
        reports = reports.filter(category__in=categories)
    if before is not None:
        reports = reports.filter(pk__lt=before)
    return list(_report_rows(_in_bbox(reports, bbox)).order_by("-pk")[:limit])


def my_reports(*, user: User, limit: int = 100) -> list[CivicReport]:
    """Those she reported or supports, newest first."""
    supported = ReportSupport.objects.filter(report=OuterRef("pk"), user_id=user.pk)
    reports = CivicReport.objects.filter(Q(reporter_id=user.pk) | Q(Exists(supported)))
    return list(_report_rows(reports).order_by("-pk")[:limit])


def reports_nearby(*, neighbourhood_id: int, category: str, latitude: float, longitude: float,
                   radius_m: float = domain.NEARBY_M, limit: int = 5) -> list[CivicReport]:
    """Open reports of the same category within `radius_m`, nearest first: what to support
    instead of reporting the same problem again."""
    box = geo.bounding_box(geo.Area(center=(latitude, longitude), radius_m=radius_m))
    candidates = _report_rows(CivicReport.objects.filter(
        neighbourhood_id=neighbourhood_id, category=category, status__in=domain.OPEN_STATUSES,
        latitude__gte=box[0], latitude__lte=box[2], longitude__gte=box[1], longitude__lte=box[3],
    ))
    near = [(geo.distance_m((latitude, longitude), (r.latitude, r.longitude)), r.pk, r) for r in candidates]
    return [r for distance, _, r in sorted(near) if distance <= radius_m][:limit]


def supported_ids(*, user: User, report_ids: list[int]) -> set[int]:
    return set(ReportSupport.objects.filter(user_id=user.pk, report_id__in=report_ids).values_list("report_id", flat=True))


def report_audience(*, report: CivicReport) -> set[int]:
    """Who hears of its changes: the reporter and the supporters."""
    return {report.reporter_id, *report.supports.values_list("user_id", flat=True)}


def figures_rows(*, organisation_id: int) -> list[dict[str, Any]]:
    return list(CivicReport.objects.filter(organisation_id=organisation_id).values(
        "neighbourhood_id", "category", "status", "created_at", "acknowledged_at", "resolved_at"))


def export_rows(*, organisation_id: int) -> Iterable[dict[str, Any]]:
    return (
        CivicReport.objects.filter(organisation_id=organisation_id)
        .annotate(supporters=Count("supports", distinct=True))
        .order_by("pk")
        .values("id", "created_at", "neighbourhood__name", "category", "status", "latitude", "longitude",
                "supporters", "acknowledged_at", "resolved_at")
        .iterator(chunk_size=500)
    )


# Publications


def current_alerts(*, neighbourhood_ids: list[int], now: datetime) -> list[AreaAlert]:
    """Alerts still valid in these neighbourhoods, newest first: shown pinned."""
    return list(
        AreaAlert.objects.filter(neighbourhoods__in=neighbourhood_ids, expires_at__gt=now)
        .select_related("organisation").prefetch_related("neighbourhoods").distinct().order_by("-created_at", "-pk")
    )


def organisation_alerts(*, organisation_id: int, limit: int = 50) -> list[AreaAlert]:
    return list(AreaAlert.objects.filter(organisation_id=organisation_id).select_related("organisation")
                .prefetch_related("neighbourhoods").order_by("-created_at", "-pk")[:limit])


def alerts_sent_since(*, organisation_id: int, since: datetime) -> list[datetime]:
    return list(AreaAlert.objects.filter(organisation_id=organisation_id, created_at__gt=since)
                .values_list("created_at", flat=True))


def _with_cards(announcements: QuerySet[Announcement]) -> QuerySet[Announcement]:
    cards = AnnouncementCard.objects.annotate(room_id=F("message__room_id")).order_by("neighbourhood_id")
    return announcements.select_related("organisation").prefetch_related(Prefetch("cards", queryset=cards))


def announcements_for(*, neighbourhood_ids: list[int], before: int | None = None, limit: int = 20) -> list[Announcement]:
    # Not where a moderator removed its card (or reports hid it).
    announcements = Announcement.objects.filter(
        cards__neighbourhood_id__in=neighbourhood_ids, cards__message__removed_at=None, cards__message__hidden_at=None,
    ).distinct()
    if before is not None:
        announcements = announcements.filter(pk__lt=before)
    return list(_with_cards(announcements).order_by("-pk")[:limit])


def organisation_announcements(*, organisation_id: int, before: int | None = None, limit: int = 20) -> list[Announcement]:
    announcements = Announcement.objects.filter(organisation_id=organisation_id)
    if before is not None:
        announcements = announcements.filter(pk__lt=before)
    return list(_with_cards(announcements).order_by("-pk")[:limit])


def announcement_with_cards(*, announcement_id: int) -> Announcement:
    return _with_cards(Announcement.objects.filter(pk=announcement_id)).get()


def announcement_images(announcement_ids: list[int]) -> dict[int, list[dict]]:
    images = photo_selectors.images_of(kind="announcement", object_ids=announcement_ids)
    return {pk: photo_frames.image_bodies(found) for pk, found in images.items()}


def announcement_of(*, agent: Agent, announcement_id: int) -> Announcement:
    announcement = Announcement.objects.select_related("organisation").filter(
        pk=announcement_id, organisation_id=agent.organisation_id).first()
    if announcement is None:
        raise VoisinsError("announcement_not_found")
    return announcement


def thread(*, announcement: Announcement) -> list[dict[str, Any]]:
    """What residents said under the announcement's cards, per neighbourhood: replies to
    a card and replies to those replies (the organisation's answers among them), oldest
    first; nothing deleted, removed by a moderator or hidden after reports. The card's
    reactions as counts. Nothing else of the room."""
    cards = list(announcement.cards.select_related("neighbourhood", "message").order_by("neighbourhood__name", "pk"))
    card_ids = [card.message_id for card in cards if card.message_id]
    shown = Q(deleted_at=None, removed_at=None, hidden_at=None)
    first = list(Message.objects.filter(shown, reply_to_id__in=card_ids).values_list("pk", flat=True))
    replies = list(
        Message.objects.filter(shown, Q(reply_to_id__in=card_ids) | Q(reply_to_id__in=first))
        .select_related("author").order_by("seq")
    )
    reactions = chat_selectors.reactions_of(message_ids=card_ids)
    voice_id = announcement.organisation.voice_id
    card_of_reply: dict[int, int] = {}
    for reply in replies:  # the card a reply hangs under (replies come after what they answer)
        card_of_reply[reply.pk] = reply.reply_to_id if reply.reply_to_id in card_ids else card_of_reply.get(reply.reply_to_id)
    bodies = []
    for card in cards:
        counted: dict[str, int] = {}
        for emoji, _ in reactions.get(card.message_id, []):
            counted[emoji] = counted.get(emoji, 0) + 1
        bodies.append({
            "neighbourhood": {"id": card.neighbourhood_id, "name": card.neighbourhood.name},
            "room_id": card.message.room_id if card.message else None,
            "message_id": card.message_id,
            "reactions": [{"emoji": emoji, "count": count} for emoji, count in counted.items()],
            "replies": [
                {
                    "id": reply.pk,
                    "reply_to": reply.reply_to_id,
                    "from_organisation": reply.author_id == voice_id,
                    "author": announcement.organisation.name if reply.author_id == voice_id else reply.author.display_name,
                    "text": reply.text,
                    "created_at": reply.created_at.isoformat(),
                }
                for reply in replies if card_of_reply.get(reply.pk) == card.message_id
            ],
        })
    return bodies


def thread_message(*, announcement: Announcement, message_id: int) -> Message | None:
    """A message of the announcement's thread that the organisation may answer: its card,
    or a reply to it, shown (neither deleted, removed nor hidden)."""
    card_ids = list(announcement.cards.exclude(message=None).values_list("message_id", flat=True))
    message = Message.objects.select_related("room").filter(
        pk=message_id, deleted_at=None, removed_at=None, hidden_at=None).first()
    if message is None:
        return None
    if message.pk in card_ids or message.reply_to_id in card_ids:
        return message
    return None


def consultations_for(*, neighbourhood_ids: list[int], limit: int = 50) -> list[Consultation]:
    return list(Consultation.objects.filter(cards__neighbourhood_id__in=neighbourhood_ids).distinct()
                .select_related("organisation").prefetch_related("cards").order_by("-pk")[:limit])


def organisation_consultations(*, organisation_id: int, limit: int = 50) -> list[Consultation]:
    return list(Consultation.objects.filter(organisation_id=organisation_id).select_related("organisation")
                .prefetch_related("cards").order_by("-pk")[:limit])


def consultation_for_resident(*, user: User, consultation_id: int) -> Consultation:
    consultation = Consultation.objects.select_related("organisation").filter(pk=consultation_id).first()
    readable = set(readable_neighbourhood_ids(user=user))
    if consultation is None or not readable & set(consultation.cards.values_list("neighbourhood_id", flat=True)):
        raise VoisinsError("consultation_not_found")
    return consultation


def consultation_of(*, agent: Agent, consultation_id: int) -> Consultation:
    consultation = Consultation.objects.select_related("organisation").filter(
        pk=consultation_id, organisation_id=agent.organisation_id).first()
    if consultation is None:
        raise VoisinsError("consultation_not_found")
    return consultation


def consultation_results(*, consultation: Consultation, for_organisation: bool) -> dict[str, Any]:
    answers = ConsultationAnswer.objects.filter(consultation=consultation).values_list("choice", "text")
    return domain.consultation_results(answer_kind=consultation.answer_kind, choices=consultation.choices,
                                       answers=answers, with_texts=for_organisation)


def answers_of(*, user: User, consultation_ids: list[int]) -> dict[int, ConsultationAnswer]:
    return {a.consultation_id: a for a in ConsultationAnswer.objects.filter(user_id=user.pk,
                                                                              consultation_id__in=consultation_ids)}


# Who sees the photos (backend/photos/attachments.py)


def announcement_images_visible(user: User, announcement_id: int) -> bool:
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None or not user.is_authenticated:
        return False
    readable = set(readable_neighbourhood_ids(user=user))
    if readable & set(AnnouncementCard.objects.filter(announcement=announcement).values_list("neighbourhood_id", flat=True)):
        return True
    return Agent.objects.filter(user_id=user.pk, organisation_id=announcement.organisation_id, removed_at=None).exists()


def report_images_visible(user: User, report_id: int) -> bool:
    report = CivicReport.objects.filter(pk=report_id).first()
    if report is None or not user.is_authenticated:
        return False
    if report_visible(user=user, report=report):
        return True
    return report.organisation_id is not None and Agent.objects.filter(
        user_id=user.pk, organisation_id=report.organisation_id, removed_at=None).exists()


def personal_data_export(user: User) -> Section:
    """Her part of the organisations' space for her data export
    (backend.common.personal_data): her civic reports, her "me too"s, her answers to
    consultations, and the organisations she acts for."""
    reports = CivicReport.objects.filter(reporter=user).select_related("organisation").order_by("created_at", "pk")
    supports = ReportSupport.objects.filter(user=user).order_by("created_at", "pk")
    answers = ConsultationAnswer.objects.filter(user=user).select_related("consultation").order_by("pk")
    agents = Agent.objects.filter(user=user).select_related("organisation").order_by("added_at", "pk")
    return Section(data={
        "civic_reports": [{"id": r.pk, "organisation": r.organisation.name if r.organisation else None,
                           "category": r.category, "description": r.description, "show_name": r.show_name,
                           "latitude": r.latitude, "longitude": r.longitude, "status": r.status, "reason": r.reason,
                           "created_at": r.created_at} for r in reports],
        "supports": [{"report_id": s.report_id, "created_at": s.created_at} for s in supports],
        "consultation_answers": [{"consultation": a.consultation.question, "choice": a.choice, "text": a.text}
                                 for a in answers],
        "agent_of": [{"organisation": a.organisation.name, "role": a.role, "added_at": a.added_at,
                      "removed_at": a.removed_at} for a in agents],
    })
