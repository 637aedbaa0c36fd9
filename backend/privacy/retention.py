"""Privacy's own retention rules (registered in backend.common.retention, which gathers
every app's): her archives and their requests, inactive accounts, finished background
tasks, and the record of the sweep's own runs."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from backend.common.retention import SWEEP, Rule


def _exports(now: datetime) -> int:
    from backend.privacy import services

    return services.exports_expire(now=now)


def _export_requests(now: datetime) -> int:
    from backend.privacy import services

    return services.export_requests_prune(now=now, after_days=settings.PRIVACY_EXPIRED_EXPORTS_DAYS)


def _inactive_accounts(now: datetime) -> int:
    from backend.privacy import services

    return services.inactive_accounts_sweep(now=now)


def _task_results(now: datetime) -> int:
    from backend.privacy import services

    return services.task_results_prune(now=now, after_days=settings.PRIVACY_TASK_RESULTS_DAYS)


def _retention_runs(now: datetime) -> int:
    from backend.privacy import services

    return services.retention_runs_prune(now=now, after_days=settings.PRIVACY_RETENTION_RUNS_DAYS)


def rules() -> list[Rule]:
    return [
        Rule("exports", _("The archive of your data, once ready"), timedelta(days=settings.PRIVACY_EXPORT_DAYS),
             "PRIVACY_EXPORT_DAYS", SWEEP, _exports),
        Rule("export_requests", _("The record that you asked for your data, once its archive has expired"),
             timedelta(days=settings.PRIVACY_EXPIRED_EXPORTS_DAYS), "PRIVACY_EXPIRED_EXPORTS_DAYS", SWEEP,
             _export_requests),
        Rule("inactive_accounts", _("An account nobody logged in to since (warned, then erased)"),
             timedelta(days=settings.PRIVACY_INACTIVE_ACCOUNT_DAYS), "PRIVACY_INACTIVE_ACCOUNT_DAYS", SWEEP,
             _inactive_accounts),
        Rule("inactive_grace", _("Time left to come back after that warning"),
             timedelta(days=settings.PRIVACY_INACTIVE_GRACE_DAYS), "PRIVACY_INACTIVE_GRACE_DAYS", SWEEP),
        Rule("task_results", _("Finished background tasks and their arguments"),
             timedelta(days=settings.PRIVACY_TASK_RESULTS_DAYS), "PRIVACY_TASK_RESULTS_DAYS", SWEEP, _task_results),
        Rule("retention_runs", _("The record of what each of these rules deleted"),
             timedelta(days=settings.PRIVACY_RETENTION_RUNS_DAYS), "PRIVACY_RETENTION_RUNS_DAYS", SWEEP,
             _retention_runs),
    ]
