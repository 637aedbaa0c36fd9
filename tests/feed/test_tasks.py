from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from backend.feed.models import Post
from backend.feed.tasks import feed_sweep

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_sweeps():
    return DBTaskResult.objects.filter(task_path=feed_sweep.module_path, status=TaskResultStatus.READY)


def test_the_worker_runs_the_sweep_which_schedules_its_next_run(post_of, member, settings, run_worker):
    post = post_of(member, "classified")
    Post.objects.filter(pk=post.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    feed_sweep.enqueue()
    run_worker()
    assert Post.objects.get(pk=post.pk).status == "expired"
    done = DBTaskResult.objects.get(task_path=feed_sweep.module_path, status=TaskResultStatus.SUCCESSFUL)
    assert done.return_value == {"posts_expired": 1, "loans_reminded": 0}
    [following] = waiting_sweeps()
    expected = timezone.now() + timedelta(seconds=settings.PERIODIC_TASKS[feed_sweep.module_path])
    assert abs((following.run_after - expected).total_seconds()) < 5


def test_schedule_periodic_starts_one_chain_only():
    call_command("schedule_periodic", verbosity=0)
    call_command("schedule_periodic", verbosity=0)
    assert waiting_sweeps().count() == 1
    feed_sweep.call()  # a run while the next one waits adds no other
    assert waiting_sweeps().count() == 1
