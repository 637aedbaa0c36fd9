"""One hub per server process (per event loop): the only reader of the channel layer.

Sockets do not get a channel-layer channel each. The hub owns one channel, joins the
group of every neighbourhood and user that has a local socket, and hands each event's
already-encoded frame to the local sockets that should see it: no database call, no
thread hop and no encoding per recipient. A socket's `deliver` never waits: it sends
at once while the peer keeps up, else adds the frame to that socket's bounded backlog,
so one slow reader cannot stall the room."""

import asyncio
import ctypes
import logging
import time
import uuid
import weakref
from collections import defaultdict
from typing import Any, Protocol

import redis.asyncio as aioredis
from channels.layers import get_channel_layer
from django.conf import settings

from backend.chat import presence as presence_module
from backend.chat import services
from backend.chat.arrivals import Arrivals
from backend.chat.outbox import Outbox
from backend.chat.presence import SocketEntry, presence_store
from backend.chat.protocol import encode as encode_frame
from backend.common import events, metrics
from backend.common.events import neighbourhood_group, user_group

logger = logging.getLogger(__name__)

# Sockets a flush of gathered presence and activity serves per turn of the loop.
FLUSH_SLICE = 100


class LocalSocket(Protocol):
    user_id: int
    socket_id: str
    # None until the socket counts in presence (it joins the hub before).
    presence_entry: SocketEntry | None
    last_received: float

    def deliver(self, text: str, room_id: int | None = None) -> None: ...

    def deliver_all(self, texts: list[str], room_id: int) -> None: ...

    def on_control(self, control: dict[str, Any]) -> None: ...

    def on_idle(self) -> None: ...


