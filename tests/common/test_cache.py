import asyncio
import contextvars

import pytest
from channels.db import database_sync_to_async
from django.core.cache import caches

from backend.common import ratelimit
from backend.common.cache import redis_client

pytestmark = pytest.mark.django_db(transaction=True)


def _connections_received() -> int:
    return redis_client().info("stats")["total_connections_received"]


async def test_a_new_context_each_time_reuses_the_process_s_redis_connections(settings):
    """The chat outbox stores each batch from a new task, and an ASGI server serves each
    request in a new context: each got a new cache backend, and Django's RedisCache a
    new connection pool, so every batch opened a connection to Redis."""
    if not settings.REDIS_URL:
        pytest.skip("Redis's connections")
    limit = ratelimit.RateLimit("test-cache", 1000, 60)
    await database_sync_to_async(ratelimit.hit)(limit, "warm", 100.0)
    before = await database_sync_to_async(_connections_received)()
    for _ in range(20):
        # A context of its own, as a task started by another socket or request has.
        await asyncio.create_task(
            database_sync_to_async(ratelimit.hit)(limit, "ann", 100.0), context=contextvars.Context()
        )
    # One more at most, should another thread of this process (the in-process task
    # workers) need a second connection of the shared pool meanwhile.
    assert await database_sync_to_async(_connections_received)() - before <= 1
    assert await database_sync_to_async(ratelimit.hit)(limit, "ann", 100.0) == 21


def test_every_thread_s_cache_backend_shares_one_client(settings):
    if not settings.REDIS_URL:
        pytest.skip("Redis's client")
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        clients = list(pool.map(lambda _: caches["default"]._cache, range(4)))
    assert {id(client) for client in clients} == {id(caches["default"]._cache)}
