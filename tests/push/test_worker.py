"""The Procfile's worker, as a real process, killed in the middle of a batch."""

import signal
import subprocess
import sys

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from backend.chat.models import Room
from backend.chat.services import rooms_ensure_default
from backend.push.models import Delivery
from backend.push.tasks import messages_push
from tests.conftest import ROOT, _process_env, make_membership, make_user
from tests.push.test_services import post

pytestmark = pytest.mark.django_db(transaction=True)


def fcm_env(fcm) -> dict:
    return {"PUSH_BACKEND": "fcm", "PUSH_FCM_ENDPOINT": fcm.url, "PUSH_DELAY_SECONDS": "0"}


def test_a_worker_killed_between_send_and_bookkeeping_never_sends_twice(fcm, phone, member, saint_malo, run_worker):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    room = Room.objects.get(neighbourhood=saint_malo, kind="default")
    for name in ("nina", "olga"):
        user = make_user(f"{name}@example.org")
        make_membership(user, saint_malo, state="verified")
        phone(user, f"{name}-phone")
    fcm.hold.add("olga-phone")  # FCM takes her push but does not answer yet
    post(member, room)
    [task] = DBTaskResult.objects.filter(task_path=messages_push.module_path)

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT, env=_process_env(**fcm_env(fcm)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        fcm.wait_for(2)  # both pushes reached FCM; the worker waits for the last answer
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        fcm.released.set()
    assert sorted(Delivery.objects.values_list("state", flat=True)) == ["claimed", "claimed"]

    # Another task for the same message sends nothing twice: what the dead one claimed is
    # its own, sent again by its next attempt once its lease expires (test_worker_crash.py).
    messages_push.enqueue(*task.args_kwargs["args"])
    run_worker(**fcm_env(fcm))
    assert sorted(fcm.tokens_sent()) == ["nina-phone", "olga-phone"]
    assert DBTaskResult.objects.filter(task_path=messages_push.module_path,
                                       status=TaskResultStatus.SUCCESSFUL).count() == 1


def test_the_worker_sends_a_committed_message_after_the_delay(fcm, phone, member, saint_malo, run_worker):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    room = Room.objects.get(neighbourhood=saint_malo, kind="default")
    nina = make_user("nina@example.org", language="fr")
    make_membership(nina, saint_malo, state="verified")
    phone(nina, "nina-phone")
    post(member, room, "Réunion ce soir")
    run_worker(**fcm_env(fcm))
    assert fcm.tokens_sent() == ["nina-phone"]
    assert fcm.sent[0]["notification"]["body"] == "Réunion ce soir"
    assert Delivery.objects.get().state == "sent"
