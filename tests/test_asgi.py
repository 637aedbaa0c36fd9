"""The ASGI application served for real: uvicorn processes on real sockets, sharing the
test PostgreSQL and Redis, with a WebSocket client like an app's."""

import asyncio
import json
import socket
import time

import pytest
import websockets
from asgiref.sync import sync_to_async

from backend.chat import services
from backend.chat.models import Room
from tests.chat.contract import check_server_frame
from tests.conftest import make_membership, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("socket_cleanup")]


class Device:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.pending: list[dict] = []

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def expect(self, frame_type: str, timeout: float = 5) -> dict:
        for index, frame in enumerate(self.pending):
            if frame["type"] == frame_type:
                return self.pending.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            frame = check_server_frame(json.loads(await asyncio.wait_for(self.ws.recv(), deadline - time.monotonic())))
            if frame["type"] == frame_type:
                return frame
            self.pending.append(frame)

    async def presence_until(self, user_id: int, online: bool, timeout: float = 5) -> None:
        """Reads presence.changed frames until one says she is `online` (or offline)."""
        deadline = time.monotonic() + timeout
        while True:
            frame = await self.expect("presence.changed", timeout=max(0.1, deadline - time.monotonic()))
            if user_id in frame["online" if online else "offline"]:
                return


async def _device(url: str, user, **options) -> Device:
    ticket = await sync_to_async(services.ticket_issue)(user=user, token_id=None)
    ws = await websockets.connect(f"{url.replace('http', 'ws')}/ws/v1/?ticket={ticket}", **options)
    device = Device(ws)
    device.hello = await device.expect("hello")
    return device


@pytest.fixture
def neighbours(saint_malo):
    people = []
    for name in ["Alice", "Bruno", "Chloé"]:
        user = make_user(f"{name.lower()}@example.org", name=name)
        make_membership(user, saint_malo, state="verified")
        people.append(user)
    services.rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return people, Room.objects.get(neighbourhood=saint_malo, kind="default")


async def test_a_message_sent_through_one_process_reaches_a_socket_on_another_in_order(serve, neighbours):
    (alice, bruno, _), room = neighbours
    process_a, process_b = serve(), serve()
    sender, receiver = await _device(process_a, alice), await _device(process_b, bruno)
    await receiver.send({"type": "subscribe", "room_id": room.id})
    await receiver.expect("subscribed")
    for index in range(15):
        await sender.send({"type": "message.send", "ref": f"m{index}", "room_id": room.id, "text": f"n°{index}"})
        await sender.expect("ack")
    received = [await receiver.expect("message.new") for _ in range(15)]
    assert [frame["seq"] for frame in received] == list(range(1, 16))
    assert [frame["message"]["text"] for frame in received] == [f"n°{index}" for index in range(15)]
    await sender.ws.close()
    await receiver.ws.close()


async def test_presence_counts_sockets_on_every_process(serve, neighbours):
    (alice, bruno, chloe), _ = neighbours
    process_a, process_b = serve(), serve()
    watcher = await _device(process_a, chloe)
    on_a, on_b = await _device(process_a, alice), await _device(process_b, alice)
    await on_b.send({"type": "ping"})
    await on_b.expect("pong")
    observer = await _device(process_b, bruno)
    online = observer.hello["presence"][0]["online"]
    assert alice.id in online and chloe.id in online
    await on_a.ws.close()
    await asyncio.sleep(0.3)
    later = await _device(process_a, bruno)
    assert alice.id in later.hello["presence"][0]["online"]  # still there through process B
    await on_b.ws.close()
    await watcher.presence_until(alice.id, online=False)
    for device in (watcher, observer, later):
        await device.ws.close()


