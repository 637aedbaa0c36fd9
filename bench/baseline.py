"""The baseline of bench/realtime.py: a bare ASGI broadcast loop, no framework.

Every text frame a socket sends is sent as it is to every socket of the same room
(?room=...), in turn. Serve with uvicorn: `uvicorn bench.baseline:app`."""

from urllib.parse import parse_qs

rooms: dict[str, set] = {}


async def app(scope, receive, send):
    if scope["type"] != "websocket":
        return
    room = parse_qs(scope["query_string"].decode()).get("room", ["0"])[0]
    await receive()
    await send({"type": "websocket.accept"})
    members = rooms.setdefault(room, set())
    members.add(send)
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            frame = {"type": "websocket.send", "text": message["text"]}
            for member in tuple(members):
                await member(frame)
    finally:
        members.discard(send)
