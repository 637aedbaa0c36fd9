"""What moderation decides and others react to (backend/common/domain_events.py)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ModerationActed:
    """A moderator acted on her content or account; she is told (push listens)."""

    user_id: int
    kind: str
    action_id: int
    reason: str
