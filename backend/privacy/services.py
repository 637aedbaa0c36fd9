"""The only place that writes her export requests, builds their archives and applies the
retention rules (backend.common.retention).

Why an app of its own: exporting, erasing and retention touch every app, and none of
them should know the others. Here live what belongs to no single app (export requests,
the archive, the record of erasures and retention runs, the data page); each app keeps
its own part in its own services.py and selectors.py, reached through seams that import
nothing of this app: the AccountErased event (backend/accounts/domain_events.py) and
the registry of exporters (backend/common/personal_data.py). Erasure itself starts in
accounts (backend.accounts.services.user_erase), which owns the account."""

import logging
import secrets
import tempfile
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta

import orjson
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from backend.accounts import selectors as account_selectors
from backend.accounts import services as account_services
from backend.accounts.domain_events import AccountErased
from backend.accounts.models import User
from backend.common import domain_events, events, personal_data, retention
from backend.privacy import domain, tasks
from backend.privacy.domain_events import ExportReady
from backend.privacy.models import Erasure, ExportRequest, RetentionRun
from backend.privacy.storage import export_storage

logger = logging.getLogger(__name__)

State = ExportRequest.State


# Export


def export_request(*, user: User, now: datetime | None = None) -> tuple[ExportRequest, bool]:
    """Asks for her data: a worker builds the archive. While one is being built, or
    while one built in the last EXPORT_REUSE is still downloadable, asking again returns
    it (created False) and enqueues nothing: at most one archive a day."""
    now = now or timezone.now()
    building = ExportRequest.objects.filter(user=user, state=State.BUILDING).first()
    if building is not None:
        return building, False
    recent = (ExportRequest.objects.filter(user=user, state=State.READY, ready_at__gt=now - domain.EXPORT_REUSE,
                                           expires_at__gt=now).order_by("-ready_at").first())
    if recent is not None:
        return recent, False
    try:
        with transaction.atomic():
            export = ExportRequest.objects.create(user=user, requested_at=now)
            tasks.export_build.enqueue(export.pk)
    except IntegrityError:  # two requests racing: the first one wins
        return ExportRequest.objects.get(user=user, state=State.BUILDING), False
    return export, True


def export_body(export: ExportRequest, *, now: datetime | None = None) -> dict:
    """An export as the API and the export.ready frame show it: one past `expires_at`
    shows as expired, without a link, even before the sweep deletes its archive."""
    state = domain.export_state(state=export.state, expires_at=export.expires_at, now=now or timezone.now())
    ready = state == State.READY
    return {
        "id": export.pk,
        "state": state,
        "requested_at": export.requested_at.isoformat(),
        "ready_at": export.ready_at.isoformat() if export.ready_at else None,
        "expires_at": export.expires_at.isoformat() if export.expires_at else None,
        "size": export.size,
        "download_url": reverse("privacy-export-archive", args=[export.pk]) if ready else None,
    }


def _write_archive(user: User, path: str) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{domain.ARCHIVE_ROOT}/README.txt", domain.ARCHIVE_README)
        for name, exporter in personal_data.exporters().items():
            section = exporter(user)
            archive.writestr(domain.archive_path(name), orjson.dumps(section.data, option=orjson.OPT_INDENT_2))
            for item in section.files:
                with item.open() as source, archive.open(domain.archive_path(name, item.name), "w") as target:
                    for chunk in iter(lambda: source.read(1 << 16), b""):
                        target.write(chunk)


def export_build(*, export_id: int, now: datetime | None = None) -> ExportRequest | None:
    """Builds her archive (the worker's task): one JSON file per app's section (its
    registered exporter) and her files, zipped in the private exports directory; then
    she is told (export.ready, and push listens to ExportReady). Run again after a crash,
    it builds again; a built one is left as it is."""
    export = ExportRequest.objects.select_related("user").filter(pk=export_id, state=State.BUILDING).first()
    if export is None:
        return None
    storage = export_storage()
    with tempfile.NamedTemporaryFile(suffix=".zip") as scratch:
        _write_archive(export.user, scratch.name)
        scratch.seek(0)
        name = storage.save(f"{secrets.token_hex(16)}.zip", File(scratch))
    now = now or timezone.now()
    with transaction.atomic():
        locked = ExportRequest.objects.select_for_update().filter(pk=export_id, state=State.BUILDING).first()
        if locked is None:  # erased meanwhile
            transaction.on_commit(lambda: storage.delete(name))
            return None
        locked.state, locked.ready_at, locked.file_name = State.READY, now, name
        locked.expires_at = domain.export_expiry(ready_at=now, days=settings.PRIVACY_EXPORT_DAYS)
        locked.size = storage.size(name)
        locked.save(update_fields=["state", "ready_at", "expires_at", "file_name", "size"])
        events.tell_on_commit([locked.user_id], {"type": "export.ready", "export": export_body(locked, now=now)})
        domain_events.emit(ExportReady(user_id=locked.user_id, export_id=locked.pk, days=settings.PRIVACY_EXPORT_DAYS))
    return locked


def _delete_archives_on_commit(names: list[str]) -> None:
    storage = export_storage()

    def delete() -> None:
        for name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete)


