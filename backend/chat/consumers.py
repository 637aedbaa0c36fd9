"""The WebSocket of one device: parse a frame, call a service or selector, send the
answer. Frames from other people arrive already encoded through the process hub."""

import asyncio
import logging
import time
import types
import uuid
from collections import deque
from collections.abc import Awaitable, Coroutine, Generator
from dataclasses import replace
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user
from django.db import DatabaseError
from django.http import HttpRequest, parse_cookie
from redis.exceptions import RedisError

from backend.accounts.models import User
from backend.chat import domain, frames, handlers, selectors, services, wire
from backend.chat.hub import current_hub
from backend.chat.models import Room
from backend.chat.presence import SocketEntry
from backend.chat.protocol import MAX_FRAME_BYTES, MAX_TEXT_LENGTH, CloseCode, FrameError, encode, parse_client_frame
from backend.common import metrics
from backend.common.busy import is_server_busy
from backend.common.errors import VoisinsError, error_message
from backend.trust.selectors import neighbourhood_access

logger = logging.getLogger(__name__)

# Sends of one device waiting to be stored; more is a flood.
SENDS_WAITING_LIMIT = 200


def _catch_up(user: User, room: Room, last_seen: int | None) -> tuple[int, list[dict[str, Any]], bool]:
    seq, messages, gap = selectors.catch_up(room=room, last_seen=last_seen)
    return seq, frames.messages_body(messages, full=selectors.reads_in_full(user=user, room=room)), gap


def _session_identity(session_key: str) -> tuple[User, list[int]] | None:
    user = _session_user(session_key)
    if user is None:
        return None
    return user, selectors.readable_neighbourhood_ids(user=user)


def _session_user(session_key: str) -> User | None:
    """The user of a session, as Django's authentication middleware would find her.
    (Channels' session middleware would wrap every frame we send; we need it only here.)"""
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(request)
    return user if user.is_authenticated else None


_BUSY_LOG_EVERY_SECONDS = 10.0
_busy_logged_at = 0.0
_busy_since_log = 0


def _busy_noted(exc: Exception) -> None:
    """A socket refused with server_busy: counted by its close code (voisins_ws_closes),
    logged at most once per 10 s, since a storm refuses thousands."""
    global _busy_logged_at, _busy_since_log
    _busy_since_log += 1
    now = time.monotonic()
    if now - _busy_logged_at >= _BUSY_LOG_EVERY_SECONDS:
        logger.warning("%d socket(s) refused with server_busy since the last report (last: %s)", _busy_since_log,
                       exc.__class__.__name__)
        _busy_logged_at, _busy_since_log = now, 0


def _ignore_failure(task: asyncio.Future) -> None:
    # Presence entries expire by themselves; a failed removal only delays it.
    if not task.cancelled() and task.exception() is not None:
        logger.warning("could not update presence: %s", task.exception())


@types.coroutine
def _resume(send: Coroutine[Any, Any, None], pending: Any) -> Generator[Any, None, None]:
    """The rest of a send coroutine that suspended on `pending`, as an awaitable that a
    task can run: wait for `pending`, then let the coroutine finish."""
    yield pending
    yield from send


