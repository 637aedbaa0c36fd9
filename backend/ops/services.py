"""The only place that writes the task workers' leases and takes tasks back.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again:
a worker killed with -9 leaves it RUNNING forever (django-tasks-db issue #5). Each worker
therefore renews a lease (a WorkerHeartbeat row) every TASKS_HEARTBEAT_SECONDS, and every
worker, as it renews its own, puts back in the queue the RUNNING tasks of workers whose
lease expired (TASKS_LEASE_SECONDS without renewal). This goes through the public fields
of django-tasks-db's model only: `status`, `worker_ids` (the last is the worker that
claimed it), `started_at`; the next claim appends a worker id, which is how the task
knows it runs again (backend/common/task_attempts.py).

Times of leases are the database server's (`Now()`), so that clocks of different machines
never disagree about who is dead."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from backend.common import metrics
from backend.ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """What a task that keeps losing its worker fails with (its exception class path)."""


def _ago(seconds: float) -> ExpressionWrapper:
    return ExpressionWrapper(Now() - timedelta(seconds=seconds), output_field=DateTimeField())


def worker_heartbeat_start(*, worker_id: str, hostname: str, pid: int) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": hostname[:255], "pid": pid, "started_at": timezone.now(), "seen_at": Now()},
    )


def worker_heartbeat_renew(*, worker_id: str) -> bool:
    """Renews the worker's lease. False when it had expired and another worker took its
    tasks back (and deleted the row): the worker must stop at once, since its task may
    now run elsewhere."""
    return WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=Now()) == 1


def worker_heartbeat_stop(*, worker_id: str) -> None:
    """A worker that exits cleanly gives up its lease: nothing of it is left to take back."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


@dataclass(frozen=True)
class TakenBack:
    task_id: str
    task_path: str
    worker_id: str
    attempts: int
    given_up: bool


def tasks_take_back(*, lease_seconds: float | None = None, max_attempts: int | None = None) -> list[TakenBack]:
    """Puts back in the queue (READY, to run at once) every RUNNING task whose worker's
    lease expired; a task whose workers died under it `max_attempts` times is marked
    FAILED instead (it is likelier to be what kills them than their bad luck). Logged and
    counted (voisins_tasks_taken_back_total, voisins_tasks_given_up_total)."""
    lease = lease_seconds if lease_seconds is not None else settings.TASKS_LEASE_SECONDS
    max_attempts = max_attempts or settings.TASKS_MAX_ATTEMPTS
    # First the expired leases go: a worker that was only stalled finds its row gone at
    # its next renewal and exits (backend/ops/worker.py). Whatever row is left is live.
    WorkerHeartbeat.objects.filter(seen_at__lt=_ago(lease)).delete()
    live = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    taken: list[TakenBack] = []
    # `started_at` older than the lease: a task is never taken back before it could have
    # been renewed once, whoever claimed it (a worker of an older release has no lease).
    running = (
        DBTaskResult.objects.running().filter(started_at__lt=_ago(lease))
        .values_list("id", "task_path", "worker_ids", "started_at")
    )
    for task_id, task_path, worker_ids, started_at in running:
        owner = worker_ids[-1] if worker_ids else ""
        if owner in live:
            continue
        given_up = len(worker_ids) >= max_attempts
        with transaction.atomic():
            # Guarded on what was read: a task another worker took back and claimed in the
            # meantime is left alone.
            still = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at)
            if given_up:
                changed = still.update(
                    status=TaskResultStatus.FAILED, finished_at=timezone.now(), return_value=None,
                    exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                    traceback=f"WorkerLost: the worker running it died {len(worker_ids)} times "
                              f"(workers {', '.join(worker_ids)}); not run again.",
                )
            else:
                changed = still.update(status=TaskResultStatus.READY)
        if not changed:
            continue
        item = TakenBack(str(task_id), task_path, owner, len(worker_ids), given_up)
        taken.append(item)
        if given_up:
            metrics.TASKS_GIVEN_UP.labels(task=task_path).inc()
            logger.error("task %s (%s) failed: its worker died under it %d times, last %s",
                         item.task_id, task_path, item.attempts, owner or "unknown")
        else:
            metrics.TASKS_TAKEN_BACK.labels(task=task_path).inc()
            logger.warning("task %s (%s) taken back: worker %s stopped renewing its lease for %s s; attempt %d next",
                           item.task_id, task_path, owner or "unknown", lease, item.attempts + 1)
    return taken
