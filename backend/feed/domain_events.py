"""What the feed decides and others react to (backend/common/domain_events.py)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PartnerLeft:
    """The neighbour with whom she has a loan in progress or an open group purchase
    erased her account: she is told (a `partner.left` frame, and push listens)."""

    user_id: int
    relation: str  # "loan" or "purchase"
    post_id: int
    loan_id: int | None
    room_id: int | None
    item: str
    at: datetime
