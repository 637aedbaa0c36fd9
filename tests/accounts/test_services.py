"""backend/accounts/services.py: what an erasure ends, and how (without reading the
server's sessions), its pseudonym, its condition decided under the lock, and the one
throttle that login and erasure share."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.accounts import services
from backend.accounts.models import User
from backend.common.errors import VoisinsError
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_her_browser_session_is_refused_at_its_next_request_without_the_erasure_reading_any_session(client_for, member):
    browser = client_for()
    assert browser.post("/api/v1/auth/session/", {"email": member.email, "password": PASSWORD},
                        format="json").status_code == 200
    assert browser.get("/api/v1/auth/me/").status_code == 200
    for n in range(20):  # other people's sessions: an erasure must not go through them
        other = SessionStore()
        other["_auth_user_id"] = str(n + 10_000)
        other.create()

    with CaptureQueriesContext(connection) as queries:
        assert services.user_erase(user=member)
    assert not [q["sql"] for q in queries if "django_session" in q["sql"]]

    assert browser.get("/api/v1/auth/me/").status_code == 401
    # Her row stays until it expires (sessions_prune), holding her id and nothing about her.
    hers = [s.get_decoded() for s in Session.objects.all() if s.get_decoded()["_auth_user_id"] == str(member.pk)]
    assert len(hers) == 1 and set(hers[0]) <= {"_auth_user_id", "_auth_user_backend", "_auth_user_hash"}


def test_the_pseudonym_fills_its_field():
    user = make_user("pseudo@example.org")
    services.user_erase(user=user)
    user.refresh_from_db()
    assert len(user.pseudonym) == User._meta.get_field("pseudonym").max_length == 16
    int(user.pseudonym, 16)


def test_only_if_is_decided_on_her_row_under_the_lock_not_on_what_the_caller_read():
    now = timezone.now()
    user = make_user("back@example.org")
    User.objects.filter(pk=user.pk).update(inactivity_warned_at=now - timedelta(days=31))
    read_before = User.objects.get(pk=user.pk)
    services.login_check(email=user.email, password=PASSWORD, ip="10.0.0.1")  # she comes back: her warning is cleared

    assert not services.user_erase(user=read_before, now=now, only_if=lambda u: u.inactivity_warned_at is not None)
    assert User.objects.get(pk=user.pk).erased_at is None
    assert services.user_erase(user=read_before, now=now, only_if=lambda u: u.inactivity_warned_at is None)


def test_an_erasure_confirmation_and_a_login_share_one_throttle(member):
    for _ in range(5):
        with pytest.raises(VoisinsError) as wrong:
            services.account_erase(user=member, password="wrong", ip="10.0.0.1")
        assert wrong.value.code == "wrong_password"
    with pytest.raises(VoisinsError) as throttled:
        services.login_check(email=member.email, password=PASSWORD, ip="10.0.0.2")
    assert throttled.value.code == "login_throttled"
    assert User.objects.get(pk=member.pk).erased_at is None