async def test_a_reader_that_stalls_is_closed_and_does_not_hold_up_the_room(serve, neighbours):
    (alice, bruno, chloe), room = neighbours
    url = serve(CHAT_SOCKET_QUEUE_SIZE=20, CHAT_WRITES_PER_WINDOW=100000)
    sender, healthy = await _device(url, alice), await _device(url, chloe)
    # The stalled device reads nothing: a tiny receive buffer and no recv() calls.
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", int(url.rsplit(":", 1)[1])))
    stalled = await _device(url, bruno, sock=raw, max_queue=1)
    for device in (healthy, stalled):
        await device.send({"type": "subscribe", "room_id": room.id})
    await healthy.expect("subscribed")
    text = "x" * 3900
    for index in range(1600):  # about 6 MB: more than the kernel buffers of the stalled socket
        await sender.send({"type": "message.send", "ref": f"f{index}", "room_id": room.id, "text": text})
        await sender.expect("ack")
        assert (await healthy.expect("message.new"))["seq"] == index + 1
    # Reading now, the stalled device finds its frames, then the close code.
    received = 0
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            try:
                await asyncio.wait_for(stalled.ws.recv(), 10)
            except TimeoutError:
                raise AssertionError(f"no close after {received} frames") from None
            received += 1
    assert closed.value.rcvd.code == 4503
    await sender.ws.close()
    await healthy.ws.close()


async def test_sockets_resync_after_the_server_lost_redis(serve, neighbours, tmp_path):
    """Frames published while a process cannot reach Redis are gone: once it can again,
    its sockets are told to catch up from their cursors, and the catch-up has them."""
    from django.test import Client

    from tests.servers import RedisServer

    (alice, bruno, _), room = neighbours
    redis_server = RedisServer(tmp_path)
    base = serve(REDIS_URL=redis_server.url)
    client = Client()
    await sync_to_async(client.force_login)(bruno)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    ws = await websockets.connect(
        f"{base.replace('http', 'ws')}/ws/v1/", additional_headers={"Cookie": cookie, "Origin": base}
    )
    device = Device(ws)
    await device.expect("hello")
    await device.send({"type": "subscribe", "room_id": room.id})
    cursor = (await device.expect("subscribed"))["seq"]

    redis_server.stop()
    await asyncio.sleep(2.5)
    await sync_to_async(services.message_post)(author=alice, room_id=room.id, text="Pendant la coupure", client_id="gap")
    redis_server = RedisServer(tmp_path, port=redis_server.port)
    try:
        assert (await device.expect("resync", timeout=15))["reason"] == "live_frames_lost"
        await device.send({"type": "subscribe", "room_id": room.id, "last_seq": cursor})
        caught_up = await device.expect("subscribed")
        assert [m["text"] for m in caught_up["messages"]] == ["Pendant la coupure"]
    finally:
        await ws.close()
        redis_server.stop()


async def test_a_web_process_killed_with_9_leaves_no_ghost(serve, neighbours, tmp_path):
    """Its sockets stop counting at once (her reconnects to the other process are not
    refused with 4409) and the neighbours hear who is gone within 10 s."""
    import os
    import signal

    (alice, bruno, chloe), _ = neighbours
    doomed = serve(procfile=True, log=tmp_path / "doomed.log")
    doomed_process = serve.processes[-1]
    survivor = serve(procfile=True, log=tmp_path / "survivor.log")
    alice_there = [await _device(doomed, alice) for _ in range(10)]  # as many as she may have
    chloe_there = await _device(doomed, chloe)
    watcher = await _device(survivor, bruno)
    assert {alice.id, chloe.id} <= set(watcher.hello["presence"][0]["online"])

    os.kill(doomed_process.pid, signal.SIGKILL)
    doomed_process.wait()
    killed_at = time.monotonic()
    alice_here = [await _device(survivor, alice) for _ in range(10)]  # at once, each gets hello
    await watcher.presence_until(chloe.id, online=False, timeout=killed_at + 10 - time.monotonic())
    assert time.monotonic() - killed_at < 10
    later = await _device(survivor, bruno)
    online = later.hello["presence"][0]["online"]
    assert chloe.id not in online and alice.id in online
    for device in [*alice_there, chloe_there, *alice_here, watcher, later]:
        await device.ws.close()


