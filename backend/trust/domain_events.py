"""What trust decides and others react to (backend/common/domain_events.py): chat tells
her open sockets, push sends her an urgent notification."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class MembershipDecided:
    """A decision about her membership, with its reason, for her to hear. `decision` is
    one of trust.domain.DECISIONS."""

    user_id: int
    language: str  # hers, for what she is told
    membership_id: int
    neighbourhood_id: int
    neighbourhood_name: str
    decision: str
    reason: str
    at: datetime
    actor_id: int | None = None  # the moderator who decided, when one did
