"""The process hub says `resync` when live frames were really lost (the layer's
connection to Redis broke, or a probe never came back while a later one did), and never
because it was slow."""

import asyncio
import time

import pytest
import redis.asyncio as aioredis

from backend.chat.hub import Hub


class FakeSocket:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.socket_id = f"fake-{user_id}"
        self.presence_entry = None
        self.last_received = time.monotonic() + 3600
        self.frames: list[str] = []

    def deliver(self, text: str, room_id: int | None = None) -> None:
        self.frames.append(text)

    def deliver_all(self, texts: list[str], room_id: int) -> None:
        self.frames.extend(texts)

    def on_control(self, control: dict) -> None:
        pass

    def on_idle(self) -> None:
        pass

    def resyncs(self) -> int:
        return sum('"resync"' in frame for frame in self.frames)


@pytest.fixture
async def hub(settings):
    settings.CHAT_LAYER_PROBE_SECONDS = 0.2
    hub = Hub()
    socket = FakeSocket(1)
    await hub.attach(socket)
    hub.test_socket = socket
    yield hub
    await hub.close()


async def test_probes_that_come_back_late_but_in_order_change_nothing(hub):
    hub._probe_returned(hub.probe_seen + 1)
    hub._probe_returned(hub.probe_seen + 1)
    assert hub.test_socket.resyncs() == 0


async def test_a_probe_that_never_came_back_while_a_later_one_did_means_frames_were_lost(hub):
    hub._probe_returned(hub.probe_seen + 2)
    assert hub.test_socket.resyncs() == 1
    hub._probe_returned(hub.probe_seen + 1)
    assert hub.test_socket.resyncs() == 1  # once


async def test_a_slow_probe_under_load_is_no_reason_to_resync(hub, monkeypatch):
    layer_send = hub.layer.send

    async def slow_send(channel, message):
        await asyncio.sleep(0.5)  # longer than the interval between probes
        await layer_send(channel, message)

    monkeypatch.setattr(hub.layer, "send", slow_send)
    await asyncio.sleep(0.5)
    time.sleep(1.0)  # and the loop itself does nothing else for a second
    await asyncio.sleep(2.0)
    assert hub.probe_seen >= 3
    assert hub.test_socket.resyncs() == 0


async def test_when_the_layer_s_connection_to_redis_breaks_sockets_resync(hub, settings):
    await asyncio.sleep(0.5)
    assert hub.test_socket.resyncs() == 0
    admin = aioredis.Redis.from_url(settings.REDIS_URL)
    try:
        await admin.client_kill_filter(_type="pubsub")  # the layer's subscriber connection ends
    finally:
        await admin.aclose()
    deadline = time.monotonic() + 8
    while hub.test_socket.resyncs() == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert hub.test_socket.resyncs() == 1


async def test_the_subscriber_coming_back_is_enough_to_resync(hub):
    hub._subscriber_reconnected(None)
    hub._probe_returned(hub.probe_seen + 1)
    assert hub.test_socket.resyncs() == 1


@pytest.mark.parametrize("outcome", ["swallowed", "turned_into_an_error"])
async def test_closing_ends_a_task_whose_cancellation_a_library_mishandled(settings, monkeypatch, outcome):
    # After Redis dropped the layer's connections, a cancellation landing inside a
    # publish once did not end the probe: it went on probing and close() waited forever.
    settings.CHAT_LAYER_PROBE_SECONDS = 0.2
    hub = Hub()
    await hub.attach(FakeSocket(1))
    layer_send = hub.layer.send
    inside_a_send = asyncio.Event()
    mishandled = []

    async def send_that_mishandles_one_cancellation(channel, message):
        inside_a_send.set()
        try:
            await asyncio.sleep(0.5)
        except asyncio.CancelledError:
            if mishandled:
                raise
            mishandled.append(outcome)
            if outcome == "turned_into_an_error":
                raise ConnectionError("Connection closed by server.") from None
            return
        await layer_send(channel, message)

    monkeypatch.setattr(hub.layer, "send", send_that_mishandles_one_cancellation)
    await asyncio.wait_for(inside_a_send.wait(), timeout=10)
    await asyncio.wait_for(hub.close(), timeout=10)
    assert mishandled == [outcome]  # the case happened, and close() still ended
    assert not hub.layer_lost  # a cancellation is not an unreachable layer


