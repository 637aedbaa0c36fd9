"""Fixed-window counters in the cache (Redis in production), shared by every rate limit:
login failures, messages per user. A window is aligned on the clock, so a counter is
one key that expires with its window."""

import hashlib
import math
from dataclasses import dataclass

from django.core.cache import cache


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
    key = limit.key(identity, now)
    try:
        return cache.incr(key, events)  # one round trip, but for the first events of a window
    except ValueError:
        if cache.add(key, events, limit.window_seconds + 1):
            return events
        return cache.incr(key, events)  # another process started the window meanwhile


def allowed(limit: RateLimit, identity: str, now: float, events: int) -> int:
    """Counts `events` and returns how many of them, the first ones, are within the limit."""
    count = hit(limit, identity, now, events)
    return max(0, min(events, limit.limit - (count - events)))
