from django.utils import timezone
from django_tasks import task

from backend.common.periodic import next_run_ensure, periodic_tasks
from backend.feed import services


@task()
def feed_sweep() -> dict[str, int]:
    """Expires posts, closes group purchases at their deadline, reminds borrowers."""
    now = timezone.now()
    next_run_ensure(feed_sweep, every=periodic_tasks()[feed_sweep], now=now)
    return {"posts_expired": services.posts_expire(now=now), "loans_reminded": services.loans_remind(now=now)}
