"""The lease of a task worker process (see backend/ops/services.py), kept by two threads
of its own so that a long task never starves it:

- the heartbeat renews the lease every TASKS_HEARTBEAT_SECONDS and, in the same beat,
  takes back the tasks of workers whose lease expired;
- the watchdog ends the process (exit code 70) when the lease could not be renewed for
  most of TASKS_LEASE_SECONDS (database unreachable, process frozen, row deleted): by
  then another worker may take its task back, and one task must not run twice at once.
  The process manager restarts it."""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection

from backend.common import metrics
from backend.ops import services

logger = logging.getLogger(__name__)

EXIT_LEASE_LOST = 70
# The watchdog gives up this share of the lease after the last renewal: the rest is the
# margin before another worker may take the task back.
WATCHDOG_SHARE = 0.8


class LeaseKeeper:
    def __init__(
        self, *, worker_id: str, lease_seconds: float | None = None, every_seconds: float | None = None
    ) -> None:
        self.worker_id = worker_id
        self.lease = lease_seconds or settings.TASKS_LEASE_SECONDS
        self.every = every_seconds or settings.TASKS_HEARTBEAT_SECONDS
        self._stopping = threading.Event()
        self._renewed = time.monotonic()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Takes the lease, takes back what dead workers left (a worker restarting after a
        crash recovers its own task here once its old lease expired), then keeps it."""
        services.worker_heartbeat_start(worker_id=self.worker_id, hostname=socket.gethostname(), pid=os.getpid())
        self._renewed = time.monotonic()
        metrics.WORKER_HEARTBEAT.set_to_current_time()
        services.tasks_take_back(lease_seconds=self.lease)
        for target, name in ((self._heartbeat, "lease-heartbeat"), (self._watchdog, "lease-watchdog")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=self.every + 5)
        try:
            services.worker_heartbeat_stop(worker_id=self.worker_id)
        except DatabaseError:
            logger.warning("worker %s could not give up its lease; it expires in %s s", self.worker_id, self.lease)

    def _heartbeat(self) -> None:
        while not self._stopping.wait(self.every):
            try:
                if not services.worker_heartbeat_renew(worker_id=self.worker_id):
                    self._exit("its lease was taken while it could not renew it")
                self._renewed = time.monotonic()
                metrics.WORKER_HEARTBEAT.set_to_current_time()
                services.tasks_take_back(lease_seconds=self.lease)
            except DatabaseError as exc:
                logger.warning("worker %s could not renew its lease: %s", self.worker_id, exc.__class__.__name__)
            finally:
                # One connection per beat, given back at once (to the pool, where there is one).
                connection.close()

    def _watchdog(self) -> None:
        while not self._stopping.wait(1.0):
            if time.monotonic() - self._renewed > self.lease * WATCHDOG_SHARE:
                self._exit(f"its lease was not renewed for {self.lease * WATCHDOG_SHARE:.0f} s")

    def _exit(self, why: str) -> None:
        logger.critical("worker %s exits: %s; its running task will be taken back by another worker",
                        self.worker_id, why)
        logging.shutdown()
        os._exit(EXIT_LEASE_LOST)