async def test_a_flush_reaches_a_large_neighbourhood_in_slices_checked_as_they_go(hub, settings, monkeypatch):
    """Gathered activity goes out FLUSH_SLICE sockets at a time over the first half of
    the next interval, not in one burst; a socket that left the neighbourhood (a ban)
    before its slice hears nothing, one that subscribed to the room meanwhile is not
    told of it."""
    from backend.chat.hub import FLUSH_SLICE

    # Slices a third of a second apart: this test's polling acts between the first two.
    settings.CHAT_ACTIVITY_SECONDS = 2
    loop = asyncio.get_running_loop()
    scheduled = []
    call_later = loop.call_later

    def recording(delay, callback, *args):
        scheduled.append((getattr(callback, "__name__", ""), delay))
        return call_later(delay, callback, *args)

    monkeypatch.setattr(loop, "call_later", recording)
    sockets = [FakeSocket(100 + index) for index in range(2 * FLUSH_SLICE + 50)]
    arrived: dict[FakeSocket, float] = {}
    for socket in sockets:
        socket.deliver = lambda text, room_id=None, socket=socket: (socket.frames.append(text),
                                                                    arrived.setdefault(socket, loop.time()))
        hub.by_neighbourhood[7].add(socket)
    hub.dispatch({"group": "neighbourhood.7", "room_id": 70, "frames": [], "activities": [[3, 5]], "audience": None})

    async def until(condition) -> None:
        for _ in range(500):
            if condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("never happened")

    await until(lambda: arrived)
    assert len(arrived) == FLUSH_SLICE  # the first slice, in one turn of the loop
    banned, subscriber = [socket for socket in sockets if socket not in arrived][:2]
    hub.by_neighbourhood[7].discard(banned)
    hub.by_room[70].add(subscriber)
    await until(lambda: len(arrived) == len(sockets) - 2)
    assert not banned.frames and not subscriber.frames
    assert {socket.frames[0] for socket in arrived} == {
        '{"type":"rooms.activity","rooms":[{"room_id":70,"seq":3,"author_ids":[5]}]}'
    }
    assert all(len(socket.frames) == 1 for socket in arrived)
    # Three slices: the first at once, the others a step apart (the first half of the
    # interval shared by the slices).
    step = settings.CHAT_ACTIVITY_SECONDS / 2 / 3
    assert [delay for name, delay in scheduled if name == "_deliver_gathered"] == [step, 2 * step]


async def test_what_a_socket_got_live_before_leaving_a_room_is_left_out_until_a_flush_passes_it(hub):
    """Leaving a room, a socket is told of that room's later messages only; once a flush
    holds only those, it shares the others' frame again. A socket that left while the
    room's frames waited for its catch-up (got_live False) is told of them all."""
    reader, catching_up, other = FakeSocket(11), FakeSocket(12), FakeSocket(13)
    for socket in (reader, catching_up, other):
        hub.by_neighbourhood[7].add(socket)
        hub.subscribe(socket, 70)
    hub.subscribe(other, 71)  # keeps room 70's bookkeeping alive once the others leave

    def posted(seq: int, author_id: int) -> None:
        hub.dispatch({"group": "neighbourhood.7", "room_id": 70, "frames": [], "activities": [[seq, author_id]],
                      "audience": None})

    posted(3, 5)
    hub.unsubscribe(reader, 70)
    hub.unsubscribe(catching_up, 70, got_live=False)
    posted(4, 6)
    hub._flush_gathered()
    assert reader.frames[-1] == '{"type":"rooms.activity","rooms":[{"room_id":70,"seq":4,"author_ids":[6]}]}'
    assert catching_up.frames[-1] == '{"type":"rooms.activity","rooms":[{"room_id":70,"seq":4,"author_ids":[5,6]}]}'
    assert hub.left_rooms == {reader: {70: 3}}

    posted(5, 5)
    hub._flush_gathered()
    assert reader.frames[-1] == catching_up.frames[-1] == (
        '{"type":"rooms.activity","rooms":[{"room_id":70,"seq":5,"author_ids":[5]}]}'
    )
    assert hub.left_rooms == {}