def exports_expire(*, now: datetime) -> int:
    """The retention of archives: past `expires_at`, the file goes and the request says
    expired. So does, a day on, an archive no request names (its worker died between
    writing it and recording it; the task taken back wrote another)."""
    with transaction.atomic():
        expired = list(ExportRequest.objects.select_for_update(skip_locked=True).filter(
            state=State.READY, expires_at__lte=now))
        _delete_archives_on_commit([export.file_name for export in expired if export.file_name])
        ExportRequest.objects.filter(pk__in=[export.pk for export in expired]).update(
            state=State.EXPIRED, file_name="", size=0)
    storage = export_storage()
    if storage.exists(""):
        named = set(ExportRequest.objects.exclude(file_name="").values_list("file_name", flat=True))
        for name in storage.listdir("")[1]:
            if name not in named and storage.get_modified_time(name) <= now - timedelta(days=1):
                storage.delete(name)
    return len(expired)


def export_requests_prune(*, now: datetime, after_days: int) -> int:
    """The retention of export requests: `after_days` after its archive expired, the
    record that she asked goes too."""
    deleted, _ = ExportRequest.objects.filter(state=State.EXPIRED, expires_at__lte=now - timedelta(days=after_days)
                                              ).delete()
    return deleted


def account_erased(event: AccountErased) -> None:
    """Her exports go with her erasure (subscriber of AccountErased); the erasure is
    recorded under her pseudonym, with its cause."""
    exports = list(ExportRequest.objects.select_for_update().filter(user_id=event.user_id))
    _delete_archives_on_commit([export.file_name for export in exports if export.file_name])
    ExportRequest.objects.filter(pk__in=[export.pk for export in exports]).delete()
    Erasure.objects.create(pseudonym=event.pseudonym, cause=event.cause, at=event.at)


# Retention


def _inactivity_step_is(step: str, now: datetime) -> Callable[[User], bool]:
    """The inactivity rule (domain.inactivity_step) as a condition on her row, which
    accounts evaluates under the row's lock."""
    inactive_after = timedelta(days=settings.PRIVACY_INACTIVE_ACCOUNT_DAYS)
    grace = timedelta(days=settings.PRIVACY_INACTIVE_GRACE_DAYS)

    def holds(user: User) -> bool:
        return domain.inactivity_step(last_seen_at=user.last_seen_at, warned_at=user.inactivity_warned_at, now=now,
                                      inactive_after=inactive_after, grace=grace) == step

    return holds


def inactive_account_warn(*, user: User, now: datetime) -> bool:
    """Warns her if, under the lock, the inactivity rule says "warn"."""
    erase_on = timezone.localdate(now + timedelta(days=settings.PRIVACY_INACTIVE_GRACE_DAYS))
    return account_services.user_inactivity_warn(user=user, now=now, erase_on=erase_on,
                                                 only_if=_inactivity_step_is("warn", now))


def inactive_account_erase(*, user: User, now: datetime) -> bool:
    """Erases her if, under the lock, the inactivity rule says "erase": `user` may have
    been read before she came back, which cleared her warning."""
    return account_services.user_erase(user=user, cause=Erasure.Cause.INACTIVE, now=now,
                                       only_if=_inactivity_step_is("erase", now))


def inactive_accounts_sweep(*, now: datetime) -> int:
    """The inactivity rule: an account nobody logged in to for PRIVACY_INACTIVE_ACCOUNT_DAYS
    is warned (email and push), and erased PRIVACY_INACTIVE_GRACE_DAYS after the warning
    unless she came back (which clears the warning). The selectors find the candidates;
    each is decided again on her locked row. Returns the accounts erased."""
    inactive_after = timedelta(days=settings.PRIVACY_INACTIVE_ACCOUNT_DAYS)
    grace = timedelta(days=settings.PRIVACY_INACTIVE_GRACE_DAYS)
    for user in account_selectors.inactive_users(seen_before=now - inactive_after).iterator():
        inactive_account_warn(user=user, now=now)
    return sum(inactive_account_erase(user=user, now=now)
               for user in account_selectors.warned_users(warned_before=now - grace).iterator())


def task_results_prune(*, now: datetime, after_days: int) -> int:
    """Finished background tasks (their rows keep their arguments) go after `after_days`."""
    finished = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lte=now - timedelta(days=after_days)
    )
    deleted, _ = finished.delete()
    return deleted


def retention_runs_prune(*, now: datetime, after_days: int) -> int:
    """The sweep's own record (RetentionRun) goes after `after_days`."""
    deleted, _ = RetentionRun.objects.filter(at__lte=now - timedelta(days=after_days)).delete()
    return deleted


def retention_sweep(*, now: datetime) -> dict[str, int]:
    """Applies every rule (backend.common.retention, from each app) that this sweep applies, each
    run recorded (RetentionRun) and logged with its count: nothing goes silently."""
    counts = {}
    for rule in retention.rules():
        if rule.apply is None:
            continue
        counts[rule.key] = rule.apply(now)
        RetentionRun.objects.create(rule=rule.key, at=now, count=counts[rule.key])
        if counts[rule.key]:
            logger.info("retention %s: %d deleted", rule.key, counts[rule.key])
    return counts
