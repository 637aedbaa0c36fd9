"""What the push benchmarks (bench/push.py, bench/area_alert.py) print beside our
worker, each sending to the tests' fake FCM server from a process of its own:

- firebase-admin's `send_each` alone, in batches of 500: the SDK's own transport;
- the fake's ceiling: bare aiohttp requests, 100 keep-alive connections, the same
  message body each time, no credentials, no records. Our worker cannot be faster than
  this; if it comes close, the fake is the limit, not the worker."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SEND_EACH = """
import sys, warnings
import django
django.setup()
import firebase_admin
from firebase_admin import credentials, messaging
from django.conf import settings
# The SDK has no option for its endpoint: it is this class attribute.
messaging._MessagingService.FCM_URL = settings.PUSH_FCM_ENDPOINT.rstrip("/") + "/v1/projects/{0}/messages:send"
app = firebase_admin.initialize_app(credentials.ApplicationDefault(), name="baseline")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    messages = [messaging.Message(token=f"baseline-{i}", data={"type": sys.argv[2]},
                                  notification=messaging.Notification(title="t", body="b")) for i in range(int(sys.argv[1]))]
for start in range(0, len(messages), 500):
    messaging.send_each(messages[start:start + 500], app=app)
"""

CEILING = """
import asyncio, sys
import aiohttp

async def main(url, count):
    body = b'{"message":{"token":"ceiling","data":{"type":"message"},"notification":{"title":"t","body":"b"}}}'
    headers = {"Authorization": "Bearer fake-access-token", "Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:
        async def one():
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
        for start in range(0, count, 500):
            await asyncio.gather(*(one() for _ in range(min(500, count - start))))

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def send_each_seconds(fake, env: dict, count: int, kind: str) -> float:
    """Seconds from the first to the last request of firebase-admin's send_each."""
    fake.reset()
    subprocess.run([sys.executable, "-c", SEND_EACH, str(count), kind], cwd=ROOT, env=env, check=True)
    return _span(fake, count)


def ceiling_per_second(fake, count: int) -> float:
    """Requests per second the fake answers to bare aiohttp, first to last request."""
    from tests.push.fake_fcm import PROJECT

    fake.reset()
    subprocess.run([sys.executable, "-c", CEILING, f"{fake.url}/v1/projects/{PROJECT}/messages:send", str(count)],
                   cwd=ROOT, check=True)
    return count / _span(fake, count)


def _span(fake, count: int) -> float:
    arrivals = sorted(fake.arrivals)
    assert len(arrivals) == count, f"FCM received {len(arrivals)} requests, expected {count}"
    fake.reset()
    return arrivals[-1] - arrivals[0]
