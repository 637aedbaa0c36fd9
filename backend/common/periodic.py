"""Periodic work on the Django Tasks database queue, with no scheduler process: a
periodic task first enqueues its next run, then works. `manage.py schedule_periodic`
(run by the Procfile's release) starts each chain once; a chain that finds its next run
already waiting does not add another, so duplicates die out."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult


def next_run_ensure(task: Task, *, every: timedelta, now: datetime | None = None) -> bool:
    """Enqueues the next run of `task` unless one is waiting; True if it enqueued."""
    if DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY).exists():
        return False
    task.using(run_after=(now or timezone.now()) + every).enqueue()
    return True


def periodic_tasks() -> dict[Task, timedelta]:
    return {import_string(path): timedelta(seconds=seconds) for path, seconds in settings.PERIODIC_TASKS.items()}
