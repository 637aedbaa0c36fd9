"""The seam between an app that decides and the apps that react (HANDBOOK §3).

The deciding service emits a plain event object; the listeners (push, chat's notices)
subscribe to its type in their AppConfig.ready(). Listeners run at once, inside the
deciding transaction: what they write (a push task row) commits if and only if the
decision does, and what they publish must itself wait for the commit
(`events.publish_on_commit`). The decider never imports its listeners."""

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

Event = TypeVar("Event")

_listeners: dict[type, list[Callable[[Any], None]]] = defaultdict(list)


def subscribe(event_type: type[Event], listener: Callable[[Event], None]) -> None:
    if listener not in _listeners[event_type]:
        _listeners[event_type].append(listener)


def emit(event: object) -> None:
    for listener in _listeners.get(type(event), ()):
        listener(event)
