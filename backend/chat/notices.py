"""What chat tells a person's open sockets about decisions taken elsewhere: listeners
of other apps' domain events (subscribed in ChatConfig.ready)."""

from backend.common import events
from backend.trust import domain as trust_domain
from backend.trust.domain_events import MembershipDecided


def membership_decided(event: MembershipDecided) -> None:
    notice = trust_domain.notice_body(
        decision=event.decision, language=event.language, membership_id=event.membership_id,
        neighbourhood_id=event.neighbourhood_id, neighbourhood_name=event.neighbourhood_name, reason=event.reason,
        at=event.at,
    )
    events.tell_on_commit([event.user_id], {"type": "trust.notice", "notice": notice})
