from django.db import models


class WorkerHeartbeat(models.Model):
    """A running task worker and the last time it renewed its lease. A worker whose row is
    older than TASKS_LEASE_SECONDS is taken for dead: its running tasks go back in the
    queue and its row is deleted, which tells it, if it was only stalled, to exit."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()
