"""The lease as real worker processes keep it."""

import subprocess
import sys
import time

import pytest

from backend.ops.models import WorkerHeartbeat
from backend.ops.worker import EXIT_LEASE_LOST
from tests.conftest import ROOT, _process_env

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = {"TASKS_LEASE_SECONDS": "3", "TASKS_HEARTBEAT_SECONDS": "0.5"}


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1", "--worker-id", "w-test"],
        cwd=ROOT, env=_process_env(**LEASE), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def wait_until(check, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_worker_holds_a_lease_while_it_runs_and_gives_it_up_when_stopped():
    worker = start_worker()
    try:
        wait_until(lambda: WorkerHeartbeat.objects.filter(worker_id="w-test").exists())
        first = WorkerHeartbeat.objects.get().seen_at
        wait_until(lambda: WorkerHeartbeat.objects.get().seen_at > first)  # renewed
    finally:
        worker.terminate()
        worker.wait(10)
    assert worker.returncode == 0
    assert not WorkerHeartbeat.objects.exists()


def test_a_worker_whose_lease_was_taken_exits_at_once():
    # Another worker took its lease (it looked dead): it must not go on with its task.
    worker = start_worker()
    try:
        wait_until(lambda: WorkerHeartbeat.objects.filter(worker_id="w-test").exists())
        WorkerHeartbeat.objects.all().delete()
        assert worker.wait(10) == EXIT_LEASE_LOST
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert "its lease was taken" in worker.stderr.read()
