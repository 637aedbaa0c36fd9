from django.utils import timezone
from django_tasks import task

from backend.common.periodic import next_run_ensure, periodic_tasks
from backend.photos import services


@task()
def photos_sweep() -> dict[str, int]:
    """Deletes the photos nobody attached within PHOTOS_UNATTACHED_SECONDS."""
    now = timezone.now()
    next_run_ensure(photos_sweep, every=periodic_tasks()[photos_sweep], now=now)
    return {"images_deleted": services.images_sweep(now=now)}
