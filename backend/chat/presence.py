"""Who is online, from real sockets of every server process.

Each socket is an entry that expires unless its process refreshes it, so a process
that dies takes its sockets out of presence within CHAT_PRESENCE_TTL_SECONDS. Redis
holds the entries in production; the embedded default keeps them in memory (one
process)."""

import time
from collections import defaultdict
from dataclasses import dataclass

import redis
import redis.asyncio as aioredis
from django.conf import settings


@dataclass(frozen=True)
class SocketEntry:
    socket_id: str
    user_id: int
    neighbourhood_ids: tuple[int, ...]
    room_ids: frozenset[int] = frozenset()  # the rooms it is subscribed to


def _room_key(room_id: int) -> str:
    return f"presence:room:{room_id}"


def _watcher(entry: SocketEntry) -> str:
    return f"{entry.user_id}:{entry.socket_id}"


def watching_users(room_id: int) -> set[int]:
    """Users with a live socket subscribed to the room, on any server process; for the
    push worker, which runs in a process of its own (so, without Redis, nobody)."""
    if not settings.REDIS_URL:
        return set()
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        members = client.zrangebyscore(_room_key(room_id), time.time(), "+inf")
    finally:
        client.close()
    return {int(member.split(b":", 1)[0]) for member in members}


class RedisPresence:
    def __init__(self, url: str) -> None:
        # Thousands of sockets may connect at once: they wait for one of a few
        # connections rather than each opening its own.
        pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=32, timeout=20)
        self.redis = aioredis.Redis(connection_pool=pool)

    @staticmethod
    def _user_key(user_id: int) -> str:
        return f"presence:user:{user_id}"

    @staticmethod
    def _neighbourhood_key(neighbourhood_id: int) -> str:
        return f"presence:nbh:{neighbourhood_id}"

    async def sockets_of(self, user_id: int) -> int:
        now = time.time()
        key = self._user_key(user_id)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(key, "-inf", now)
            pipe.zcard(key)
            _, count = await pipe.execute()
        return count

    async def connect(self, entry: SocketEntry) -> bool:
        """Adds the socket; True when it is the user's first (she comes online)."""
        expires = time.time() + settings.CHAT_PRESENCE_TTL_SECONDS
        before = await self.sockets_of(entry.user_id)
        await self.refresh([entry], expires=expires)
        return before == 0

    async def refresh(self, entries: list[SocketEntry], *, expires: float | None = None) -> None:
        expires = expires or time.time() + settings.CHAT_PRESENCE_TTL_SECONDS
        async with self.redis.pipeline(transaction=False) as pipe:
            for entry in entries:
                pipe.zadd(self._user_key(entry.user_id), {entry.socket_id: expires})
                pipe.expire(self._user_key(entry.user_id), settings.CHAT_PRESENCE_TTL_SECONDS)
                for neighbourhood_id in entry.neighbourhood_ids:
                    pipe.zadd(self._neighbourhood_key(neighbourhood_id), {str(entry.user_id): expires})
                for room_id in entry.room_ids:
                    pipe.zadd(_room_key(room_id), {_watcher(entry): expires})
                    pipe.expire(_room_key(room_id), settings.CHAT_PRESENCE_TTL_SECONDS)
            await pipe.execute()

    async def watch(self, entry: SocketEntry, room_id: int) -> None:
        await self.refresh([SocketEntry(entry.socket_id, entry.user_id, (), frozenset({room_id}))])

    async def unwatch(self, entry: SocketEntry, room_id: int) -> None:
        await self.redis.zrem(_room_key(room_id), _watcher(entry))

    async def disconnect(self, entry: SocketEntry) -> bool:
        """Removes the socket; True when it was the user's last (she goes offline)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrem(self._user_key(entry.user_id), entry.socket_id)
            for room_id in entry.room_ids:
                pipe.zrem(_room_key(room_id), _watcher(entry))
            await pipe.execute()
        if await self.sockets_of(entry.user_id):
            return False
        async with self.redis.pipeline(transaction=False) as pipe:
            for neighbourhood_id in entry.neighbourhood_ids:
                pipe.zrem(self._neighbourhood_key(neighbourhood_id), str(entry.user_id))
            await pipe.execute()
        return True

    async def close(self) -> None:
        await self.redis.aclose()

    async def online(self, neighbourhood_ids: list[int]) -> dict[int, list[int]]:
        now = time.time()
        async with self.redis.pipeline(transaction=False) as pipe:
            for neighbourhood_id in neighbourhood_ids:
                pipe.zrangebyscore(self._neighbourhood_key(neighbourhood_id), now, "+inf")
            results = await pipe.execute()
        return {nid: sorted(int(uid) for uid in users) for nid, users in zip(neighbourhood_ids, results)}


class MemoryPresence:
    def __init__(self) -> None:
        self.sockets: dict[int, dict[str, float]] = defaultdict(dict)
        self.neighbourhoods: dict[int, dict[int, float]] = defaultdict(dict)

    async def sockets_of(self, user_id: int) -> int:
        now = time.time()
        live = {sid: exp for sid, exp in self.sockets[user_id].items() if exp > now}
        self.sockets[user_id] = live
        return len(live)

    async def connect(self, entry: SocketEntry) -> bool:
        before = await self.sockets_of(entry.user_id)
        await self.refresh([entry])
        return before == 0

    async def refresh(self, entries: list[SocketEntry], *, expires: float | None = None) -> None:
        expires = expires or time.time() + settings.CHAT_PRESENCE_TTL_SECONDS
        for entry in entries:
            self.sockets[entry.user_id][entry.socket_id] = expires
            for neighbourhood_id in entry.neighbourhood_ids:
                self.neighbourhoods[neighbourhood_id][entry.user_id] = expires

    async def watch(self, entry: SocketEntry, room_id: int) -> None:
        pass  # only the push worker asks, from another process: see watching_users

    async def unwatch(self, entry: SocketEntry, room_id: int) -> None:
        pass

    async def disconnect(self, entry: SocketEntry) -> bool:
        self.sockets[entry.user_id].pop(entry.socket_id, None)
        if await self.sockets_of(entry.user_id):
            return False
        for neighbourhood_id in entry.neighbourhood_ids:
            self.neighbourhoods[neighbourhood_id].pop(entry.user_id, None)
        return True

    async def close(self) -> None:
        pass

    async def online(self, neighbourhood_ids: list[int]) -> dict[int, list[int]]:
        now = time.time()
        return {
            nid: sorted(uid for uid, exp in self.neighbourhoods[nid].items() if exp > now) for nid in neighbourhood_ids
        }


def presence_store() -> RedisPresence | MemoryPresence:
    return RedisPresence(settings.REDIS_URL) if settings.REDIS_URL else MemoryPresence()
