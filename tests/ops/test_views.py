"""/healthz, /readyz and /metrics, in this process and on real servers that go away."""

import json
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client import REGISTRY

from tests import servers
from tests.conftest import _workdir


def get(url: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_healthz_answers_whatever_the_host_and_without_the_database(client):
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")  # a probe calls by address
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_is_ready_when_postgresql_and_redis_answer(client):
    response = client.get("/readyz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "cache": "ok", "channel_layer": "ok"}}


@pytest.mark.django_db(transaction=True)
def test_readyz_follows_redis_going_away_and_coming_back(serve):
    redis_server = servers.RedisServer(_workdir)
    try:
        base = serve(REDIS_URL=redis_server.url)
        status, body = get(f"{base}/readyz")
        assert status == 200, body

        redis_server.stop()
        status, body = get(f"{base}/readyz")
        assert status == 503
        assert json.loads(body) == {"status": "unready", "checks": {
            "database": "ok", "cache": "unreachable", "channel_layer": "unreachable"}}
        assert get(f"{base}/healthz")[0] == 200  # alive: no reason to restart it

        redis_server = servers.RedisServer(_workdir, port=redis_server.port)
        deadline = time.monotonic() + 20
        while (status := get(f"{base}/readyz")[0]) != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status == 200
    finally:
        redis_server.stop()


def test_readyz_is_unready_when_postgresql_is_unreachable(serve):
    nowhere = f"postgres://postgres@127.0.0.1:{servers.free_port()}/voisins"
    base = serve(DATABASE_URL=nowhere, READYZ_TIMEOUT_SECONDS="1")
    status, body = get(f"{base}/readyz")
    assert status == 503
    checks = json.loads(body)["checks"]
    assert checks["database"] in {"unreachable", "timeout"} and checks["cache"] == "ok"
    assert get(f"{base}/healthz")[0] == 200


@pytest.mark.django_db
def test_metrics_need_the_token_or_an_allowed_address(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "scraper-secret", []
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scraper-secret", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    text = response.content.decode()
    for name in ("voisins_push_sent_total", "voisins_push_failed_total", "voisins_push_retried_total",
                 "voisins_push_taken_back_total", "voisins_tasks_taken_back_total", "voisins_messages_stored_total",
                 "voisins_db_pool_in_use", "voisins_db_pool_waiting", "voisins_ws_open_sockets",
                 "voisins_ws_connects_total", "voisins_ws_frames_delivered_total", "voisins_ws_resyncs_total",
                 "voisins_http_busy_total"):
        assert name in text, name

    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["10.0.0.0/8", "127.0.0.1"]
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 403


@pytest.mark.django_db
def test_messages_are_counted_once_committed(member, saint_malo, django_capture_on_commit_callbacks):
    from backend.chat.models import Room
    from backend.chat.services import message_post, rooms_ensure_default

    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    room = Room.objects.get(neighbourhood=saint_malo, kind="default")
    before = REGISTRY.get_sample_value("voisins_messages_stored_total")
    with django_capture_on_commit_callbacks(execute=True):
        message_post(author=member, room_id=room.id, text="Bonjour", client_id="c1")
    assert REGISTRY.get_sample_value("voisins_messages_stored_total") == before + 1
