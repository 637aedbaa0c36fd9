"""What backend.privacy decides and others react to (backend/common/domain_events.py)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportReady:
    """The archive of her data is built; she is told live (export.ready) and push listens."""

    user_id: int
    export_id: int
    days: int  # how long the link lasts