class RoomSocket(AsyncWebsocketConsumer):
    # No channel-layer channel per socket: the process hub delivers to `deliver`.
    channel_layer_alias = None

    user: User
    attached = False
    closing = False
    counted_open = False
    presence_entry: SocketEntry | None = None
    before_hello: list[str] | None = None
    # Frames waiting while a send waits for the peer (None: sends go out at once), and
    # the task that sends them.
    backlog: deque[str | int] | None = None
    writer: asyncio.Future | None = None
    # The server's connection when frames may be written to it directly (backend/chat/wire.py).
    connection: Any = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # Channels' own loop (await_many_dispatch) wraps each receive in a task and keeps
        # the last one, with the frame it carried, until the next arrives: for each idle
        # socket a task, its coroutine and context, asyncio.wait's and that frame. With no
        # channel of its own, the socket awaits the server's receive itself.
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first hops to the database thread to close stale
        # connections, so every frame would wait for the thread; our database calls
        # (database_sync_to_async) close them around each call anyway.
        await getattr(self, get_handler_name(message))(message)

    async def connect(self) -> None:
        await self.accept()
        self.connection = wire.direct_connection(self.base_send)
        self.last_received = time.monotonic()
        self.socket_id = uuid.uuid4().hex
        self.hub = current_hub()
        self.user_id = None
        self.token_id, self.session_key = None, None
        self.neighbourhood_ids: list[int] = []
        self.rooms: dict[int, Room] = {}
        self.catching_up: dict[int, list[str]] = {}
        self.typing_sent: dict[int, float] = {}
        self.sends_waiting = 0
        # Nothing reaches the socket before its hello: frames the hub hands it meanwhile
        # (presence, rooms.activity, resync...) and controls wait here. (An attribute of
        # the socket until hello, so that `deliver` itself checks nothing.)
        self.before_hello = []
        self.controls_before_hello: list[dict[str, Any]] = []
        self.lost_before_hello = False
        self.deliver = self._deliver_before_hello  # type: ignore[method-assign]
        try:
            refusal = await self._open()
        except Exception as exc:  # every failure closes with a documented code
            refusal = self._failure(exc)
        if refusal is None:
            return
        if self.backlog is not None:  # the error frame waits for the peer: close after it
            self._shutdown(refusal, flush=True)
        else:
            await self._close_now(refusal)

    async def _open(self) -> int | None:
        """Authenticates the socket, counts it, joins the hub and sends hello; returns
        the close code that refuses it instead. Cheap on purpose, since after a deploy
        every device reconnects at once: the ticket is in Redis, the database answers two
        short reads (who she is; her rooms with their unread counts) batched with those of
        the other sockets opening meanwhile (arrivals.py), presence is one Redis script."""
        headers = dict(self.scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode()
        if origin and origin not in settings.WS_ALLOWED_ORIGINS:
            return CloseCode.ORIGIN_NOT_ALLOWED
        tickets = parse_qs(self.scope.get("query_string", b"").decode()).get("ticket")
        if tickets:
            owner = await services.ticket_redeem(ticket=tickets[0], client=self.hub.redis)
            if owner is None:
                return CloseCode.UNAUTHENTICATED
            self.user_id, self.token_id = owner.user_id, owner.token_id
            # Her user group first: a revocation of the token from now on reaches this
            # socket, and one before is seen by the query that follows.
            await self._attach()
            identity = await self.hub.arrivals.identity(user_id=owner.user_id, token_id=owner.token_id)
        else:
            # A session cookie is only trusted from a page of an allowed origin.
            session_key = parse_cookie(headers.get(b"cookie", b"").decode("latin-1")).get(settings.SESSION_COOKIE_NAME)
            if not origin or not session_key:
                return CloseCode.UNAUTHENTICATED
            self.session_key = session_key
            identity = await database_sync_to_async(_session_identity)(session_key)
        if identity is None:
            return CloseCode.UNAUTHENTICATED
        self.user, self.neighbourhood_ids = identity
        if not self.attached:
            self.user_id = self.user.pk
            await self._attach()
        entry = SocketEntry(
            socket_id=self.socket_id, user_id=self.user_id, neighbourhood_ids=tuple(self.neighbourhood_ids),
            process_id=self.hub.process_id,
        )
        before = await self.hub.presence_connect(entry)
        if before is None:
            return CloseCode.TOO_MANY_SOCKETS
        self.presence_entry = entry
        for neighbourhood_id in self.neighbourhood_ids:
            await self.hub.join_neighbourhood(self, neighbourhood_id)
        # Read once in the groups: whatever changes after this read reaches the socket.
        rooms = await self.hub.arrivals.rooms(user=self.user, neighbourhood_ids=self.neighbourhood_ids)
        online = await self.hub.presence.online(self.neighbourhood_ids)
        self._send_hello(rooms, online)
        if before == 0:
            await services.presence_publish(changes=[(self.user_id, self.neighbourhood_ids, True)])
        return None

    async def _attach(self) -> None:
        self.attached = True  # first: a failure while joining still detaches
        await self.hub.attach(self)

    def _end_before_hello(self) -> list[str]:
        """From now on frames go out as they come; returns those that waited."""
        waiting, self.before_hello = self.before_hello or [], None
        self.__dict__.pop("deliver", None)
        return waiting

    def _deliver_before_hello(self, text: str, room_id: int | None = None) -> None:
        if len(self.before_hello) >= settings.CHAT_SOCKET_QUEUE_SIZE:
            # Too much before hello: dropped, and resync after it.
            self.before_hello.clear()
            self.lost_before_hello = True
        self.before_hello.append(text)

    def _send_hello(self, rooms: list[dict[str, Any]], online: dict[int, list[int]]) -> None:
        waiting = self._end_before_hello()
        self._send_frame(
            {
                "type": "hello",
                "user": frames.person(self.user),
                "rooms": rooms,
                "presence": [{"neighbourhood_id": nid, "online": users} for nid, users in online.items()],
                "limits": {
                    "max_frame_bytes": MAX_FRAME_BYTES,
                    "max_text_length": MAX_TEXT_LENGTH,
                    "messages_per_window": settings.CHAT_WRITES_PER_WINDOW,
                    "window_seconds": settings.CHAT_WRITE_WINDOW_SECONDS,
                    "idle_timeout_seconds": settings.CHAT_IDLE_TIMEOUT_SECONDS,
                },
            }
        )
        metrics.WS_CONNECTS.inc()
        metrics.WS_OPEN.inc()
        self.counted_open = True
        if self.lost_before_hello:
            self._send_frame({"type": "resync", "reason": "live_frames_lost"})
        for text in waiting:
            self.deliver(text)
        controls, self.controls_before_hello = self.controls_before_hello, []
        for control in controls:
            self.on_control(control)

    def _failure(self, exc: Exception) -> int:
        """The close code of a connect that failed, after an error frame that says why:
        `server_busy` with retry_after when the database or Redis could not serve it in
        time (or at all), `server_error` for anything else."""
        self._end_before_hello()  # what waited is dropped: the socket closes
        language = getattr(getattr(self, "user", None), "language", None) or "en"
        if is_server_busy(exc) or isinstance(exc, (DatabaseError, RedisError, OSError)):
            retry_after = settings.SERVER_BUSY_RETRY_AFTER
            _busy_noted(exc)
            frame = frames.error("server_busy", error_message("server_busy", language, retry_after=retry_after),
                                 ref=None, retry_after=retry_after)
            self.deliver(encode(frame))
            return CloseCode.TRY_AGAIN
        logger.error("a socket could not open", exc_info=exc)
        self.deliver(encode(frames.error("server_error", error_message("server_error", language), ref=None)))
        return CloseCode.SERVER_ERROR

    # Outgoing. A frame is sent at once, as a bare broadcast loop would, while the peer
    # keeps up; once a send has to wait for the peer, the next frames wait in a bounded
    # backlog that one task drains, so a slow reader never stalls the room.

    def deliver_all(self, texts: list[str], room_id: int) -> None:
        """Frames of a room in a row (a stored batch of messages): written to the wire in
        one piece when they may go straight to it, else one by one as `deliver` does."""
        if (
            self.before_hello is None and not self.closing and self.backlog is None
            and room_id not in self.catching_up and self.connection is not None
            and wire.write_all(self.connection, texts)
        ):
            return
        for text in texts:
            self.deliver(text, room_id)

    def deliver(self, text: str, room_id: int | None = None) -> None:
        if self.closing:
            return
        if room_id is not None and room_id in self.catching_up:
            self.catching_up[room_id].append(text)
            return
        if self.backlog is not None:
            if len(self.backlog) >= settings.CHAT_SOCKET_QUEUE_SIZE:
                self._shutdown(CloseCode.TOO_SLOW)
            else:
                self.backlog.append(text)
            return
        if self.connection is not None and wire.write(self.connection, text):
            return
        send = self.base_send({"type": "websocket.send", "text": text})
        try:
            # The server's send returns without suspending while its transport takes data.
            pending = send.send(None)
        except StopIteration:
            return
        except Exception:  # the peer is gone; its disconnect event follows
            return
        self.backlog = deque()
        self.writer = asyncio.ensure_future(self._drain(_resume(send, pending)))

    def _send_frame(self, frame: dict[str, Any]) -> None:
        self.deliver(encode(frame))

    def _send_error(self, code: str, *, ref: str | None, **params: Any) -> None:
        message = error_message(code, self.user.language, **{k: v for k, v in params.items() if k != "detail"})
        self._send_frame(frames.error(code, message, ref=ref, **params))

    async def _drain(self, suspended_send: Awaitable[None]) -> None:
        try:
            await suspended_send
            while self.backlog:
                item = self.backlog.popleft()
                if isinstance(item, int):
                    await self._close_now(item)
                    return
                await self.base_send({"type": "websocket.send", "text": item})
        except asyncio.CancelledError:
            raise
        except Exception:  # the peer is gone; its disconnect event follows
            return
        self.backlog = None

    def _shutdown(self, code: int, *, flush: bool = False) -> None:
        """Closes the socket with `code`: after its backlog when `flush`, else at once,
        dropping the backlog (a socket that reads too slowly must not hold memory)."""
        if self.closing:
            return
        self.closing = True
        if flush and self.backlog is not None:
            self.backlog.append(code)
            return
        if self.writer is not None:
            self.writer.cancel()
        self.backlog = None
        asyncio.ensure_future(self._close_now(code))

    async def _close_now(self, code: int) -> None:
        self.closing = True
        metrics.WS_CLOSES.labels(code=str(code)).inc()
        await self._detach()
        try:
            # Waits while the peer reads nothing; the server's keepalive ends such a
            # connection, and the hub no longer feeds it meanwhile.
            await self.base_send({"type": "websocket.close", "code": code})
        except Exception:  # the peer is already gone
            pass

    async def _detach(self) -> None:
        """Gives back everything the socket took, however far its connect went: its
        groups in the hub, its place among her sockets, her presence."""
        if self.counted_open:
            self.counted_open = False
            metrics.WS_OPEN.dec()
        if self.attached:
            self.attached = False
            await self.hub.detach(self, self.neighbourhood_ids, list(self.rooms))
        entry, self.presence_entry = self.presence_entry, None
        if entry is None:
            return
        try:
            went_offline = await self.hub.presence.disconnect(entry)
        except Exception:  # its process's entries are reaped or expire; the socket is gone either way
            logger.warning("could not update presence", exc_info=True)
            return
        if went_offline:
            await services.presence_publish(changes=[(self.user_id, self.neighbourhood_ids, False)])

    async def disconnect(self, code: int) -> None:
        if self.writer is not None:
            self.writer.cancel()
        await self._detach()

    def on_idle(self) -> None:
        self._shutdown(CloseCode.IDLE_TIMEOUT)

    def on_control(self, control: dict[str, Any]) -> None:
        if self.before_hello is not None:
            self.controls_before_hello.append(control)
            return
        asyncio.create_task(self._apply_control(control))

    async def _apply_control(self, control: dict[str, Any]) -> None:
        kind = control["kind"]
        if kind == "access.revoked":
            neighbourhood_id = control["neighbourhood_id"]
            access = await database_sync_to_async(neighbourhood_access)(user=self.user, neighbourhood_id=neighbourhood_id)
            if access.can_read:
                return
            for room_id, room in list(self.rooms.items()):
                if room.neighbourhood_id == neighbourhood_id:
                    self._leave_room(room_id)
                    self._send_frame({"type": "room.left", "room_id": room_id, "reason": "membership_revoked"})
            if neighbourhood_id in self.neighbourhood_ids:
                self.neighbourhood_ids.remove(neighbourhood_id)
                await self.hub.leave_neighbourhood(self, neighbourhood_id)
        elif (kind == "token.revoked" and control["token_id"] == self.token_id) or (
            kind == "session.ended" and self.session_key and control["session_key"] == self.session_key
        ):
            reason = "token_revoked" if kind == "token.revoked" else "logged_out"
            self._send_frame({"type": "session.ended", "reason": reason})
            self._shutdown(CloseCode.UNAUTHENTICATED, flush=True)
        elif kind == "account.erased":  # every socket of hers, on every process (backend.accounts.services.user_erase)
            self._send_frame({"type": "session.ended", "reason": "account_erased"})
            self._shutdown(CloseCode.ACCOUNT_ERASED, flush=True)

    def _leave_room(self, room_id: int) -> None:
        self.hub.unsubscribe(self, room_id, got_live=room_id not in self.catching_up)
        self.rooms.pop(room_id, None)
        self.catching_up.pop(room_id, None)
        if self.presence_entry is not None and room_id in self.presence_entry.room_ids:
            entry = self.presence_entry
            self.presence_entry = replace(entry, room_ids=entry.room_ids - {room_id})
            asyncio.ensure_future(self.hub.presence.unwatch(entry, room_id)).add_done_callback(_ignore_failure)

    # Incoming frames.

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        self.last_received = time.monotonic()
        if self.closing:
            return
        try:
            if text_data is None:
                raise FrameError("invalid_frame", detail="frames are JSON text, not binary")
            frame = parse_client_frame(text_data)
        except FrameError as exc:
            self._send_error(exc.code, ref=exc.ref, detail=exc.detail)
            return
        try:
            handler = self.FRAMES.get(frame["type"])
            if handler is not None:
                await handler(self, frame)
            else:
                await self._on_registered(frame)
        except VoisinsError as exc:
            self._send_error(exc.code, ref=frame.get("ref"), **exc.params)

    def _reply(self, frame: dict[str, Any], answer: dict[str, Any]) -> None:
        """Sends the answer to `frame`, echoing its ref when it has one."""
        if "ref" in frame:
            answer = {**answer, "ref": frame["ref"]}
        self._send_frame(answer)

    async def _on_registered(self, frame: dict[str, Any]) -> None:
        """A frame another app handles (backend.chat.handlers)."""
        handler = handlers.handler_for(frame["type"])
        if handler is None:  # in the contract, but its app is not installed
            self._send_error("unknown_type", ref=frame.get("ref"), detail=f"type {frame['type']!r}")
            return
        answer = await database_sync_to_async(handler)(self.user, frame)
        if answer.follow is not None:
            await self._follow(answer.follow)
        self._reply(frame, answer.frame)

    async def _follow(self, follow: handlers.Follow) -> None:
        if follow.neighbourhood_id not in self.neighbourhood_ids:  # staff, anywhere
            self.neighbourhood_ids.append(follow.neighbourhood_id)
            await self.hub.join_neighbourhood(self, follow.neighbourhood_id)
        for room in follow.rooms:
            if room.pk not in self.rooms:
                self.rooms[room.pk] = room
                self.hub.subscribe(self, room.pk)

    async def on_subscribe(self, frame: dict[str, Any]) -> None:
        room = await database_sync_to_async(selectors.room_for_reader)(user=self.user, room_id=frame["room_id"])
        # Live frames of the room wait while the catch-up is read, then follow it.
        self.catching_up[room.pk] = []
        self.rooms[room.pk] = room
        self.hub.subscribe(self, room.pk)
        # Watching the room: the push worker does not push what she sees live.
        try:
            if self.presence_entry is not None:  # None once the socket closes
                self.presence_entry = replace(self.presence_entry, room_ids=self.presence_entry.room_ids | {room.pk})
                await self.hub.presence.watch(self.presence_entry, room.pk)
        except Exception:  # Redis is away: she may get a push she did not need, nothing worse
            logger.warning("could not note a room subscription in presence", exc_info=True)
        try:
            seq, messages, gap = await database_sync_to_async(_catch_up)(self.user, room, frame.get("last_seq"))
        except Exception:
            self._leave_room(room.pk)
            raise
        self._reply(frame, {"type": "subscribed", "room_id": room.pk, "seq": seq, "messages": messages, "gap": gap})
        for text in self.catching_up.pop(room.pk, []):
            self.deliver(text)

    async def on_unsubscribe(self, frame: dict[str, Any]) -> None:
        # Idempotent: a room she does not follow (or cannot read) is already left.
        self._leave_room(frame["room_id"])
        self._reply(frame, {"type": "unsubscribed", "room_id": frame["room_id"]})

    async def on_message_send(self, frame: dict[str, Any]) -> None:
        # Stored by the process outbox, together with what other sockets sent meanwhile.
        if self.sends_waiting >= SENDS_WAITING_LIMIT:
            raise VoisinsError("rate_limited", retry_after=1)
        self.sends_waiting += 1
        request = services.PostRequest(
            author=self.user,
            room_id=frame["room_id"],
            text=frame["text"],
            client_id=frame["ref"],
            reply_to_id=frame.get("reply_to"),
            mentions=tuple(frame.get("mentions") or ()),
            image_ids=tuple(frame.get("images") or ()),
        )
        self.hub.outbox.add(self, frame, request)

    def on_posted(self, frame: dict[str, Any], result: services.Ack | VoisinsError) -> None:
        self.sends_waiting -= 1
        if isinstance(result, VoisinsError):
            self._send_error(result.code, ref=frame["ref"], **result.params)
        else:
            self._send_frame(result.frame(frame["ref"]))

    async def on_message_edit(self, frame: dict[str, Any]) -> None:
        ack = await database_sync_to_async(services.message_edit)(
            actor=self.user, message_id=frame["message_id"], text=frame["text"]
        )
        self._send_frame(ack.frame(frame["ref"]))

    async def on_message_delete(self, frame: dict[str, Any]) -> None:
        ack = await database_sync_to_async(services.message_delete)(actor=self.user, message_id=frame["message_id"])
        self._send_frame(ack.frame(frame["ref"]))

    async def _react(self, frame: dict[str, Any], *, present: bool) -> None:
        ack = await database_sync_to_async(services.reaction_set)(
            actor=self.user, message_id=frame["message_id"], emoji=frame["emoji"], present=present
        )
        self._send_frame(ack.frame(frame["ref"]))

    async def on_reaction_add(self, frame: dict[str, Any]) -> None:
        await self._react(frame, present=True)

    async def on_reaction_remove(self, frame: dict[str, Any]) -> None:
        await self._react(frame, present=False)

    async def on_typing(self, frame: dict[str, Any]) -> None:
        room = self.rooms.get(frame["room_id"])
        if room is None:
            raise VoisinsError("not_subscribed")
        now = time.monotonic()
        if not domain.typing_due(last_sent=self.typing_sent.get(room.pk), now=now):
            return
        self.typing_sent[room.pk] = now
        await services.typing_publish(user_id=self.user_id, display_name=self.user.display_name, room=room)

    async def on_read(self, frame: dict[str, Any]) -> None:
        # Her other sockets hear it through the hub; this one gets the answer.
        answer = await database_sync_to_async(services.read_mark)(
            user=self.user, room_id=frame["room_id"], seq=frame["seq"], origin=self.socket_id
        )
        self._reply(frame, answer)

    async def on_ping(self, frame: dict[str, Any]) -> None:
        self._reply(frame, {"type": "pong"})

    # Chat's own client frames; the others are registered by their apps (handlers).
    FRAMES = {
        "subscribe": on_subscribe,
        "unsubscribe": on_unsubscribe,
        "message.send": on_message_send,
        "message.edit": on_message_edit,
        "message.delete": on_message_delete,
        "reaction.add": on_reaction_add,
        "reaction.remove": on_reaction_remove,
        "typing": on_typing,
        "read": on_read,
        "ping": on_ping,
    }

