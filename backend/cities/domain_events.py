"""What cities decides and others react to (backend/common/domain_events.py): push
sends the urgent notifications. Emitted inside the deciding transaction."""

from dataclasses import dataclass


@dataclass(frozen=True)
class AreaAlertPublished:
    """An organisation alerts every verified resident of these neighbourhoods: pushed on
    the urgent tier, past quiet hours and mutes."""

    alert_id: int
    organisation_name: str
    neighbourhood_ids: tuple[int, ...]
    title: str
    text: str


@dataclass(frozen=True)
class ReportChanged:
    """A civic report changed status; its reporter and supporters (`user_ids`, the one
    who changed it left out) are told, each in her language."""

    report_id: int
    change_id: int
    status: str  # the new one: received (reopened), acknowledged, in_progress, resolved, rejected, duplicate
    reason: str
    summary: str  # the first words of its description
    organisation_name: str
    user_ids: tuple[int, ...]
