"""Reads for the readiness probe: can this process reach what it needs to serve?"""

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

from backend.common.busy import is_server_busy

logger = logging.getLogger(__name__)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError as exc:
        # Every pooled connection lent out is a busy process, not an unreachable database:
        # requests already get 503 server_busy, and taking every busy process out of the
        # load balancer at once would turn a storm into an outage.
        if is_server_busy(exc) and _pool_saturated():
            return "busy"
        raise
    finally:
        connection.close()  # back to the pool: this thread is one of asgiref's, kept for later


def _pool_saturated() -> bool:
    pool = getattr(connection, "pool", None)
    if pool is None:
        return False
    stats = pool.get_stats()
    return stats.get("pool_size", 0) >= stats.get("pool_max", 1) and stats.get("pool_available", 0) == 0


def _cache() -> str:
    cache.get("ops:readyz")  # raises when Redis is unreachable
    return "ok"


async def _channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        return "none"
    # A publish to a group nobody joined: one round trip to Redis with the pub/sub layer.
    await layer.group_send("ops.readyz", {"type": "ops.readyz"})
    return "ok"


async def readiness() -> dict[str, str]:
    """{dependency: "ok" | "busy" | "unreachable" | "timeout"}. Each check runs at once,
    the blocking ones in threads of their own (a hung one leaves its thread behind rather
    than hold the probe), and gets READYZ_TIMEOUT_SECONDS."""
    checks = {
        "database": sync_to_async(_database, thread_sensitive=False)(),
        "cache": sync_to_async(_cache, thread_sensitive=False)(),
        "channel_layer": _channel_layer(),
    }
    timeout = settings.READYZ_TIMEOUT_SECONDS
    results = await asyncio.gather(*(asyncio.wait_for(check, timeout) for check in checks.values()),
                                   return_exceptions=True)
    states: dict[str, str] = {}
    for name, result in zip(checks, results):
        if isinstance(result, TimeoutError):
            states[name] = "timeout"
        elif isinstance(result, BaseException):
            states[name] = "unreachable"
            logger.warning("readiness: %s unreachable (%s)", name, result.__class__.__name__)
        else:
            states[name] = result
    return states