class Hub:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        # This process in presence: its sockets' entries carry it, so that they leave
        # with it if it dies (backend/chat/presence.py).
        self.process_id = uuid.uuid4().hex[:16]
        self.redis = _redis_client()
        self.presence = presence_store(self.redis)
        self.channel: str | None = None
        self.by_user: dict[int, set[LocalSocket]] = defaultdict(set)
        self.by_neighbourhood: dict[int, set[LocalSocket]] = defaultdict(set)
        self.by_room: dict[int, set[LocalSocket]] = defaultdict(set)
        self.outbox = Outbox()
        self.arrivals = Arrivals()
        # room id -> messages posted since the last rooms.activity flush
        self.activity: dict[int, dict[str, Any]] = {}
        # room id -> seq of the last message delivered live here, for rooms with subscribers
        self.posted_live: dict[int, int] = {}
        # socket -> {room id: seq of the last message it got live} for rooms it left:
        # rooms.activity leaves those messages out (its unread counts have them). Kept
        # until a flush of that room holds only later messages, or the socket goes.
        self.left_rooms: dict[LocalSocket, dict[int, int]] = {}
        # neighbourhood id -> {user id: online} since the last presence.changed flush
        self.presence_changes: dict[int, dict[int, bool]] = {}
        self.flush_pending = False
        # Probes this process sends itself through the layer, in order: one that never
        # comes back while a later one does, a probe that could not be sent, or the
        # layer's subscriber connection coming back after it broke, all mean that live
        # frames published meanwhile never reached this process (a slow probe does not).
        self.probes_sent = 0
        self.probe_seen = 0
        self.layer_lost = False
        self._start_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []
        # Sockets attached since the sweep last gave freed memory back to the system.
        self.attached_since_trim = 0

    async def _start(self) -> None:
        async with self._start_lock:
            if self.channel is None:
                events.serve_from(asyncio.get_running_loop())
                self.channel = await self.layer.new_channel("hub.")
                self._watch_subscriber()
                self._tasks = [
                    asyncio.create_task(self._read()),
                    asyncio.create_task(self._sweep()),
                    asyncio.create_task(self._probe()),
                ]
                if self.redis is not None:
                    # Registered before the first socket counts in presence.
                    await self.presence.beat(self.process_id)
                    self._tasks.append(asyncio.create_task(self._liveness()))

    async def attach(self, socket: LocalSocket) -> None:
        """The socket hears what is said to its user from now on."""
        await self._start()
        self.attached_since_trim += 1
        await self._join(self.by_user, socket.user_id, user_group(socket.user_id), socket)

    async def presence_connect(self, entry: SocketEntry) -> int | None:
        """Counts the socket in presence unless its user has CHAT_MAX_SOCKETS_PER_USER
        sockets already (None); returns how many she had."""
        return await self.presence.connect(entry, limit=settings.CHAT_MAX_SOCKETS_PER_USER)

    async def detach(self, socket: LocalSocket, neighbourhood_ids: list[int], room_ids: list[int]) -> None:
        for room_id in room_ids:
            self.unsubscribe(socket, room_id)
        self.left_rooms.pop(socket, None)
        for neighbourhood_id in neighbourhood_ids:
            await self.leave_neighbourhood(socket, neighbourhood_id)
        await self._leave(self.by_user, socket.user_id, user_group(socket.user_id), socket)

    async def join_neighbourhood(self, socket: LocalSocket, neighbourhood_id: int) -> None:
        await self._join(self.by_neighbourhood, neighbourhood_id, neighbourhood_group(neighbourhood_id), socket)

    async def leave_neighbourhood(self, socket: LocalSocket, neighbourhood_id: int) -> None:
        await self._leave(self.by_neighbourhood, neighbourhood_id, neighbourhood_group(neighbourhood_id), socket)

    def subscribe(self, socket: LocalSocket, room_id: int) -> None:
        # Room frames travel on the neighbourhood's group, which the hub already joined.
        self.by_room[room_id].add(socket)

    def unsubscribe(self, socket: LocalSocket, room_id: int, *, got_live: bool = True) -> None:
        """`got_live` False: the room's live frames did not reach the socket (it left
        while they waited for its catch-up), so rooms.activity tells it of them."""
        sockets = self.by_room.get(room_id)
        if sockets is not None and socket in sockets:
            if got_live and room_id in self.posted_live:
                self.left_rooms.setdefault(socket, {})[room_id] = self.posted_live[room_id]
            sockets.discard(socket)
            if not sockets:
                del self.by_room[room_id]
                self.posted_live.pop(room_id, None)

    async def _join(self, index: dict, key: int, group: str, socket: LocalSocket) -> None:
        first = not index[key]
        index[key].add(socket)
        if first:
            await self.layer.group_add(group, self.channel)

    async def _leave(self, index: dict, key: int, group: str, socket: LocalSocket) -> None:
        sockets = index.get(key)
        if sockets is None or socket not in sockets:
            return
        sockets.discard(socket)
        if not sockets:
            del index[key]
            await self.layer.group_discard(group, self.channel)

    async def _read(self) -> None:
        while True:
            event = await self.layer.receive(self.channel)
            try:
                self.dispatch(event)
            except Exception:
                logger.exception("hub could not dispatch an event")

    def dispatch(self, event: dict[str, Any]) -> None:
        kind, _, key = event["group"].partition(".")
        key = int(key)
        if kind == "probe":
            self._probe_returned(event["probe"])
            return
        if kind == "user":
            sockets = tuple(self.by_user.get(key, ()))
            if "control" in event:
                for socket in sockets:
                    socket.on_control(event["control"])
            else:
                text = event["frame"].decode()
                # A frame that answered one of her sockets goes to her others only.
                origin = event.get("except_socket")
                for socket in sockets:
                    if origin is None or socket.socket_id != origin:
                        socket.deliver(text)
                metrics.WS_FRAMES_DELIVERED.inc(len(sockets))
            return
        room_id = event.get("room_id")
        neighbours = self.by_neighbourhood.get(key, ())
        if room_id is None:
            if "presence" in event:
                self.presence_changes.setdefault(key, {}).update(event["presence"])
                self._flush_soon()
                return
            text = event["frame"].decode()
            neighbours = tuple(neighbours)
            for socket in neighbours:
                socket.deliver(text)
            metrics.WS_FRAMES_DELIVERED.inc(len(neighbours))
            return
        audience = event.get("audience")
        subscribers = self.by_room.get(room_id, set())
        readers = [s for s in subscribers if audience is None or s.user_id in audience]
        sender = event.get("except_user")  # typing: not back to the typer's own sockets
        if sender is not None:
            readers = [s for s in readers if s.user_id != sender]
        # One list for all the readers: a socket writing it to the wire in one piece
        # builds those bytes once for all (backend/chat/wire.py).
        texts = [frame.decode() for frame in event["frames"]]
        for socket in readers:
            socket.deliver_all(texts, room_id)
        metrics.WS_FRAMES_DELIVERED.inc(len(readers) * len(event["frames"]))
        if event["activities"]:
            if subscribers:
                self.posted_live[room_id] = max(self.posted_live.get(room_id, 0), event["activities"][-1][0])
            gathered = self.activity.get(room_id)
            if gathered is None:
                gathered = self.activity[room_id] = {"neighbourhood": key, "audience": audience, "seq": 0, "posted": []}
                self._flush_soon()
            for seq, author_id in event["activities"]:
                gathered["seq"] = max(gathered["seq"], seq)
                gathered["posted"].append((seq, author_id))

    def _flush_soon(self) -> None:
        if not self.flush_pending:
            self.flush_pending = True
            asyncio.get_running_loop().call_later(settings.CHAT_ACTIVITY_SECONDS, self._flush_gathered)

    def _flush_gathered(self) -> None:
        """Sends what the interval gathered: one presence.changed frame per neighbourhood
        that had arrivals or departures, and one rooms.activity frame per socket listing
        the rooms of its neighbourhoods with new messages that it does not follow live
        (so busy rooms cost each other socket one frame per interval, not one per room
        nor per message, and a reconnect storm a few frames per socket, not n²).

        The sockets are served FLUSH_SLICE at a time, spread over the first half of the
        next interval: written in one go, a neighbourhood of thousands of sockets
        stalled the loop, and every room's messages queued behind that burst, each
        interval (with 2,000 sockets, the loop's worst stall each second 23-83 ms, 7.5-29
        ms spread: docs/performance.md)."""
        self.flush_pending = False
        presence, self.presence_changes = self.presence_changes, {}
        activity, self.activity = self.activity, {}
        flush = _Flush(
            presence={
                neighbourhood_id: encode_frame({
                    "type": "presence.changed", "neighbourhood_id": neighbourhood_id,
                    "online": sorted(user_id for user_id, online in changes.items() if online),
                    "offline": sorted(user_id for user_id, online in changes.items() if not online),
                })
                for neighbourhood_id, changes in presence.items()
            },
            activity=activity,
        )
        for room_id, room in activity.items():
            flush.active_rooms[room["neighbourhood"]].append(room_id)
        targets: dict[LocalSocket, list[int]] = defaultdict(list)
        for neighbourhood_id in flush.presence.keys() | flush.active_rooms.keys():
            for socket in self.by_neighbourhood.get(neighbourhood_id, ()):
                targets[socket].append(neighbourhood_id)
        pending = list(targets.items())
        if not pending:
            return
        slices = range(0, len(pending), FLUSH_SLICE)
        step = settings.CHAT_ACTIVITY_SECONDS / 2 / len(slices)
        loop = asyncio.get_running_loop()
        for number, start in enumerate(slices):
            part = pending[start:start + FLUSH_SLICE]
            if number == 0:
                self._deliver_gathered(flush, part)
            else:
                loop.call_later(number * step, self._deliver_gathered, flush, part)

    def _deliver_gathered(self, flush: "_Flush", part: list[tuple[LocalSocket, list[int]]]) -> None:
        """A slice of a flush, checked against the hub as it is now: a socket that left a
        neighbourhood meanwhile (a ban) hears nothing more of it, a room it has
        subscribed to meanwhile is no longer news, and of a room it has left meanwhile
        only the messages it did not get live are."""
        delivered = 0
        for socket, neighbourhood_ids in part:
            rooms: list[int] = []
            left = self.left_rooms.get(socket)
            if left:
                self._forget_passed(socket, left, flush)
            for neighbourhood_id in neighbourhood_ids:
                if socket not in self.by_neighbourhood.get(neighbourhood_id, ()):
                    continue
                text = flush.presence.get(neighbourhood_id)
                if text is not None:
                    socket.deliver(text)
                    delivered += 1
                for room_id in flush.active_rooms.get(neighbourhood_id, ()):
                    audience = flush.activity[room_id]["audience"]
                    if socket not in self.by_room.get(room_id, ()) and (audience is None or socket.user_id in audience):
                        rooms.append(room_id)
            if rooms:
                text = flush.activity_text(tuple(rooms), left)
                if text is not None:
                    socket.deliver(text)
                    delivered += 1
        metrics.WS_FRAMES_DELIVERED.inc(delivered)

    def _forget_passed(self, socket: LocalSocket, left: dict[int, int], flush: "_Flush") -> None:
        """Drops what the socket got live in rooms whose gathered messages all came
        after: from then on the socket shares the frame encoded once for all."""
        for room_id, seq in list(left.items()):
            if room_id in flush.activity and flush.first_seq(room_id) > seq:
                del left[room_id]
        if not left:
            del self.left_rooms[socket]

    async def close(self) -> None:
        """Stops the hub's tasks (a server process ends, or a test's event loop)."""
        await _cancel_and_wait(self._tasks)
        self._tasks = []
        await self.outbox.close()
        await self.arrivals.close()
        if self.channel is not None:
            await self.layer.flush()
            if self.redis is not None:
                try:
                    await self.presence.leave(self.process_id)
                except Exception:  # Redis is away: the others reap this process
                    logger.warning("could not leave presence", exc_info=True)
            self.channel = None
        await self.presence.close()
        if self.redis is not None:
            await self.redis.aclose()

    def sockets(self) -> list[LocalSocket]:
        return [socket for sockets in self.by_user.values() for socket in sockets]

    async def _sweep(self) -> None:
        """Closes idle sockets and keeps this process's sockets alive in presence."""
        refreshed = time.monotonic()
        while True:
            await asyncio.sleep(settings.CHAT_SWEEP_SECONDS)
            try:
                now = time.monotonic()
                local = self.sockets()
                for socket in local:
                    if now - socket.last_received > settings.CHAT_IDLE_TIMEOUT_SECONDS:
                        socket.on_idle()
                if now - refreshed > settings.CHAT_PRESENCE_TTL_SECONDS / 3:
                    await self.presence.refresh(self._entries(local))
                    refreshed = now
                if self.attached_since_trim:
                    self.attached_since_trim = 0
                    # Off the loop: the C call releases the GIL while it walks the heap.
                    await asyncio.get_running_loop().run_in_executor(None, _release_freed_memory)
            except Exception:
                _raise_if_cancelling()
                logger.exception("hub sweep failed")

    @staticmethod
    def _entries(sockets: list[LocalSocket]) -> list[SocketEntry]:
        return [socket.presence_entry for socket in sockets if socket.presence_entry is not None]

    async def _liveness(self) -> None:
        """Keeps this process alive in presence and reaps the processes that died: their
        sockets stop counting and their users' neighbours hear them go offline."""
        silent_since: dict[str, float] = {}
        while True:
            await asyncio.sleep(presence_module.BEAT_SECONDS)
            try:
                if await self.presence.beat(self.process_id):
                    await self._register_again()
                others = await self.presence.processes() - {self.process_id}
                now = time.monotonic()
                for process_id, (beating, subscribed) in (await self.presence.processes_alive(list(others))).items():
                    if beating and subscribed:
                        silent_since.pop(process_id, None)
                        continue
                    since = silent_since.setdefault(process_id, now)
                    if beating and now - since < presence_module.DEAD_AFTER_SECONDS:
                        continue
                    silent_since.pop(process_id, None)
                    offline = await self.presence.reap(process_id)
                    if offline is None:  # another process reaped it
                        continue
                    logger.warning("web process %s is gone: %d of its users went offline", process_id, len(offline))
                    await services.presence_publish(
                        changes=[(user_id, neighbourhood_ids, False) for user_id, neighbourhood_ids in offline]
                    )
            except Exception:
                _raise_if_cancelling()
                logger.exception("presence liveness failed")

    async def _register_again(self) -> None:
        """This process was taken for dead (or Redis lost its data): its sockets count
        again, and its users are online again."""
        entries = self._entries(self.sockets())
        logger.warning("this process was missing from presence: registering its %d sockets again", len(entries))
        await self.presence.refresh(entries)
        users = {entry.user_id: entry.neighbourhood_ids for entry in entries}
        await services.presence_publish(
            changes=[(user_id, neighbourhood_ids, True) for user_id, neighbourhood_ids in users.items()]
        )

    async def _probe(self) -> None:
        while True:
            await asyncio.sleep(settings.CHAT_LAYER_PROBE_SECONDS)
            self.probes_sent += 1
            try:
                # No timeout: a send that waits (a busy loop, a contended connection) is
                # late, not lost; the probes after it wait for it and arrive in order.
                await self.layer.send(
                    self.channel, {"type": events.EVENT_TYPE, "group": "probe.0", "probe": self.probes_sent}
                )
            except Exception:
                _raise_if_cancelling()
                # Redis refused it: whatever anyone published meanwhile is gone too.
                if not self.layer_lost:
                    logger.warning("the channel layer is unreachable: sockets will resync once it is back")
                self.layer_lost = True

    def _probe_returned(self, probe: int) -> None:
        missed = probe > self.probe_seen + 1
        self.probe_seen = max(self.probe_seen, probe)
        if self.layer_lost or missed:
            self.layer_lost = False
            # Frames published while the layer was away never reached this process:
            # each socket catches up from its cursors.
            resync = encode_frame({"type": "resync", "reason": "live_frames_lost"})
            sockets = self.sockets()
            for socket in sockets:
                socket.deliver(resync)
            metrics.WS_RESYNCS.inc(len(sockets))

    def _watch_subscriber(self) -> None:
        """Hears when the layer's subscriber connection to Redis comes back after it
        broke (channels_redis's pub/sub layer re-subscribes on the same connection):
        frames published in between are lost. A layer without one relies on the probes."""
        for shard in getattr(self.layer, "_shards", ()):
            connection = getattr(getattr(shard, "_pubsub", None), "connection", None)
            if connection is not None and hasattr(connection, "register_connect_callback"):
                connection.register_connect_callback(self._subscriber_reconnected)

    def _subscriber_reconnected(self, connection: Any) -> None:
        if not self.layer_lost:
            logger.warning("the channel layer's subscriber reconnected: sockets will resync")
        self.layer_lost = True


