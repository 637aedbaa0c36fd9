"""An exhausted database pool answers 503 server_busy with Retry-After, never an HTML 500;
an unexpected error under /api/ answers JSON server_error."""

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.test import Client

from backend.accounts.services import token_create
from tests.ops.urls import pool_exhausted

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.ops.urls"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/api/drf-busy/", "/page/busy/"])
def test_an_exhausted_pool_answers_503_server_busy_with_retry_after(failing_urls, settings, path):
    settings.SERVER_BUSY_RETRY_AFTER = 4
    response = failing_urls.get(path, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 503 and response["Retry-After"] == "4"
    assert response.json() == {"code": "server_busy", "message": "Le serveur est surchargé ; réessayez dans 4 s.",
                               "retry_after": 4}


@pytest.mark.parametrize("path", ["/api/bug/", "/api/drf-bug/"])
def test_an_unexpected_error_under_the_api_answers_json(failing_urls, path, caplog):
    response = failing_urls.get(path)
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json() == {"code": "server_error", "message": "Something went wrong on our side."}
    assert "unexpected error answering GET" in caplog.text


def test_a_page_keeps_djangos_error_page(failing_urls):
    response = failing_urls.get("/page/bug/")
    assert response.status_code == 500 and "application/json" not in response["Content-Type"]


def test_an_error_outside_any_view_is_json_too(rf):
    from backend.ops.views import server_error

    try:
        raise pool_exhausted()
    except Exception:
        response = server_error(rf.get("/api/v1/auth/me/"))
    assert response.status_code == 503 and json.loads(response.content)["code"] == "server_busy"
    try:
        raise RuntimeError
    except Exception:
        response = server_error(rf.get("/api/v1/auth/me/"))
    assert response.status_code == 500 and json.loads(response.content)["code"] == "server_error"


def test_requests_beyond_a_tiny_pool_wait_then_get_503_never_500(serve, member):
    """A real server with a pool of two connections: two requests hold both (their query
    waits on a lock), the third waits DB_POOL_TIMEOUT then is told to come back; once the
    lock goes, the two complete."""
    _, raw = token_create(user=member, device_name="test")
    base = serve(DB_POOL_MIN="0", DB_POOL_MAX="2", DB_POOL_TIMEOUT="0.5", SERVER_BUSY_RETRY_AFTER="3")

    def me() -> tuple[int, dict, dict]:
        request = urllib.request.Request(f"{base}/api/v1/auth/me/", headers={"Authorization": f"Bearer {raw}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read())

    assert me()[0] == 200  # warm: the pool has opened
    waiting = 0
    with ThreadPoolExecutor(3) as pool, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE accounts_devicetoken IN ACCESS EXCLUSIVE MODE")
            held = [pool.submit(me), pool.submit(me)]
            deadline = time.monotonic() + 20
            while waiting < 2 and time.monotonic() < deadline:  # both hold a connection, blocked on the lock
                cursor.execute("SELECT count(*) FROM pg_locks"
                               " WHERE NOT granted AND relation = 'accounts_devicetoken'::regclass")
                waiting = cursor.fetchone()[0]
                time.sleep(0.05)
            assert waiting == 2
            started = time.monotonic()
            status, headers, body = pool.submit(me).result(timeout=30)
            assert time.monotonic() - started >= 0.5  # it waited for a connection first
            assert (status, headers["Retry-After"], body["code"], body["retry_after"]) == (503, "3", "server_busy", 3)
            assert headers["Content-Type"] == "application/json"
            assert not any(future.done() for future in held)
    assert [future.result(timeout=30)[0] for future in held] == [200, 200]
