"""A local stand-in for the two Google endpoints firebase-admin calls: the OAuth token
endpoint of a service account (its token_uri) and FCM's messages:send. The SDK itself
runs unchanged; only its endpoint and the service account's token_uri point here.
bench/push.py uses it too.

What a token gets is programmed per token: a list of answers used in turn (the last
one repeats), 200 by default. A token in `hold` blocks its request until released;
`delay` slows every answer."""

import asyncio
import json
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PROJECT = "voisins-test"


def fcm_error(status: int, status_name: str, error_code: str | None = None) -> tuple[int, dict, dict]:
    details = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}] if error_code else []
    return status, {"error": {"code": status, "message": f"fake {status_name}", "status": status_name, "details": details}}, {}


UNREGISTERED = fcm_error(404, "NOT_FOUND", "UNREGISTERED")
INVALID = fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
SENDER_MISMATCH = fcm_error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH")
UNAVAILABLE = fcm_error(503, "UNAVAILABLE", "UNAVAILABLE")
APNS_AUTH = fcm_error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR")


def quota_exceeded(retry_after: int) -> tuple[int, dict, dict]:
    status, body, _ = fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED")
    return status, body, {"Retry-After": str(retry_after)}


class FakeFcm:
    """Serves on 127.0.0.1 from an asyncio loop in a thread of its own: fast enough for
    bench/push.py, and programmable for the tests."""

    def __init__(self, directory: Path) -> None:
        self.sent: list[dict] = []  # every messages:send request body, in arrival order
        self.arrivals: list[float] = []  # time.time() of each
        self.answers: dict[str, list[tuple[int, dict | None, dict]]] = {}
        self.hold: set[str] = set()
        self.delay = 0.0  # seconds each messages:send answer waits: a slow FCM
        self.token_requests = 0  # OAuth access tokens handed out
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), daemon=True).start()
        ready.wait(10)
        self.url = f"http://127.0.0.1:{self.port}"
        self.credentials = directory / "service-account.json"
        self.credentials.write_text(json.dumps(self._service_account()))

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(self.loop.create_server(lambda: _Connection(self), "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()
        self.loop.close()

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, dict, bool]:
        """(status, reply, headers, held) for one request."""
        if path == "/token":
            with self.lock:
                self.token_requests += 1
            return 200, {"access_token": "fake-access-token", "expires_in": 3600, "token_type": "Bearer"}, {}, False
        if path != f"/v1/projects/{PROJECT}/messages:send":
            return 404, {"error": {"code": 404, "message": "no such path", "status": "NOT_FOUND"}}, {}, False
        if headers.get("authorization") != "Bearer fake-access-token":
            status, reply, extra = fcm_error(401, "UNAUTHENTICATED")
            return status, reply, extra, False
        message = json.loads(body)["message"]
        token = message["token"]
        with self.lock:
            self.sent.append(message)
            self.arrivals.append(time.time())
            answers = self.answers.get(token) or [(200, None, {})]
            status, reply, extra = answers.pop(0) if len(answers) > 1 else answers[0]
            count = len(self.sent)
        return status, reply or {"name": f"projects/{PROJECT}/messages/{count}"}, extra, token in self.hold

    def _service_account(self) -> dict:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        return {
            "type": "service_account", "project_id": PROJECT, "private_key_id": "fake-key", "private_key": pem.decode(),
            "client_email": f"push@{PROJECT}.iam.gserviceaccount.com", "client_id": "1",
            "token_uri": f"{self.url}/token",
        }

    def reset(self) -> None:
        with self.lock:
            self.sent.clear()
            self.arrivals.clear()
            self.answers.clear()
            self.hold.clear()
            self.released.clear()
            self.delay = 0.0
            self.token_requests = 0

    def tokens_sent(self) -> list[str]:
        with self.lock:
            return [message["token"] for message in self.sent]

    def wait_for(self, count: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while len(self.sent) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"FCM got {len(self.sent)} requests, not {count}")
            time.sleep(0.01)

    def stop(self) -> None:
        self.released.set()

        async def shut_down() -> None:
            self.server.close()
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shut_down(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


class _Connection(asyncio.Protocol):
    """Just enough HTTP/1.1 for requests and httpx: keep-alive, Content-Length bodies."""

    def __init__(self, fake: FakeFcm) -> None:
        self.fake = fake
        self.buffer = b""
        self.queue: asyncio.Queue = asyncio.Queue()
        self.writer = asyncio.ensure_future(self._write())

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.writer.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
            length = int(headers.get("content-length", 0))
            if len(self.buffer) < end + 4 + length:
                return
            body, self.buffer = self.buffer[end + 4:end + 4 + length], self.buffer[end + 4 + length:]
            self.queue.put_nowait(self.fake.answer(lines[0].split(" ")[1], headers, body))

    async def _write(self) -> None:
        while True:
            status, reply, extra, held = await self.queue.get()
            if self.fake.delay and "access_token" not in reply:
                await asyncio.sleep(self.fake.delay)
            if held:
                await asyncio.get_running_loop().run_in_executor(None, self.fake.released.wait, 30)
            data = json.dumps(reply).encode()
            head = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}", "Content-Type: application/json",
                    f"Content-Length: {len(data)}", *(f"{name}: {value}" for name, value in extra.items())]
            self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