class _Flush:
    """What one interval gathered, as its slices read it."""

    def __init__(self, presence: dict[int, str], activity: dict[int, dict[str, Any]]) -> None:
        self.presence = presence  # neighbourhood id -> its presence.changed text
        self.activity = activity  # room id -> what was posted (Hub.activity)
        self.active_rooms: dict[int, list[int]] = defaultdict(list)  # neighbourhood id -> room ids
        # Sockets that hear of the same rooms get the same text, encoded once.
        self._texts: dict[tuple[int, ...], str] = {}
        self._first_seqs: dict[int, int] = {}

    def first_seq(self, room_id: int) -> int:
        """The lowest seq of the room's gathered messages (asked once per socket that left it)."""
        first = self._first_seqs.get(room_id)
        if first is None:
            first = self._first_seqs[room_id] = min(seq for seq, _ in self.activity[room_id]["posted"])
        return first

    def activity_text(self, room_ids: tuple[int, ...], left: dict[int, int] | None = None) -> str | None:
        """The rooms.activity frame of these rooms, but for the messages up to left[room
        id], which the socket got live before it left that room; None if nothing is left."""
        if left and any(room_id in left for room_id in room_ids):
            return self._encode([
                (room_id, [author_id for seq, author_id in self.activity[room_id]["posted"] if seq > left.get(room_id, 0)])
                for room_id in room_ids
            ])
        text = self._texts.get(room_ids)
        if text is None:
            text = self._texts[room_ids] = self._encode([
                (room_id, [author_id for _, author_id in self.activity[room_id]["posted"]]) for room_id in room_ids
            ])
        return text

    def _encode(self, rooms: list[tuple[int, list[int]]]) -> str | None:
        listed = [
            {"room_id": room_id, "seq": self.activity[room_id]["seq"], "author_ids": author_ids}
            for room_id, author_ids in rooms
            if author_ids
        ]
        return encode_frame({"type": "rooms.activity", "rooms": listed}) if listed else None


