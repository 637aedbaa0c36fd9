"""The seam between deciding apps and their listeners (backend/common/domain_events.py),
without a database."""

from dataclasses import dataclass

import pytest

from backend.common import domain_events


@dataclass(frozen=True)
class Decided:
    what: str


@dataclass(frozen=True)
class Other:
    what: str


@pytest.fixture
def heard(monkeypatch):
    monkeypatch.setattr(domain_events, "_listeners", type(domain_events._listeners)(list))
    return []


def test_listeners_hear_their_event_type_only_in_the_order_they_subscribed(heard):
    domain_events.subscribe(Decided, lambda event: heard.append(("first", event.what)))
    domain_events.subscribe(Decided, lambda event: heard.append(("second", event.what)))
    domain_events.subscribe(Other, lambda event: heard.append(("other", event.what)))
    domain_events.emit(Decided("revoked"))
    assert heard == [("first", "revoked"), ("second", "revoked")]


def test_subscribing_twice_hears_once(heard):
    def listener(event):
        heard.append(event.what)

    domain_events.subscribe(Decided, listener)
    domain_events.subscribe(Decided, listener)  # an AppConfig.ready() run twice
    domain_events.emit(Decided("verified"))
    assert heard == ["verified"]


def test_an_event_nobody_listens_to_is_dropped(heard):
    domain_events.emit(Other("nothing"))
    assert heard == []


def test_a_failing_listener_fails_the_decision(heard):
    """Listeners run inside the deciding transaction: an error must reach the decider,
    which rolls back, rather than leave a decision without its push."""
    def broken(event):
        raise RuntimeError("push table unreachable")

    domain_events.subscribe(Decided, broken)
    with pytest.raises(RuntimeError):
        domain_events.emit(Decided("verified"))
