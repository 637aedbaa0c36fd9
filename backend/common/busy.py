"""A process out of database connections: its pool (DATABASES OPTIONS["pool"]) had none
free within DB_POOL_TIMEOUT, or its queue of waiting callers was full. The caller is told
to come back (503 server_busy with Retry-After) instead of getting a server error; this
module recognises the case and counts it (voisins_http_busy_total)."""

import logging
import time

from django.conf import settings

from backend.common import metrics

logger = logging.getLogger(__name__)
_LOG_EVERY_SECONDS = 10.0
_last_logged = 0.0
_refused_since_log = 0


def is_server_busy(exc: BaseException | None) -> bool:
    """True when `exc` is, or was caused by, psycopg_pool's PoolTimeout or TooManyRequests
    (Django wraps them in its own OperationalError)."""
    try:
        from psycopg_pool import PoolTimeout, TooManyRequests
    except ImportError:  # no pool without psycopg_pool
        return False
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (PoolTimeout, TooManyRequests)):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def busy_refused() -> int:
    """Counts a request refused for want of a connection; returns its Retry-After. Logs
    at most one line per 10 s: a storm refuses thousands, the metric counts them all."""
    global _last_logged, _refused_since_log
    metrics.HTTP_BUSY.inc()
    _refused_since_log += 1
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY_SECONDS:
        logger.warning("database pool exhausted: %d request(s) answered 503 server_busy since the last report",
                       _refused_since_log)
        _last_logged, _refused_since_log = now, 0
    return settings.SERVER_BUSY_RETRY_AFTER