def _raise_if_cancelling() -> None:
    """In a loop's `except Exception`: a cancellation that a library turned into another
    error on its way out (redis-py reconnecting after Redis dropped a connection) still
    ends the task, instead of being taken for one more failure to shrug off."""
    if asyncio.current_task().cancelling():
        raise asyncio.CancelledError


async def _cancel_and_wait(tasks: list[asyncio.Task]) -> None:
    """Cancels the tasks, again every second, until each has ended. Once, in CI, the probe
    was cancelled inside the layer's publish while Redis's pub/sub connections had just
    been dropped, went on probing, and close() waited on it forever; cancelled again, a
    task stops at its next await. If close() is cancelled itself, the tasks are too."""
    pending = set(tasks)
    rounds = 0
    try:
        while pending:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=1)
            rounds += 1
            if pending and rounds == 5:
                for task in pending:
                    logger.warning("hub task still running after 5 cancellations: %r", task.get_stack())
    except asyncio.CancelledError:
        for task in pending:
            task.cancel()
        raise
    # Read how each ended, so that none is reported as an exception never retrieved.
    await asyncio.gather(*tasks, return_exceptions=True)


def _libc_malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to call
        return None


_malloc_trim = _libc_malloc_trim()


def _release_freed_memory() -> None:
    """Opening a socket reads the database and builds its hello: short-lived objects that
    leave free pages scattered through the C heap, which glibc keeps. After sockets
    opened, the sweep hands those pages back, so that the process's memory is what its
    open sockets hold (bench/realtime.py --idle; docs/performance.md)."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def _redis_client() -> aioredis.Redis | None:
    if not settings.REDIS_URL:
        return None
    # Thousands of sockets may connect at once: they wait for one of a few connections
    # rather than each opening its own.
    pool = aioredis.BlockingConnectionPool.from_url(settings.REDIS_URL, max_connections=32, timeout=20)
    return aioredis.Redis(connection_pool=pool)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def current_hub() -> Hub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub
