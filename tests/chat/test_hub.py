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
