"""FCM's HTTP v1 `messages:send`, one request per token as FCM wants, over keep-alive
HTTP/1.1 connections from an asyncio loop (aiohttp) in a thread of the worker.

firebase-admin's own transports reach about 1,000 tokens/s on our machine: `send_each`
spends a thread and a request per token, `send_each_async` goes through httpx at about
0.8 ms of CPU per message. We keep firebase-admin for what it does well — the service
account's credentials (google-auth, refreshed before they expire), building and
validating each message (`messaging.Message` and its JSON encoder) — and send the
encoded messages ourselves (docs/performance.md, Pushes).

The retry rules are those the SDK applied: a 500 or 503, a timeout or a broken
connection is tried again here, at most RETRIES times with a growing pause; a 429 is
not slept on in the worker: its Retry-After goes back to the caller, whose retry task
waits it (backend/push/services.py). A 401 means the access token expired early: it is
refreshed once and the request sent again."""

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson
from firebase_admin import exceptions, messaging

from backend.push.backends import Result

RETRIES = 4
BACKOFF_SECONDS = 0.5

# What FCM's error details say, then its canonical status, then the HTTP status, as the
# class of firebase-admin's exception that the SDK would have raised (domain.outcome
# decides on those names).
_FCM_CODES = {
    "APNS_AUTH_ERROR": messaging.ThirdPartyAuthError,
    "THIRD_PARTY_AUTH_ERROR": messaging.ThirdPartyAuthError,
    "QUOTA_EXCEEDED": messaging.QuotaExceededError,
    "SENDER_ID_MISMATCH": messaging.SenderIdMismatchError,
    "UNREGISTERED": messaging.UnregisteredError,
}
_STATUSES = {
    exceptions.INVALID_ARGUMENT: exceptions.InvalidArgumentError,
    exceptions.FAILED_PRECONDITION: exceptions.FailedPreconditionError,
    exceptions.OUT_OF_RANGE: exceptions.OutOfRangeError,
    exceptions.UNAUTHENTICATED: exceptions.UnauthenticatedError,
    exceptions.PERMISSION_DENIED: exceptions.PermissionDeniedError,
    exceptions.NOT_FOUND: exceptions.NotFoundError,
    exceptions.CONFLICT: exceptions.ConflictError,
    exceptions.ABORTED: exceptions.AbortedError,
    exceptions.ALREADY_EXISTS: exceptions.AlreadyExistsError,
    exceptions.RESOURCE_EXHAUSTED: exceptions.ResourceExhaustedError,
    exceptions.CANCELLED: exceptions.CancelledError,
    exceptions.DATA_LOSS: exceptions.DataLossError,
    exceptions.INTERNAL: exceptions.InternalError,
    exceptions.UNAVAILABLE: exceptions.UnavailableError,
    exceptions.DEADLINE_EXCEEDED: exceptions.DeadlineExceededError,
}
_HTTP_STATUSES = {
    400: exceptions.INVALID_ARGUMENT, 401: exceptions.UNAUTHENTICATED, 403: exceptions.PERMISSION_DENIED,
    404: exceptions.NOT_FOUND, 409: exceptions.CONFLICT, 412: exceptions.FAILED_PRECONDITION,
    429: exceptions.RESOURCE_EXHAUSTED, 500: exceptions.INTERNAL, 503: exceptions.UNAVAILABLE,
}
_RETRIED_HERE = {500, 503}


def error_class(status: int, body: bytes) -> str:
    """The name of firebase-admin's exception for an FCM error answer."""
    try:
        error = orjson.loads(body).get("error") or {}
    except (orjson.JSONDecodeError, AttributeError):
        error = {}
    for detail in error.get("details") or []:
        if detail.get("@type") == "type.googleapis.com/google.firebase.fcm.v1.FcmError":
            found = _FCM_CODES.get(detail.get("errorCode"))
            if found:
                return found.__name__
    code = error.get("status") or _HTTP_STATUSES.get(status, exceptions.UNKNOWN)
    return _STATUSES.get(code, exceptions.UnknownError).__name__


class FcmTransport:
    """Sends encoded FCM messages; `send` is called from the worker's thread and waits."""

    def __init__(self, *, url: str, access_token: Callable[[bool], str], connections: int, timeout: float) -> None:
        self.url = url
        self.access_token = access_token  # access_token(refresh_now) -> a valid OAuth token
        self.headers = {"Content-Type": "application/json; UTF-8", "X-GOOG-API-FORMAT-VERSION": "2"}
        self.loop = asyncio.new_event_loop()
        self.refreshing = asyncio.Lock()
        threading.Thread(target=self.loop.run_forever, name="fcm-transport", daemon=True).start()
        self.session: aiohttp.ClientSession = self._run(self._open(connections, timeout))

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    async def _open(self, connections: int, timeout: float) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections, limit_per_host=connections, keepalive_timeout=60),
            timeout=aiohttp.ClientTimeout(total=timeout),
            skip_auto_headers=("User-Agent",),
        )

    def send(self, messages: list[dict[str, Any]]) -> list[Result]:
        """POSTs each `{"message": ...}` body at once over the pool; answers in order."""
        bodies = [orjson.dumps(message) for message in messages]
        return self._run(self._send_all(bodies, self.access_token(False)))

    async def _send_all(self, bodies: list[bytes], token: str) -> list[Result]:
        state: dict[str, Any] = {"token": token, "refreshes": 0}
        return list(await asyncio.gather(*(self._send_one(body, state) for body in bodies)))

    async def _send_one(self, body: bytes, state: dict[str, Any]) -> Result:
        refreshed = False
        attempt = 0
        while True:
            headers = {**self.headers, "Authorization": f"Bearer {state['token']}"}
            try:
                async with self.session.post(self.url, data=body, headers=headers) as response:
                    status = response.status
                    reply = await response.read()
                    retry_after = _seconds(response.headers.get("Retry-After"))
            except asyncio.TimeoutError:
                status, reply, retry_after, failure = 0, b"", None, exceptions.DeadlineExceededError.__name__
            except aiohttp.ClientError as error:
                status, reply, retry_after, failure = 0, str(error).encode(), None, exceptions.UnavailableError.__name__
            if status == 200:
                return Result()
            if status == 401 and not refreshed:
                refreshed = True
                refused = state["refreshes"]
                async with self.refreshing:
                    # The requests in flight meet the same 401: the first refreshes.
                    if state["refreshes"] == refused:
                        state["token"] = await self.loop.run_in_executor(None, self.access_token, True)
                        state["refreshes"] += 1
                continue
            if (status in _RETRIED_HERE or status == 0) and attempt < RETRIES:
                attempt += 1
                await asyncio.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
                continue
            if status:
                failure = error_class(status, reply)
            return Result(failure, retry_after, reply[:200].decode("utf-8", "replace"))

    def close(self) -> None:
        self._run(self.session.close())
        self.loop.call_soon_threadsafe(self.loop.stop)


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
