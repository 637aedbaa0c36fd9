"""A process runs at most HTTP_MAX_CONCURRENT Django requests at once; the others wait
without a thread, then answer 503 server_busy; the probes never wait."""

import asyncio
import json

from backend.common.gate import RequestGate


class SlowApp:
    def __init__(self) -> None:
        self.running = 0
        self.most = 0

    async def __call__(self, scope, receive, send):
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(0.3)
        self.running -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _request(app, path="/api/v1/chat/tickets/"):
    sent = []

    async def send(message):
        sent.append(message)

    await app({"type": "http", "path": path, "method": "POST"}, None, send)
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


async def test_requests_beyond_the_limit_wait_then_answer_503_server_busy(settings):
    settings.HTTP_MAX_CONCURRENT = 2
    settings.HTTP_QUEUE_SECONDS = 0.4
    settings.SERVER_BUSY_RETRY_AFTER = 3
    inner = SlowApp()
    gate = RequestGate(inner)
    answers = await asyncio.gather(*(_request(gate) for _ in range(6)))
    assert inner.most == 2
    assert sorted(status for status, _, _ in answers) == [200, 200, 200, 200, 503, 503]
    status, headers, body = next(answer for answer in answers if answer[0] == 503)
    assert headers[b"retry-after"] == b"3" and headers[b"content-type"] == b"application/json"
    assert json.loads(body)["code"] == "server_busy" and json.loads(body)["retry_after"] == 3


async def test_the_probes_never_wait_behind_it(settings):
    settings.HTTP_MAX_CONCURRENT = 1
    settings.HTTP_QUEUE_SECONDS = 0.1
    gate = RequestGate(SlowApp())
    answers = await asyncio.gather(_request(gate), *(_request(gate, "/healthz") for _ in range(3)))
    assert [status for status, _, _ in answers] == [200, 200, 200, 200]


async def test_in_a_storm_those_refused_later_are_told_to_come_back_later():
    from backend.common.gate import MAX_RETRY_AFTER, _Gate

    gate = _Gate(10)
    assert gate.retry_after(2) == 2  # no rate measured yet
    gate.rate = 50.0  # requests finished per second
    gate.waiting = 100
    assert gate.retry_after(2) == 2
    gate.waiting = 1000
    assert gate.retry_after(2) == 20
    gate.waiting = 100_000
    assert gate.retry_after(2) == MAX_RETRY_AFTER
