"""Every retention rule of Voisins, in one place: what goes, after how long (a setting,
with its default in backend/settings.py), and what applies it. The periodic task
backend.privacy.tasks.retention_sweep applies the rules that have an `apply`; the others
are applied where they live (named in `applied_by`). The data page (/data/), the API
(privacy_retention) and frontend-contract/README.md show this same table: nothing else
is deleted on a timer."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    key: str
    what: str
    kept: timedelta
    setting: str
    applied_by: str
    apply: Callable[[datetime], int] | None = None


def _exports(now: datetime) -> int:
    from backend.privacy import services

    return services.exports_expire(now=now)


def _applications(now: datetime) -> int:
    from backend.trust import services

    return services.applications_prune(now=now, after_days=settings.PRIVACY_APPLICATION_ADDRESS_DAYS)


def _tokens(now: datetime) -> int:
    from backend.accounts import services

    return services.tokens_prune(now=now)


def _sessions(now: datetime) -> int:
    from backend.accounts import services

    return services.sessions_prune(now=now)


def _inactive_accounts(now: datetime) -> int:
    from backend.privacy import services

    return services.inactive_accounts_sweep(now=now)


def _task_results(now: datetime) -> int:
    from backend.privacy import services

    return services.task_results_prune(now=now, after_days=settings.PRIVACY_TASK_RESULTS_DAYS)


def _push_deliveries(now: datetime) -> int:
    from backend.push import services

    return services.deliveries_prune(now=now, after_days=settings.PRIVACY_PUSH_DELIVERIES_DAYS)


def rules() -> list[Rule]:
    from backend.push.domain import STALE_AFTER

    sweep = "backend.privacy.tasks.retention_sweep"
    return [
        Rule("applications", _("Address and proof of an application rejected, or pending without a decision"),
             timedelta(days=settings.PRIVACY_APPLICATION_ADDRESS_DAYS), "PRIVACY_APPLICATION_ADDRESS_DAYS", sweep,
             _applications),
        Rule("proofs", _("Proof-of-address documents, once the application is decided"), timedelta(0), "",
             "backend.trust.services (at the decision)"),
        Rule("api_tokens", _("A device's login (API token) not used since"), settings.API_TOKEN_TTL,
             "API_TOKEN_TTL_DAYS", sweep, _tokens),
        Rule("sessions", _("A browser's login (session) not used since"),
             timedelta(seconds=settings.SESSION_COOKIE_AGE), "SESSION_COOKIE_AGE", sweep, _sessions),
        Rule("devices", _("A phone's push registration not seen since (stops its pushes)"), STALE_AFTER,
             "backend.push.domain.STALE_AFTER", "backend.push.tasks.devices_prune"),
        Rule("push_deliveries", _("Record of each push sent (against sending it twice)"),
             timedelta(days=settings.PRIVACY_PUSH_DELIVERIES_DAYS), "PRIVACY_PUSH_DELIVERIES_DAYS", sweep,
             _push_deliveries),
        Rule("task_results", _("Finished background tasks and their arguments"),
             timedelta(days=settings.PRIVACY_TASK_RESULTS_DAYS), "PRIVACY_TASK_RESULTS_DAYS", sweep, _task_results),
        Rule("tickets", _("One-time socket tickets"), timedelta(seconds=settings.CHAT_TICKET_TTL_SECONDS),
             "CHAT_TICKET_TTL_SECONDS", "Redis expiry"),
        Rule("login_failures", _("Failed logins counted against guessing"), settings.LOGIN_FAILURE_WINDOW,
             "LOGIN_FAILURE_WINDOW", "Redis expiry"),
        Rule("write_limits", _("Messages counted against floods"), timedelta(seconds=settings.CHAT_WRITE_WINDOW_SECONDS),
             "CHAT_WRITE_WINDOW_SECONDS", "Redis expiry"),
        Rule("unattached_photos", _("Photos uploaded but never sent"), settings.PHOTOS_UNATTACHED_TTL,
             "PHOTOS_UNATTACHED_SECONDS", "backend.photos.tasks.photos_sweep"),
        Rule("exports", _("The archive of your data, once ready"), timedelta(days=settings.PRIVACY_EXPORT_DAYS),
             "PRIVACY_EXPORT_DAYS", sweep, _exports),
        Rule("inactive_accounts", _("An account nobody logged in to since (warned, then erased)"),
             timedelta(days=settings.PRIVACY_INACTIVE_ACCOUNT_DAYS), "PRIVACY_INACTIVE_ACCOUNT_DAYS", sweep,
             _inactive_accounts),
        Rule("inactive_grace", _("Time left to come back after that warning"),
             timedelta(days=settings.PRIVACY_INACTIVE_GRACE_DAYS), "PRIVACY_INACTIVE_GRACE_DAYS", sweep),
    ]
