"""Every Prometheus metric of Voisins, in one place, so that any app increments them
without importing another app (`from backend.common import metrics`).

Per process: each process (web or worker) counts in its own registry and serves it itself
(web: GET /metrics; worker: METRICS_PORT), and Prometheus scrapes every process as its own
target, then sums (`sum by (job)`). No PROMETHEUS_MULTIPROC_DIR: the processes of a
Procfile deploy do not share a disk, and a shared directory would outlive the processes
that wrote it. See docs/operations.md for what each metric tells an operator."""

from collections.abc import Iterator

from prometheus_client import REGISTRY, Counter, Gauge, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

# No `_created` series beside each counter: twice the series for what rate() never reads.
disable_created_metrics()

# Push (the worker)

PUSH_SENT = Counter("voisins_push_sent", "Pushes FCM accepted.")
PUSH_FAILED = Counter(
    "voisins_push_failed", "Pushes given up: `dropped` (the device is gone), `failed` (refused, or out of attempts).",
    ["outcome"],
)
PUSH_RETRIED = Counter("voisins_push_retried", "Pushes left to send again after a transient FCM error.")
PUSH_TAKEN_BACK = Counter(
    "voisins_push_taken_back",
    "Pushes claimed by a task attempt whose worker died before confirming them, sent again by the task's next attempt.",
)

# Tasks (the worker's lease: backend/ops/services.py)

TASKS_TAKEN_BACK = Counter(
    "voisins_tasks_taken_back", "Tasks put back in the queue because their worker stopped renewing its lease.", ["task"]
)
TASKS_GIVEN_UP = Counter(
    "voisins_tasks_given_up", "Tasks marked failed after their workers died under them too many times.", ["task"]
)
WORKER_HEARTBEAT = Gauge(
    "voisins_worker_heartbeat_timestamp_seconds", "When this worker last renewed its lease (Unix time)."
)

# Chat

MESSAGES_STORED = Counter("voisins_messages_stored", "Chat messages committed.")

# HTTP

HTTP_BUSY = Counter(
    "voisins_http_busy", "Requests answered 503 server_busy because the database pool had no connection in time."
)
HTTP_SERVER_ERRORS = Counter("voisins_http_server_errors", "Requests answered 500 server_error (unexpected errors).")

# WebSockets: defined here for the socket side to count (chat increments them).

WS_OPEN = Gauge("voisins_ws_open_sockets", "Sockets open on this process.")
WS_CONNECTS = Counter("voisins_ws_connects", "Sockets accepted.")
WS_CLOSES = Counter(
    "voisins_ws_closes", "Sockets refused or closed by the server, by close code (4000-4999: see the contract).",
    ["code"],
)
WS_FRAMES_DELIVERED = Counter("voisins_ws_frames_delivered", "Frames handed to sockets.")
WS_RESYNCS = Counter("voisins_ws_resyncs", "Resync notices sent to sockets after the channel layer came back.")


class DatabasePoolCollector(Collector):
    """The PostgreSQL connection pool of this process (DATABASES OPTIONS["pool"]), read
    from psycopg_pool's own statistics when Prometheus scrapes. Nothing when the database
    has no pool (SQLite, or DB_POOL_MAX=0)."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    def describe(self) -> list:
        # Nothing to read at registration: the pool is looked at when scraped.
        return []

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        from django.db import connections

        pool = getattr(connections[self.alias], "pool", None)
        if pool is None:
            return
        stats = pool.get_stats()
        size, available = stats.get("pool_size", 0), stats.get("pool_available", 0)
        yield GaugeMetricFamily("voisins_db_pool_max", "Connections the pool may open.", value=stats.get("pool_max", 0))
        yield GaugeMetricFamily("voisins_db_pool_open", "Connections the pool holds, in use or idle.", value=size)
        yield GaugeMetricFamily("voisins_db_pool_in_use", "Connections lent out now.", value=size - available)
        yield GaugeMetricFamily(
            "voisins_db_pool_waiting", "Callers waiting for a connection now.", value=stats.get("requests_waiting", 0)
        )
        yield CounterMetricFamily(
            "voisins_db_pool_timeouts", "Callers that got no connection in DB_POOL_TIMEOUT (or found the queue full).",
            value=stats.get("requests_errors", 0),
        )
        yield CounterMetricFamily(
            "voisins_db_pool_connection_errors", "Failed attempts to open a connection.",
            value=stats.get("connections_errors", 0),
        )


REGISTRY.register(DatabasePoolCollector())
