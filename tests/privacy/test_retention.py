"""The retention rules (backend/privacy/retention.py) applied by retention_sweep, with
the clock moved forward (`now` passed in): each deletes what its rule says, records its
run, and nothing else."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from backend.accounts.models import DeviceToken, User
from backend.accounts.services import login_check, token_create, token_use
from backend.common import retention
from backend.privacy import services
from backend.privacy.models import Erasure, ExportRequest, RetentionRun
from backend.push.models import Delivery
from backend.trust.models import AuditEntry, Membership
from tests.conftest import PASSWORD, make_membership, make_user

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def test_every_rule_is_listed_with_its_setting_and_the_sweep_applies_those_it_owns(settings):
    settings.PRIVACY_APPLICATION_ADDRESS_DAYS = 90
    settings.PRIVACY_PUSH_DEVICES_DAYS = 45
    rules = {rule.key: rule for rule in retention.rules()}
    assert rules["applications"].kept == timedelta(days=90) and rules["devices"].kept == timedelta(days=45)
    assert rules["devices"].applied_by == "backend.push.tasks.devices_prune" and rules["devices"].apply is None
    assert rules["tickets"].applied_by == rules["login_failures"].applied_by == "Redis expiry"
    assert all(rule.setting for rule in rules.values() if rule.key != "proofs")
    counts = services.retention_sweep(now=timezone.now())
    assert set(counts) == {"applications", "api_tokens", "sessions", "push_deliveries", "task_results", "exports",
                           "export_requests", "inactive_accounts", "retention_runs"}
    assert set(RetentionRun.objects.values_list("rule", flat=True)) == set(counts)


def test_privacy_reaches_other_apps_rules_through_the_registry_not_their_modules():
    """Each app registers its rules (backend.common.retention); privacy imports none of their internals."""
    privacy = Path(__file__).resolve().parents[2] / "backend" / "privacy"
    other_apps = re.compile(r"^\s*(?:from|import)\s+backend\.(push|trust|chat|photos|feed|moderation|cities)\b",
                            re.MULTILINE)
    assert {path.name: other_apps.findall(path.read_text()) for path in privacy.glob("*.py")
            if other_apps.findall(path.read_text())} == {}


def test_the_sweep_records_of_its_runs_go_after_ninety_days():
    now = timezone.now()
    services.retention_sweep(now=now)
    ran = RetentionRun.objects.count()
    assert services.retention_sweep(now=now + 89 * DAY)["retention_runs"] == 0
    assert services.retention_sweep(now=now + 91 * DAY)["retention_runs"] == ran
    assert not RetentionRun.objects.filter(at=now).exists()


def test_an_expired_export_request_goes_thirty_days_after_its_archive(member):
    now = timezone.now()
    export, _ = services.export_request(user=member, now=now)
    services.export_build(export_id=export.pk, now=now)
    assert services.retention_sweep(now=now + 8 * DAY)["exports"] == 1
    assert ExportRequest.objects.get().state == "expired"
    assert services.retention_sweep(now=now + 36 * DAY)["export_requests"] == 0
    assert services.retention_sweep(now=now + 38 * DAY)["export_requests"] == 1
    assert not ExportRequest.objects.exists()


def test_a_member_read_as_warned_who_came_back_meanwhile_is_neither_erased_nor_warned_again(saint_malo):
    now = timezone.now()
    back = make_user("back@example.org")
    User.objects.filter(pk=back.pk).update(last_seen_at=now - 4 * 365 * DAY, inactivity_warned_at=now - 31 * DAY)
    read_by_the_sweep = User.objects.get(pk=back.pk)
    login_check(email=back.email, password=PASSWORD, ip="10.0.0.1")  # she logs in before the sweep gets to her

    assert not services.inactive_account_erase(user=read_by_the_sweep, now=now)
    User.objects.filter(pk=back.pk).update(inactivity_warned_at=None)
    read_by_the_sweep.inactivity_warned_at = None
    assert not services.inactive_account_warn(user=read_by_the_sweep, now=now)
    back.refresh_from_db()
    assert (back.erased_at, back.inactivity_warned_at) == (None, None) and not Erasure.objects.exists()


def test_rejected_and_abandoned_applications_lose_their_address_after_six_months(saint_malo, moderator):
    from backend.trust.services import membership_reject

    now = timezone.now()
    rejected = make_membership(make_user("rejected@example.org"), saint_malo)
    membership_reject(actor=moderator, membership=rejected, reason="Adresse hors du quartier")
    abandoned = make_membership(make_user("abandoned@example.org"), saint_malo)
    fresh = make_membership(make_user("fresh@example.org"), saint_malo)
    Membership.objects.filter(pk=fresh.pk).update(applied_at=now + 100 * DAY)

    assert services.retention_sweep(now=now + 182 * DAY)["applications"] == 0
    assert Membership.objects.exclude(street="").count() == 3
    assert services.retention_sweep(now=now + 184 * DAY)["applications"] == 2
    rejected.refresh_from_db(), abandoned.refresh_from_db(), fresh.refresh_from_db()
    assert (rejected.street, rejected.latitude, rejected.reason) == ("", 0.0, "Adresse hors du quartier")
    assert (abandoned.state, abandoned.street) == ("rejected", "")
    assert "abandoned" in abandoned.reason and "abandonnée" in abandoned.reason
    assert AuditEntry.objects.filter(membership=abandoned, action="reject", actor=None).exists()
    assert (fresh.state, fresh.street) == ("pending", "Grande Rue")


def test_expired_tokens_and_sessions_go(member):
    now = timezone.now()
    token, _ = token_create(user=member)
    session = SessionStore()
    session["_auth_user_id"] = str(member.pk)
    session.create()
    assert services.retention_sweep(now=now + 13 * DAY)["sessions"] == 0
    assert services.retention_sweep(now=now + 15 * DAY)["sessions"] == 1  # SESSION_COOKIE_AGE: 14 days
    assert services.retention_sweep(now=now + 29 * DAY)["api_tokens"] == 0
    assert services.retention_sweep(now=now + 31 * DAY)["api_tokens"] == 1  # API_TOKEN_TTL: 30 days
    assert not DeviceToken.objects.exists() and not Session.objects.exists()


def test_push_records_and_finished_tasks_go_after_seven_days(member):
    from backend.push.services import device_register

    now = timezone.now()
    device = device_register(user=member, token="fcm-1", platform="android", app_version="1")
    Delivery.objects.create(event="alert:x", device=device, state="sent", payload={}, created_at=now, updated_at=now)
    DBTaskResult.objects.create(task_path="backend.push.tasks.user_alert", status=TaskResultStatus.SUCCESSFUL,
                                args_kwargs={"args": [], "kwargs": {}}, finished_at=now, queue_name="default",
                                backend_name="default", priority=0)
    waiting = DBTaskResult.objects.create(task_path="backend.push.tasks.user_alert", status=TaskResultStatus.READY,
                                          args_kwargs={"args": [], "kwargs": {}}, queue_name="default",
                                          backend_name="default", priority=0)
    assert services.retention_sweep(now=now + 6 * DAY)["push_deliveries"] == 0
    counts = services.retention_sweep(now=now + 8 * DAY)
    assert (counts["push_deliveries"], counts["task_results"]) == (1, 1)
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [waiting.pk]


def test_an_inactive_account_is_warned_then_erased_thirty_days_later_unless_she_comes_back(
    saint_malo, django_capture_on_commit_callbacks
):
    now = timezone.now()
    away = make_user("away@example.org", name="Absente", language="fr")
    back = make_user("back@example.org", name="Revenue")
    make_user("fresh@example.org")
    User.objects.filter(pk__in=[away.pk, back.pk]).update(last_seen_at=now - 3 * 365 * DAY)
    voice = User.objects.create_user("organisation-1@voices.voisins.invalid", None, display_name="Ville")
    User.objects.filter(pk=voice.pk).update(last_seen_at=now - 4 * 365 * DAY)  # cannot log in: never warned

    with django_capture_on_commit_callbacks(execute=True):
        assert services.retention_sweep(now=now)["inactive_accounts"] == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["away@example.org", "back@example.org"]
    french = next(m for m in mail.outbox if m.to == ["away@example.org"])
    assert french.subject == "Votre compte Voisins sera effacé" and "/data/" in french.body
    warnings = DBTaskResult.objects.filter(task_path="backend.push.tasks.user_alert",
                                           args_kwargs__args__1="privacy_inactive_warning")
    assert sorted(w.args_kwargs["args"][0] for w in warnings) == [away.pk, back.pk]
    # The day, in the push as in the email, written her language's way.
    erase_on = timezone.localdate(now + 30 * DAY)
    days = {w.args_kwargs["args"][0]: w.args_kwargs["args"][2]["day"] for w in warnings}
    assert days == {away.pk: erase_on.strftime("%d/%m/%Y"), back.pk: erase_on.isoformat()}
    assert erase_on.strftime("%d/%m/%Y") in french.body

    # Revenue logs in (her token slides): her warning is cleared.
    _, raw = token_create(user=back)
    token_use(raw=raw, now=now + 2 * DAY)
    assert User.objects.get(pk=back.pk).inactivity_warned_at is None

    with django_capture_on_commit_callbacks(execute=True):
        assert services.retention_sweep(now=now + 29 * DAY)["inactive_accounts"] == 0
        assert services.retention_sweep(now=now + 31 * DAY)["inactive_accounts"] == 1
    assert User.objects.get(pk=away.pk).erased_at is not None
    assert User.objects.get(pk=back.pk).erased_at is None and User.objects.get(pk=voice.pk).erased_at is None
    assert Erasure.objects.get().cause == "inactive"
    assert len(mail.outbox) == 2  # nobody is warned twice
