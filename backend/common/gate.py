"""At most HTTP_MAX_CONCURRENT Django requests at once in one process (asgi.py puts it in
front of Django).

Under ASGI, Django runs each request's views (and its sync middleware) in a thread of
its own, created for it. A reconnect storm sends thousands of requests at once: without
a bound, a process ran 5,000 threads and the machine stalled. Behind the gate a request
waits its turn as a coroutine (no thread, no database connection); one that has waited
HTTP_QUEUE_SECONDS answers 503 server_busy with Retry-After, as an exhausted database
pool does (backend/common/busy.py). Its Retry-After is the time the requests waiting now
would take to go through at the rate requests finish (at least SERVER_BUSY_RETRY_AFTER,
at most MAX_RETRY_AFTER): in a storm, those refused later are told to come back later,
instead of all coming back together. The probes of the load balancer and of Prometheus
never wait behind it."""

import asyncio
import json
import math
import time
import weakref
from typing import Any

from django.conf import settings

from backend.common.busy import busy_refused
from backend.common.errors import error_body

Scope = dict[str, Any]

# Answered before any other middleware and never touch the database (backend/ops).
UNGATED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
MAX_RETRY_AFTER = 60
# Requests finished over this many seconds give the rate at which the queue drains.
RATE_WINDOW_SECONDS = 5.0


class _Gate:
    """The gate of one event loop: its semaphore, who waits, how fast requests finish."""

    def __init__(self, limit: int) -> None:
        self.semaphore = asyncio.Semaphore(limit)
        self.waiting = 0
        self.finished = 0
        self.window_start = time.monotonic()
        self.rate = 0.0  # requests finished per second, over the last full window

    def done(self) -> None:
        self.finished += 1
        now = time.monotonic()
        if now - self.window_start >= RATE_WINDOW_SECONDS:
            self.rate = self.finished / (now - self.window_start)
            self.finished, self.window_start = 0, now

    def retry_after(self, least: int) -> int:
        if self.rate <= 0:
            return least
        return max(least, min(MAX_RETRY_AFTER, math.ceil(self.waiting / self.rate)))


class RequestGate:
    def __init__(self, app: Any) -> None:
        self.app = app
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Gate] = weakref.WeakKeyDictionary()

    def _gate(self) -> _Gate:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = _Gate(settings.HTTP_MAX_CONCURRENT)
        return gate

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") in UNGATED_PATHS:
            await self.app(scope, receive, send)
            return
        gate = self._gate()
        gate.waiting += 1
        try:
            await asyncio.wait_for(gate.semaphore.acquire(), settings.HTTP_QUEUE_SECONDS)
        except TimeoutError:
            await _busy(send, gate.retry_after(busy_refused()))
            return
        finally:
            gate.waiting -= 1
        try:
            await self.app(scope, receive, send)
        finally:
            gate.semaphore.release()
            gate.done()


async def _busy(send: Any, retry_after: int) -> None:
    body = json.dumps(error_body("server_busy", retry_after=retry_after)).encode()
    await send({
        "type": "http.response.start",
        "status": 503,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()),
        ],
    })
    await send({"type": "http.response.body", "body": body})
