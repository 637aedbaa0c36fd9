"""Bodies of the contract (frontend-contract/websocket/city.json), built from models: the
same dicts serve REST and socket frames. What residents see and what the organisation
sees are different bodies: notes, assignment and reporters' names exist only in the
organisation's."""

from typing import Any

from backend.cities import domain
from backend.cities.models import (
    Agent, Announcement, AreaAlert, CivicReport, Consultation, Organisation, ReportChange, ReportNote,
)
from backend.neighbourhoods.models import Neighbourhood


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def organisation_body(organisation: Organisation) -> dict[str, Any]:
    return {"id": organisation.pk, "name": organisation.name, "kind": organisation.kind}


def category_body(key: str, custom_names: dict[str, str] | None = None) -> dict[str, Any]:
    return {"key": key, "name": {language: domain.category_name(key, language, custom_names)
                                 for language in ("en", "fr")}}


# Cards: what the organisation's messages carry in the rooms (message.card).


def announcement_card(announcement: Announcement, *, neighbourhood_id: int, images: list[dict]) -> dict[str, Any]:
    return {
        "kind": "announcement",
        "announcement_id": announcement.pk,
        "organisation": organisation_body(announcement.organisation),
        "neighbourhood_id": neighbourhood_id,
        "title": announcement.title,
        "text": announcement.text,
        "images": images,
        "created_at": announcement.created_at.isoformat(),
    }


def consultation_card(consultation: Consultation, *, neighbourhood_id: int) -> dict[str, Any]:
    return {
        "kind": "consultation",
        "consultation_id": consultation.pk,
        "organisation": organisation_body(consultation.organisation),
        "neighbourhood_id": neighbourhood_id,
        "title": consultation.question,
        "text": consultation.text,
        "answer_kind": consultation.answer_kind,
        "choices": list(consultation.choices),
        "closes_at": consultation.closes_at.isoformat(),
        "created_at": consultation.created_at.isoformat(),
    }


def alert_body(alert: AreaAlert, neighbourhood_ids: list[int]) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "organisation": organisation_body(alert.organisation),
        "neighbourhood_ids": sorted(neighbourhood_ids),
        "title": alert.title,
        "text": alert.text,
        "created_at": alert.created_at.isoformat(),
        "expires_at": alert.expires_at.isoformat(),
    }


# Reports


def _history(changes: list[ReportChange], *, with_actors: bool) -> list[dict[str, Any]]:
    rows = []
    for change in changes:
        row = {
            "status": change.status,
            "previous": change.previous or None,
            "reason": change.reason,
            "by": "reporter" if change.by_reporter else "organisation",
            "at": change.at.isoformat(),
        }
        if with_actors:
            row["actor"] = None if change.by_reporter or change.actor is None else change.actor.display_name
        rows.append(row)
    return rows


def report_body(report: CivicReport, *, supporters: int, images: list[dict], changes: list[ReportChange],
                custom_names: dict[str, str]) -> dict[str, Any]:
    """A report as residents see it: never who reported or supported it."""
    neighbourhood: Neighbourhood = report.neighbourhood
    return {
        "id": report.pk,
        "neighbourhood": {"id": neighbourhood.pk, "name": neighbourhood.name},
        "organisation": organisation_body(report.organisation) if report.organisation_id else None,
        "category": category_body(report.category, custom_names),
        "description": report.description,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "status": report.status,
        "reason": report.reason,
        "duplicate_of": report.duplicate_of_id,
        "supporters": supporters,
        "images": images,
        "created_at": report.created_at.isoformat(),
        "status_changed_at": report.status_changed_at.isoformat(),
        "reopenable_until": _iso(domain.reopenable_until(status=report.status, resolved_at=report.resolved_at)),
        "history": _history(changes, with_actors=False),
    }


def agent_person(agent: Agent | None) -> dict[str, Any] | None:
    return None if agent is None else {"agent_id": agent.pk, "display_name": agent.user.display_name}


def agent_report_body(report: CivicReport, *, supporters: int, images: list[dict], changes: list[ReportChange],
                      custom_names: dict[str, str], notes: list[ReportNote] | None = None) -> dict[str, Any]:
    """A report as its organisation sees it: the reporter's name only if she agreed (else
    `reporter` is null: show “a resident of <neighbourhood>”), who handles it, and the
    internal notes (detail only)."""
    body = report_body(report, supporters=supporters, images=images, changes=[], custom_names=custom_names)
    body.update(
        reporter={"display_name": report.reporter.display_name} if report.show_name else None,
        assignee=agent_person(report.assignee),
        acknowledged_at=_iso(report.acknowledged_at),
        resolved_at=_iso(report.resolved_at),
        history=_history(changes, with_actors=True),
    )
    if notes is not None:
        body["notes"] = [
            {"id": note.pk, "author": note.author.display_name, "text": note.text, "at": note.created_at.isoformat()}
            for note in notes
        ]
    return body
