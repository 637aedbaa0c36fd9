"""Every answer under /api/ is JSON in the contract's error format, whatever the URL
(backend/common/views.py)."""

import pytest

pytestmark = pytest.mark.django_db

MALFORMED = ["/api/v1/feed/posts/abc/", "/api/v1/trust/memberships/-1/", "/api/v1/chat/rooms/1.5/history/",
             "/api/v1/nothing-here/", "/api/v1/moderation/reports/%20/dismiss/"]


@pytest.mark.parametrize("path", MALFORMED)
def test_without_a_token_a_malformed_url_asks_for_one_in_json(client_for, path):
    response = client_for(None).get(path)
    assert response.status_code == 401 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("path", MALFORMED)
def test_with_a_token_a_malformed_url_is_not_found_in_json(client_for, member, path):
    response = client_for(member).post(path, {}, format="json")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found" and response.json()["message"]


def test_a_wrong_token_is_said_so(client_for):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.get("/api/v1/feed/posts/abc/")
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


def test_pages_keep_django_s_not_found(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "text/html" in response["Content-Type"]
