"""The Procfile's worker, a real process, killed with -9 while it sends one message's
pushes to 300 phones, then started again: its task is taken back after its lease and
every phone gets the push. Only the pushes FCM had received but the worker had not yet
recorded arrive twice, each time under the same tag, so the phone shows one."""

import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from backend.chat.models import Room
from backend.chat.services import rooms_ensure_default
from backend.push.models import Delivery, Device
from backend.push.tasks import messages_push
from tests import servers
from tests.conftest import ROOT, _process_env, make_membership, make_user
from tests.push.test_services import post
from tests.push.test_worker import fcm_env

pytestmark = pytest.mark.django_db(transaction=True)

PHONES = 300
# Short leases so that the test waits seconds, not the production 30 s.
LEASE = {"TASKS_LEASE_SECONDS": "3", "TASKS_HEARTBEAT_SECONDS": "0.5"}
METRICS_TOKEN = "scraper-secret"


def start_worker(env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT, env=_process_env(**env), stdout=log, stderr=subprocess.STDOUT,
    )


def wait_until(check, *, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def scrape(port: int, token: str | None) -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


def test_a_worker_killed_mid_send_has_its_task_taken_back_and_every_phone_pushed(fcm, member, saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    room = Room.objects.get(neighbourhood=saint_malo, kind="default")
    neighbours = [make_user(f"n{i}@example.org") for i in range(PHONES)]
    for user in neighbours:
        make_membership(user, saint_malo, state="verified")
    now = timezone.now()
    Device.objects.bulk_create(
        Device(user=user, token=f"phone-{user.pk}", platform="android", created_at=now, last_seen_at=now)
        for user in neighbours
    )
    tokens = list(Device.objects.order_by("pk").values_list("token", flat=True))
    # A slow FCM, and one phone of the second hundred whose answer does not come: the
    # worker has recorded the first hundred, sent the second and waits on it, when killed.
    fcm.delay = 0.005
    fcm.hold.add(tokens[150])
    post(member, room)
    metrics_port = servers.free_port()
    env = {**fcm_env(fcm), **LEASE, "METRICS_PORT": metrics_port, "METRICS_TOKEN": METRICS_TOKEN,
           "LOG_LEVEL": "WARNING"}

    with tempfile.TemporaryFile("w+") as first_log:
        first = start_worker(env, first_log)
        try:
            fcm.wait_for(200, timeout=60)
            wait_until(lambda: Delivery.objects.filter(state="sent").count() == 100, what="the first hundred recorded")
        finally:
            first.kill()  # SIGKILL: no clean-up of any kind
            first.wait(10)
    fcm.hold.clear()
    fcm.released.set()

    [task] = DBTaskResult.objects.filter(task_path=messages_push.module_path)
    assert task.status == TaskResultStatus.RUNNING  # what django-tasks-db alone leaves forever
    reached = set(fcm.tokens_sent())
    confirmed = set(Delivery.objects.filter(state="sent").values_list("device__token", flat=True))
    in_flight = reached - confirmed
    assert len(confirmed) == 100 and len(in_flight) == 100 and len(reached) == 200
    assert Delivery.objects.filter(state="claimed").count() == 200

    with tempfile.TemporaryFile("w+") as second_log:
        second = start_worker(env, second_log)
        try:
            wait_until(lambda: Delivery.objects.filter(state="sent").count() == PHONES, what="every push recorded")
            task.refresh_from_db()
            wait_until(lambda: DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.SUCCESSFUL,
                       what="the task to succeed")
            with pytest.raises(urllib.error.HTTPError) as refused:
                scrape(metrics_port, None)
            assert refused.value.code == 403
            metrics = scrape(metrics_port, METRICS_TOKEN)
        finally:
            second.terminate()
            second.wait(10)
        second_log.seek(0)
        log = second_log.read()

    # Every phone got the push; the only ones that got it twice are those in flight.
    counts = Counter(fcm.tokens_sent())
    assert set(counts) == set(tokens)
    assert {token for token, n in counts.items() if n > 1} == in_flight
    assert max(counts.values()) == 2
    # Twice the same notification, under the same tag and collapse id: the phone shows one.
    by_token: dict[str, list[dict]] = {}
    for message in fcm.sent:
        by_token.setdefault(message["token"], []).append(message)
    for token in in_flight:
        first_push, second_push = by_token[token]
        assert first_push == second_push
        assert first_push["android"]["notification"]["tag"] == f"room-{room.pk}"
        assert first_push["apns"]["headers"]["apns-collapse-id"] == f"room-{room.pk}"

    # The task ran twice, under two workers, and that was logged and counted.
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and len(task.worker_ids) == 2
    assert f"task {task.pk} ({messages_push.module_path}) taken back" in log
    assert "sends again 200 push(es) a dead worker claimed" in log
    assert f'voisins_tasks_taken_back_total{{task="{messages_push.module_path}"}} 1.0' in metrics
    assert "voisins_push_taken_back_total 200.0" in metrics
    assert "voisins_push_sent_total 200.0" in metrics
