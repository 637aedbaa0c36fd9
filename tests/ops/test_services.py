"""The workers' lease: which RUNNING tasks are taken back, and which are not."""

from datetime import timedelta

import pytest
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from backend.ops import services
from backend.ops.models import WorkerHeartbeat
from backend.push.tasks import devices_prune

pytestmark = pytest.mark.django_db

LEASE = 30


def running_task(*worker_ids: str, started_ago: float = LEASE + 5) -> DBTaskResult:
    result = devices_prune.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=list(worker_ids),
        started_at=timezone.now() - timedelta(seconds=started_ago),
    )
    return DBTaskResult.objects.get(pk=result.id)


def heartbeat(worker_id: str, *, seconds_ago: float) -> None:
    services.worker_heartbeat_start(worker_id=worker_id, hostname="test", pid=1)
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=Now() - timedelta(seconds=seconds_ago))


def test_the_task_of_a_worker_whose_lease_expired_goes_back_in_the_queue(caplog):
    heartbeat("dead", seconds_ago=LEASE + 1)
    task = running_task("dead")
    [taken] = services.tasks_take_back(lease_seconds=LEASE)
    assert (taken.worker_id, taken.given_up) == ("dead", False)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()  # a worker picks it up at once
    # Its lease is gone: were it only stalled, its next renewal fails and it exits.
    assert not services.worker_heartbeat_renew(worker_id="dead")
    assert "taken back: worker dead stopped renewing its lease" in caplog.text


def test_a_live_worker_keeps_its_task_however_long_it_runs():
    heartbeat("alive", seconds_ago=1)
    task = running_task("alive", started_ago=3600)
    assert services.tasks_take_back(lease_seconds=LEASE) == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING
    assert services.worker_heartbeat_renew(worker_id="alive")


def test_a_task_is_not_taken_back_before_it_ran_for_a_lease():
    # Its worker left no lease (a worker of an older release, say): it gets one lease of time.
    fresh = running_task("unknown", started_ago=5)
    old = running_task("unknown", started_ago=LEASE + 5)
    assert [t.task_id for t in services.tasks_take_back(lease_seconds=LEASE)] == [str(old.pk)]
    fresh.refresh_from_db()
    assert fresh.status == TaskResultStatus.RUNNING


def test_a_task_whose_workers_keep_dying_is_failed_not_run_again(caplog):
    task = running_task("w1", "w2", "w3")
    [taken] = services.tasks_take_back(lease_seconds=LEASE, max_attempts=3)
    assert taken.given_up
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "backend.ops.services.WorkerLost"
    assert "died under it 3 times" in caplog.text


def test_a_worker_that_stops_cleanly_leaves_nothing_to_take_back():
    heartbeat("leaving", seconds_ago=0)
    services.worker_heartbeat_stop(worker_id="leaving")
    assert not WorkerHeartbeat.objects.exists()