async def test_an_invalid_utf8_frame_closes_with_1007_and_the_log_holds_no_traceback_nor_ticket(
    serve, neighbours, tmp_path
):
    (alice, _, _), _ = neighbours
    log = tmp_path / "web.log"
    base = serve(procfile=True, log=log)  # the Procfile's log level: uvicorn's INFO
    ticket = await sync_to_async(services.ticket_issue)(user=alice, token_id=None)
    ws = await websockets.connect(f"{base.replace('http', 'ws')}/ws/v1/?ticket={ticket}")
    device = Device(ws)
    await device.expect("hello")
    for _ in range(3):
        await ws.send(b'{"type": "ping", "ref": "\xff"}', text=True)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd.code == 1007
        device = await _device(base, alice)
        ws = device.ws
    await ws.close()
    await asyncio.sleep(0.3)
    written = log.read_text()
    assert "Traceback" not in written and "Invalid UTF-8" not in written
    assert written.count("not valid UTF-8") == 3
    assert ticket not in written and "ticket=[redacted]" in written


async def test_a_channel_layer_sharded_over_two_redis_servers_delivers_and_counts_presence(serve, neighbours, saint_malo,
                                                                                            tmp_path):
    """docs/capacity.md: the channel layer spread over two Redis servers by name
    (CHANNEL_LAYER_URLS), presence and tickets on REDIS_URL. Messages, presence and a
    user's own frames cross the two processes whichever shard their group is on."""
    import redis as sync_redis

    from tests.servers import RedisServer

    (alice, bruno, chloe), room = neighbours
    others = []
    for n in range(8):
        user = await sync_to_async(make_user)(f"voisin{n}@example.org", name=f"Voisin {n}")
        await sync_to_async(make_membership)(user, saint_malo, state="verified")
        others.append(user)
    shards = [RedisServer(tmp_path), RedisServer(tmp_path)]  # nothing saved to disk
    layer = ",".join(shard.url for shard in shards)
    try:
        process_a, process_b = serve(CHANNEL_LAYER_URLS=layer), serve(CHANNEL_LAYER_URLS=layer)
        sender, receiver = await _device(process_a, alice), await _device(process_b, bruno)
        spread = [await _device(process_a if n % 2 else process_b, user) for n, user in enumerate(others)]
        subscribed = [sync_redis.Redis.from_url(shard.url).pubsub_channels() for shard in shards]
        assert all(subscribed), f"every shard carries some of the groups: {subscribed}"

        await receiver.send({"type": "subscribe", "room_id": room.id})
        await receiver.expect("subscribed")
        for index in range(5):
            await sender.send({"type": "message.send", "ref": f"s{index}", "room_id": room.id, "text": f"n°{index}"})
            await sender.expect("ack")
        received = [await receiver.expect("message.new") for _ in range(5)]
        assert [frame["message"]["text"] for frame in received] == [f"n°{index}" for index in range(5)]

        late = await _device(process_a, chloe)  # she comes online: everyone hears it on both processes
        for device in (sender, receiver, *spread):
            await device.presence_until(chloe.id, online=True)
        for device in (sender, receiver, late, *spread):
            await device.ws.close()
    finally:
        for shard in shards:
            shard.stop()


def test_the_application_loaded_is_frozen_out_of_the_garbage_collectors_passes_and_they_are_rare():
    import os
    import subprocess
    import sys

    from django.conf import settings

    probe = "import gc, asgi; print(gc.get_freeze_count(), *gc.get_threshold())"
    env = {**os.environ, "SECRET_KEY": settings.SECRET_KEY, "LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=settings.BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    frozen, *thresholds = map(int, done.stdout.split())
    # Django and the apps: tens of thousands of objects that full collections skip.
    assert frozen > 50_000
    assert thresholds == [50_000, 20, 100]  # rare full collections, which walk every socket
