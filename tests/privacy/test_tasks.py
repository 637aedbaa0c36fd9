"""The privacy tasks in the real worker (manage.py db_worker): her archive is built, and
the retention sweep runs and schedules its next run."""

import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from backend.privacy import services
from backend.privacy.models import ExportRequest, RetentionRun
from backend.privacy.tasks import retention_sweep

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_builds_her_archive(member, run_worker):
    export, _ = services.export_request(user=member)
    run_worker()
    export = ExportRequest.objects.get(pk=export.pk)
    assert export.state == "ready"
    with services.export_storage().open(export.file_name, "rb") as archive:
        names = zipfile.ZipFile(archive).namelist()
    assert "voisins-export/account.json" in names and "voisins-export/trust.json" in names


def test_the_worker_runs_the_retention_sweep_which_schedules_its_next_run(settings, run_worker):
    retention_sweep.enqueue()
    run_worker()
    done = DBTaskResult.objects.get(task_path=retention_sweep.module_path, status=TaskResultStatus.SUCCESSFUL)
    assert done.return_value["exports"] == 0 and RetentionRun.objects.filter(rule="exports").count() == 1
    [following] = DBTaskResult.objects.filter(task_path=retention_sweep.module_path, status=TaskResultStatus.READY)
    expected = timezone.now() + timedelta(seconds=settings.PERIODIC_TASKS[retention_sweep.module_path])
    assert abs((following.run_after - expected).total_seconds()) < 5
