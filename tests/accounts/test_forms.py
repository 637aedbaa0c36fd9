import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_admin_login_form_is_throttled(client, staff):
    for _ in range(5):
        client.post("/admin/login/", {"username": staff.email, "password": "wrong"})
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect into the admin
    assert "Too many failed logins" in response.content.decode()
