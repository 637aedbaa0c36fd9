"""Redis clients that live as long as the process.

Django keeps cache backends per thread and per asynchronous context, and each new
RedisCache builds a connection pool of its own: under ASGI every request, and every
batch of messages the chat outbox stores from a new task, opened a new connection to
Redis (django/django#18459), paying the connect, the handshake and redis-py reading its
own version from the installed packages' metadata each time."""

import threading
from functools import cached_property
from typing import Any

import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_lock = threading.RLock()
_cache_clients: dict[str, RedisCacheClient] = {}
_clients: dict[str, redis.Redis] = {}


class _SharedClient(RedisCacheClient):
    """Django's client, whose pools are made on first use: shared by threads, it makes
    each one once (unlocked, two threads could each make one and leave one behind)."""

    def _get_connection_pool(self, write: bool) -> Any:
        with _lock:
            return super()._get_connection_pool(write)


class ProcessRedisCache(RedisCache):
    """Django's RedisCache whose client, and its connection pools, one process shares
    for a given location and options."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _SharedClient

    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = repr((self._servers, sorted(self._options.items())))
        with _lock:
            if key not in _cache_clients:
                _cache_clients[key] = self._class(self._servers, **self._options)
            return _cache_clients[key]


def redis_client() -> redis.Redis:
    """The process's synchronous client of REDIS_URL (thread-safe: its pool lends each
    command a connection)."""
    url: Any = settings.REDIS_URL
    with _lock:
        if url not in _clients:
            _clients[url] = redis.Redis.from_url(url)
        return _clients[url]
