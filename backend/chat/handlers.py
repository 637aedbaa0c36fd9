"""Socket frames that other apps add (HANDBOOK §3: chat carries cards and moderation
frames without importing feed or moderation).

An app registers, from its AppConfig.ready(), the handler of a client frame type that
the contract defines (frontend-contract/websocket/client/<type>.json, so the socket
validates it like its own frames). The socket runs the handler in a database thread
with the frame's author and the validated frame, then sends the answer it returns,
echoing the frame's `ref`; a VoisinsError becomes an error frame. Chat's own frames
(message.send first) never go through here."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from backend.accounts.models import User
from backend.chat.models import Room
from backend.chat.protocol import CLIENT_VALIDATORS


@dataclass(frozen=True)
class Follow:
    """The socket also receives the frames of these rooms of the neighbourhood, as a
    subscriber would (from now on: no catch-up)."""

    neighbourhood_id: int
    rooms: list[Room] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    frame: dict[str, Any]  # without `ref`: the socket adds the one of the frame answered
    follow: Follow | None = None


Handler = Callable[[User, dict[str, Any]], Answer]

_handlers: dict[str, Handler] = {}


def register(frame_type: str, handler: Handler) -> None:
    if frame_type not in CLIENT_VALIDATORS:
        raise ImproperlyConfigured(f"no client frame {frame_type!r} in frontend-contract/websocket/client/")
    if _handlers.setdefault(frame_type, handler) is not handler:
        raise ImproperlyConfigured(f"the client frame {frame_type!r} already has a handler")


def handler_for(frame_type: str) -> Handler | None:
    return _handlers.get(frame_type)
