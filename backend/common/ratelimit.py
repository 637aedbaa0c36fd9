"""Fixed-window counters in the cache (Redis in production), shared by every rate limit:
login failures, messages per user. A window is aligned on the clock, so a counter is
one key that expires with its window."""

import hashlib
import math
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache


@dataclass(frozen=True)
class RateLimit:
    name: str
    limit: int
    window_seconds: int

    def key(self, identity: str, now: float) -> str:
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        return f"rate:{self.name}:{digest}:{int(now // self.window_seconds)}"

    def retry_after(self, now: float) -> int:
        """Seconds until the current window ends."""
        return max(1, math.ceil(self.window_seconds - now % self.window_seconds))


def exceeded(checks: list[tuple[RateLimit, str]], now: float) -> int | None:
    """Retry delay if any of these counters already reached its limit, else None."""
    keys = [limit.key(identity, now) for limit, identity in checks]
    counts = cache.get_many(keys)
    delays = [limit.retry_after(now) for (limit, _), key in zip(checks, keys) if counts.get(key, 0) >= limit.limit]
    return max(delays) if delays else None


def hit(limit: RateLimit, identity: str, now: float, events: int = 1) -> int:
    """Counts events and returns the count of the window so far."""
    return hit_many(limit, {identity: events}, now)[identity]


def hit_many(limit: RateLimit, events: dict[str, int], now: float) -> dict[str, int]:
    """Counts events of many identities: {identity: the count of its window so far}.
    On Redis, one round trip for all of them: a batch of messages from many authors is
    counted at once."""
    if not events:
        return {}
    keys = {identity: limit.key(identity, now) for identity in events}
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return dict(zip(events, _redis_incr(backend, keys, events, limit.window_seconds + 1)))
    return {identity: _incr(keys[identity], count, limit.window_seconds + 1) for identity, count in events.items()}


def _redis_incr(backend: RedisCache, keys: dict[str, str], events: dict[str, int], timeout: int) -> list[int]:
    # The key is created with its expiry (SET NX EX), then incremented: a counter never
    # outlives its window, whoever starts it. Django's RedisCache stores integers as
    # they are, so cache.get reads these counters.
    full_keys = {identity: backend.make_and_validate_key(key) for identity, key in keys.items()}
    client = backend._cache.get_client(write=True)
    pipeline = client.pipeline(transaction=True)  # MULTI/EXEC: the key cannot expire in between
    for identity, key in full_keys.items():
        pipeline.set(key, 0, ex=timeout, nx=True)
        pipeline.incrby(key, events[identity])
    return pipeline.execute()[1::2]


def _incr(key: str, events: int, timeout: int) -> int:
    try:
        return cache.incr(key, events)
    except ValueError:
        if cache.add(key, events, timeout):
            return events
        return cache.incr(key, events)  # another process started the window meanwhile


def allowed(limit: RateLimit, identity: str, now: float, events: int) -> int:
    """Counts `events` and returns how many of them, the first ones, are within the limit."""
    return allowed_many(limit, {identity: events}, now)[identity]


def allowed_many(limit: RateLimit, events: dict[str, int], now: float) -> dict[str, int]:
    """`allowed` for many identities at once: {identity: how many of its events are within}."""
    counts = hit_many(limit, events, now)
    return {identity: max(0, min(n, limit.limit - (counts[identity] - n))) for identity, n in events.items()}
