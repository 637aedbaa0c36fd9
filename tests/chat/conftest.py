import asyncio
import json

from channels.testing import WebsocketCommunicator

from tests.chat.contract import check_server_frame

# Django is set up by tests/conftest.py's pytest_configure, after this module is
# imported: Django imports stay inside the functions.

ALLOWED_ORIGIN = b"http://127.0.0.1:8000"


class Socket:
    """A test device on the real ASGI application (auth middleware, routing, hub)."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.hello: dict | None = None
        self.close_code: int | None = None
        self.pending: list[dict] = []

    async def send(self, frame: dict | str) -> None:
        await self.communicator.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))

    async def recv(self, timeout: float = 3) -> dict:
        output = await self.communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            self.close_code = output.get("code")
            raise AssertionError(f"socket closed with {self.close_code}")
        return check_server_frame(json.loads(output["text"]))

    async def expect(self, frame_type: str, timeout: float = 3) -> dict:
        """The next frame of this type. Frames of other types that arrive first are kept
        for later `expect` calls, since an ack and a broadcast may come in either order."""
        for index, frame in enumerate(self.pending):
            if frame["type"] == frame_type:
                return self.pending.pop(index)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                frame = await self.recv(max(0.01, deadline - asyncio.get_running_loop().time()))
            except asyncio.TimeoutError:
                raise AssertionError(f"no {frame_type} frame; passed over: {self.pending}") from None
            if frame["type"] == frame_type:
                return frame
            self.pending.append(frame)

    async def nothing(self, timeout: float = 0.3, ignore: tuple[str, ...] = ("presence.changed",)) -> None:
        """From now on, no frame (but those of `ignore` types) arrives within `timeout`."""
        self.pending.clear()
        while not await self.communicator.receive_nothing(timeout):
            frame = await self.recv()
            assert frame["type"] in ignore, f"unexpected frame {frame}"

    async def closed_with(self, timeout: float = 3) -> int:
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                return output.get("code")
            check_server_frame(json.loads(output["text"]))

    async def ping_works(self) -> None:
        await self.send({"type": "ping", "ref": "p"})
        assert (await self.expect("pong"))["ref"] == "p"

    async def close(self) -> None:
        await self.communicator.disconnect()


def communicator(path: str, headers: list | None = None) -> WebsocketCommunicator:
    from asgi import application

    return WebsocketCommunicator(application, path, headers=headers or [])
