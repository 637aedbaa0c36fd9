"""Frames written straight to uvicorn's connection (backend/chat/wire.py), checked
against a real uvicorn server on a real socket, read by a real WebSocket client."""

import asyncio
import contextlib

import pytest
import uvicorn
import websockets
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from backend.chat import wire
from tests.servers import free_port


def _parse(data: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        return done.value
    raise AssertionError("incomplete frame")


@pytest.mark.parametrize("length", [0, 125, 126, 65535, 65536])
def test_encoded_is_the_unmasked_text_frame_of_every_length_class(length):
    text = "é" * (length // 2) + "x" * (length % 2)
    frame = _parse(wire.encoded(text))
    assert frame.opcode is Opcode.TEXT and frame.fin
    assert frame.data.decode() == text


def test_encoded_reuses_the_frame_of_the_same_text_object_only():
    text = "".join(["a", "b"])
    first = wire.encoded(text)
    assert wire.encoded(text) is first
    assert _parse(wire.encoded("".join(["c", "d"]))).data == b"cd"
    again = wire.encoded("".join(["a", "b"]))  # an equal text, another object: built again
    assert again == first and again is not first


def test_encoded_all_is_the_frames_of_the_texts_in_order_built_once_per_list():
    texts = ["un", "deux" * 100, "trois" * 20000]
    joined = wire.encoded_all(texts)
    assert joined == b"".join(wire.encoded(text) for text in texts)
    reader = StreamReader()
    reader.feed_data(joined)
    parsed = []
    for _ in texts:
        parser = Frame.parse(reader.read_exact, mask=False)
        with pytest.raises(StopIteration) as done:
            next(parser)
        parsed.append(done.value.value.data.decode())
    assert parsed == texts
    assert wire.encoded_all(texts) is joined
    assert wire.encoded_all(list(texts)) is not joined  # another list: built again


def test_a_send_that_is_not_uvicorns_sansio_connection_is_not_written_directly():
    async def send(message):
        pass

    assert wire.direct_connection(send) is None
    assert wire.direct_connection(object()) is None


@contextlib.asynccontextmanager
async def _uvicorn(app, **options):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, ws="websockets-sansio", lifespan="off",
                                           log_level="warning", **options))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await serving


async def test_frames_written_directly_reach_the_client_and_stop_once_the_socket_closes():
    written: list[bool] = []
    closed = asyncio.Event()

    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})
        connection = wire.direct_connection(send)
        assert connection is not None
        written.extend(wire.write(connection, text) for text in ("one", "two" * 100, "three" * 20000))
        written.append(wire.write_all(connection, ["four", "five" * 30000, "six"]))
        await send({"type": "websocket.close", "code": 1000})
        written.append(wire.write(connection, "after the close"))
        written.append(wire.write_all(connection, ["after", "the close"]))
        closed.set()

    async with _uvicorn(app, ws_per_message_deflate=False) as url:
        async with websockets.connect(url, compression=None) as ws:
            received = [await ws.recv() for _ in range(6)]
            with pytest.raises(websockets.ConnectionClosedOK):
                await ws.recv()
        await closed.wait()
    assert received == ["one", "two" * 100, "three" * 20000, "four", "five" * 30000, "six"]
    assert written == [True, True, True, True, False, False]


async def test_a_compressed_connection_goes_through_the_asgi_send():
    seen: list[object] = []

    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})
        seen.append(wire.direct_connection(send))
        await send({"type": "websocket.send", "text": "deflated"})

    async with _uvicorn(app, ws_per_message_deflate=True) as url:
        async with websockets.connect(url) as ws:  # the client offers permessage-deflate
            assert await ws.recv() == "deflated"
    assert seen == [None]


async def test_a_peer_that_stops_reading_makes_the_direct_write_refuse_once_the_buffer_is_full():
    results: list[bool] = []
    refused = asyncio.Event()

    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})
        connection = wire.direct_connection(send)
        chunk = "x" * 60000
        while len(results) < 1000:
            ok = wire.write(connection, chunk)
            results.append(ok)
            if not ok:
                break
            await asyncio.sleep(0)  # let the transport report its buffer
        refused.set()
        await receive()

    async with _uvicorn(app, ws_per_message_deflate=False) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", int(url.rsplit(":", 1)[1].rstrip("/")))
        writer.write(
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        await writer.drain()
        # The client reads nothing after the handshake: the server's buffer fills.
        await asyncio.wait_for(refused.wait(), 20)
        writer.close()
    assert results[-1] is False and all(results[:-1]) and len(results) > 1
