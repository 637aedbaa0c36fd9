"""`manage.py db_worker`: django-tasks-db's worker, unchanged, plus a lease.

It keeps the name of the command it extends (the ops app comes before django_tasks_db in
INSTALLED_APPS) so that no worker ever runs without a lease: a worker without one would
see its long tasks taken back from under it by the others. What the lease does is in
backend/ops/services.py and backend/ops/worker.py; with METRICS_PORT set, the worker also
serves its metrics (backend/ops/exposition.py)."""

import os
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from backend.ops.exposition import metrics_serve
from backend.ops.worker import LeaseKeeper


class Command(db_worker.Command):
    help = "Run a database background worker that keeps a lease, so that its tasks are taken back if it dies."

    def handle(self, *args: Any, worker_id: str, reload: bool, batch: bool, **options: Any) -> None:
        if reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent only starts and restarts its child, which runs the
            # tasks: the child keeps the lease.
            return super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
        pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
        if isinstance(pool, dict) and pool.get("max_size", 2) < 2:
            raise CommandError("The worker needs DB_POOL_MAX >= 2: one connection runs tasks, one renews the lease.")
        keeper = LeaseKeeper(worker_id=worker_id)
        keeper.start()
        # With the autoreloader this thread only watches files from now on: it must not
        # keep a pooled connection.
        connections.close_all()
        server = metrics_serve(port=settings.METRICS_PORT) if settings.METRICS_PORT else None
        try:
            super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
        finally:
            if server is not None:
                server.shutdown()
            keeper.stop()
            connections.close_all()
