"""Who is online, from real sockets of every server process.

Redis holds it in production; the embedded default keeps it in memory (one process).

Each socket is an entry of its user (`presence:user:<id>`, member `<process>:<socket>`)
and makes her a member of her neighbourhoods (`presence:nbh:<id>`), until its socket
closes. A process that dies cannot say so, so each process also keeps, in Redis:
- a heartbeat key (`presence:proc:<process>`, PROCESS_TTL_SECONDS) and a pub/sub
  subscription of its own (`presence:alive:<process>`), which Redis drops the moment the
  process's connections close (a `kill -9` included);
- the index of its sockets (`presence:sockets:<process>`), so that whoever finds it dead
  removes exactly its entries.
Every process looks at the others every BEAT_SECONDS (`Hub._liveness`): one whose
heartbeat expired, or whose subscription has been gone for DEAD_AFTER_SECONDS, is
reaped by the first process that claims it, which tells the neighbourhoods of the users
it left without a socket that they went offline. A connect that would pass the limit of
sockets per user first discounts the entries of processes that are gone right now.

Entries also carry an expiry (CHAT_PRESENCE_TTL_SECONDS, refreshed by their process), the
last resort if a process dies while no other one runs.

The scripts below touch keys that they compute (the users and neighbourhoods of a dead
process's sockets): they need one Redis, not a cluster."""

import time
from collections import defaultdict
from dataclasses import dataclass

import redis.asyncio as aioredis
from django.conf import settings

from backend.common.cache import redis_client

# A process's heartbeat lives this long unless renewed, every BEAT_SECONDS.
PROCESS_TTL_SECONDS = 10
BEAT_SECONDS = 1.0
# A process whose liveness subscription has been gone this long is taken for dead even
# though its heartbeat has not expired yet (the subscription of a live process comes
# back within a beat when Redis restarts).
DEAD_AFTER_SECONDS = 3.0

PROCESSES_KEY = "presence:procs"


@dataclass(frozen=True)
class SocketEntry:
    socket_id: str
    user_id: int
    neighbourhood_ids: tuple[int, ...]
    room_ids: frozenset[int] = frozenset()  # the rooms it is subscribed to
    process_id: str = ""

    @property
    def member(self) -> str:
        return f"{self.process_id}:{self.socket_id}"

    def index_value(self, room_ids: frozenset[int] | None = None) -> str:
        rooms = self.room_ids if room_ids is None else room_ids
        return f"{self.user_id}|{','.join(map(str, self.neighbourhood_ids))}|{','.join(map(str, sorted(rooms)))}"


def _user_key(user_id: int) -> str:
    return f"presence:user:{user_id}"


def _neighbourhood_key(neighbourhood_id: int) -> str:
    return f"presence:nbh:{neighbourhood_id}"


def _room_key(room_id: int) -> str:
    return f"presence:room:{room_id}"


def _process_key(process_id: str) -> str:
    return f"presence:proc:{process_id}"


def _index_key(process_id: str) -> str:
    return f"presence:sockets:{process_id}"


def alive_channel(process_id: str) -> str:
    return f"presence:alive:{process_id}"


def _watcher(entry: SocketEntry) -> str:
    return f"{entry.user_id}:{entry.socket_id}"


def watching_users(room_id: int) -> set[int]:
    """Users with a live socket subscribed to the room, on any server process; for the
    push worker, which runs in a process of its own (so, without Redis, nobody)."""
    if not settings.REDIS_URL:
        return set()
    members = redis_client().zrangebyscore(_room_key(room_id), time.time(), "+inf")
    return {int(member.split(b":", 1)[0]) for member in members}


# KEYS: the user's key, the process's index, her neighbourhoods' keys.
# ARGV: member, now, expires, limit, ttl, user id, socket id, index value.
# Returns {-1, members} when she has `limit` live sockets already, else {count before, {}}.
_CONNECT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local before = redis.call('ZCARD', KEYS[1])
if before >= tonumber(ARGV[4]) then
  return {-1, redis.call('ZRANGE', KEYS[1], 0, -1)}
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('HSET', KEYS[2], ARGV[7], ARGV[8])
for i = 3, #KEYS do redis.call('ZADD', KEYS[i], ARGV[3], ARGV[6]) end
return {before, {}}
"""

# KEYS: the user's key, the process's index, her n neighbourhoods' keys, then the keys of
# the rooms the socket watched. ARGV: member, now, user id, socket id, n, watcher.
# Returns 1 when it was her last live socket (she goes offline).
_DISCONNECT = """
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[4])
local n = tonumber(ARGV[5])
for i = 3 + n, #KEYS do redis.call('ZREM', KEYS[i], ARGV[6]) end
if removed == 0 then return 0 end
if redis.call('ZCOUNT', KEYS[1], ARGV[2], '+inf') > 0 then return 0 end
for i = 3, 2 + n do redis.call('ZREM', KEYS[i], ARGV[3]) end
return 1
"""

# KEYS: the set of processes, the dead process's index. ARGV: its id, now.
# Only the caller that takes it out of the set reaps it (-1 for the others). Returns
# "user|nbh,nbh" for each user it leaves without a live socket.
_REAP = """
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return -1 end
local entries = redis.call('HGETALL', KEYS[2])
redis.call('DEL', KEYS[2])
local users = {}
for i = 1, #entries, 2 do
  local socket = entries[i]
  local user, nbhs, rooms = string.match(entries[i + 1], '^([^|]*)|([^|]*)|([^|]*)$')
  if user then
    redis.call('ZREM', 'presence:user:' .. user, ARGV[1] .. ':' .. socket)
    for room in string.gmatch(rooms, '[^,]+') do
      redis.call('ZREM', 'presence:room:' .. room, user .. ':' .. socket)
    end
    users[user] = nbhs
  end
end
local offline = {}
for user, nbhs in pairs(users) do
  if redis.call('ZCOUNT', 'presence:user:' .. user, ARGV[2], '+inf') == 0 then
    for nbh in string.gmatch(nbhs, '[^,]+') do redis.call('ZREM', 'presence:nbh:' .. nbh, user) end
    table.insert(offline, user .. '|' .. nbhs)
  end
end
return offline
"""


def _offline_users(rows: list[bytes]) -> list[tuple[int, list[int]]]:
    users = []
    for row in rows:
        user, _, neighbourhoods = row.decode().partition("|")
        users.append((int(user), [int(n) for n in neighbourhoods.split(",") if n]))
    return users


class RedisPresence:
    def __init__(self, client: aioredis.Redis) -> None:
        self.redis = client
        self._connect = client.register_script(_CONNECT)
        self._disconnect = client.register_script(_DISCONNECT)
        self._reap = client.register_script(_REAP)
        self._alive: aioredis.client.PubSub | None = None
        self._registered = False

    async def connect(self, entry: SocketEntry, *, limit: int) -> int | None:
        """Adds the socket unless its user has `limit` live sockets already (None).
        Returns how many she had: 0 means she comes online. Entries of processes that
        are gone do not count."""
        for _ in range(2):
            now = time.time()
            keys = [_user_key(entry.user_id), _index_key(entry.process_id)]
            keys += [_neighbourhood_key(n) for n in entry.neighbourhood_ids]
            before, members = await self._connect(
                keys=keys,
                args=[entry.member, now, now + settings.CHAT_PRESENCE_TTL_SECONDS, limit,
                      settings.CHAT_PRESENCE_TTL_SECONDS, entry.user_id, entry.socket_id, entry.index_value()],
            )
            if before >= 0:
                return before
            # At the limit: are all these sockets' processes still there?
            by_process: dict[str, list[bytes]] = defaultdict(list)
            for member in members:
                by_process[member.split(b":", 1)[0].decode()].append(member)
            gone = [p for p, alive in (await self.processes_alive(list(by_process))).items() if not alive[0] or not alive[1]]
            if not gone:
                return None
            await self.redis.zrem(_user_key(entry.user_id), *(m for p in gone for m in by_process[p]))
        return None

    async def disconnect(self, entry: SocketEntry) -> bool:
        """Removes the socket; True when it was the user's last (she goes offline)."""
        keys = [_user_key(entry.user_id), _index_key(entry.process_id)]
        keys += [_neighbourhood_key(n) for n in entry.neighbourhood_ids]
        keys += [_room_key(r) for r in entry.room_ids]
        went = await self._disconnect(
            keys=keys,
            args=[entry.member, time.time(), entry.user_id, entry.socket_id, len(entry.neighbourhood_ids),
                  _watcher(entry)],
        )
        return bool(went)

    async def refresh(self, entries: list[SocketEntry], *, expires: float | None = None) -> None:
        expires = expires or time.time() + settings.CHAT_PRESENCE_TTL_SECONDS
        ttl = settings.CHAT_PRESENCE_TTL_SECONDS
        async with self.redis.pipeline(transaction=False) as pipe:
            for entry in entries:
                pipe.zadd(_user_key(entry.user_id), {entry.member: expires})
                pipe.expire(_user_key(entry.user_id), ttl)
                pipe.hset(_index_key(entry.process_id), entry.socket_id, entry.index_value())
                for neighbourhood_id in entry.neighbourhood_ids:
                    pipe.zadd(_neighbourhood_key(neighbourhood_id), {str(entry.user_id): expires})
                for room_id in entry.room_ids:
                    pipe.zadd(_room_key(room_id), {_watcher(entry): expires})
                    pipe.expire(_room_key(room_id), ttl)
            await pipe.execute()

    async def watch(self, entry: SocketEntry, room_id: int) -> None:
        """`entry` (with `room_id` among its rooms) now watches the room."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zadd(_room_key(room_id), {_watcher(entry): time.time() + settings.CHAT_PRESENCE_TTL_SECONDS})
            pipe.expire(_room_key(room_id), settings.CHAT_PRESENCE_TTL_SECONDS)
            pipe.hset(_index_key(entry.process_id), entry.socket_id, entry.index_value())
            await pipe.execute()

    async def unwatch(self, entry: SocketEntry, room_id: int) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrem(_room_key(room_id), _watcher(entry))
            pipe.hset(_index_key(entry.process_id), entry.socket_id, entry.index_value(entry.room_ids - {room_id}))
            await pipe.execute()

    async def online(self, neighbourhood_ids: list[int]) -> dict[int, list[int]]:
        now = time.time()
        async with self.redis.pipeline(transaction=False) as pipe:
            for neighbourhood_id in neighbourhood_ids:
                pipe.zrangebyscore(_neighbourhood_key(neighbourhood_id), now, "+inf")
            results = await pipe.execute()
        return {nid: sorted(int(uid) for uid in users) for nid, users in zip(neighbourhood_ids, results)}

    # Processes

    async def beat(self, process_id: str) -> bool:
        """Renews this process's liveness. True when it had been taken for dead, or Redis
        lost its data: its sockets must be registered again."""
        if self._alive is not None:
            try:
                await self._alive.get_message(timeout=0)  # notices a dropped connection
            except (redis.RedisError, OSError):
                await self._drop_alive()
        if self._alive is None:
            self._alive = self.redis.pubsub()
            try:
                await self._alive.subscribe(alive_channel(process_id))
            except BaseException:
                await self._drop_alive()
                raise
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(_process_key(process_id), "1", ex=PROCESS_TTL_SECONDS)
            pipe.sadd(PROCESSES_KEY, process_id)
            pipe.expire(_index_key(process_id), 2 * settings.CHAT_PRESENCE_TTL_SECONDS)
            _, added, _ = await pipe.execute()
        lost = bool(added) and self._registered
        self._registered = True
        return lost

    async def processes(self) -> set[str]:
        return {member.decode() for member in await self.redis.smembers(PROCESSES_KEY)}

    async def processes_alive(self, process_ids: list[str]) -> dict[str, tuple[bool, bool]]:
        """For each process: (heartbeat still there, liveness subscription still there)."""
        if not process_ids:
            return {}
        async with self.redis.pipeline(transaction=False) as pipe:
            for process_id in process_ids:
                pipe.exists(_process_key(process_id))
                pipe.pubsub_numsub(alive_channel(process_id))
            results = await pipe.execute()
        return {
            process_id: (bool(results[2 * i]), results[2 * i + 1][0][1] > 0) for i, process_id in enumerate(process_ids)
        }

    async def reap(self, process_id: str) -> list[tuple[int, list[int]]] | None:
        """Removes every entry of a dead process. None when another process reaped it
        first; else (user id, neighbourhood ids) of each user it left without a socket."""
        rows = await self._reap(keys=[PROCESSES_KEY, _index_key(process_id)], args=[process_id, time.time()])
        return None if rows == -1 else _offline_users(rows)

    async def leave(self, process_id: str) -> None:
        """A process that stops: nothing of it is left to reap."""
        await self._drop_alive()
        await self._reap(keys=[PROCESSES_KEY, _index_key(process_id)], args=[process_id, time.time()])
        await self.redis.delete(_process_key(process_id))

    async def _drop_alive(self) -> None:
        alive, self._alive = self._alive, None
        if alive is not None:
            try:
                await alive.aclose()
            except Exception:  # its connection is already gone
                pass

    async def close(self) -> None:
        await self._drop_alive()


class MemoryPresence:
    """One process (the embedded default): no process to lose."""

    def __init__(self) -> None:
        self.sockets: dict[int, dict[str, float]] = defaultdict(dict)
        self.neighbourhoods: dict[int, dict[int, float]] = defaultdict(dict)

    def _live(self, user_id: int) -> int:
        now = time.time()
        live = {sid: exp for sid, exp in self.sockets[user_id].items() if exp > now}
        self.sockets[user_id] = live
        return len(live)

    async def connect(self, entry: SocketEntry, *, limit: int) -> int | None:
        before = self._live(entry.user_id)
        if before >= limit:
            return None
        await self.refresh([entry])
        return before

    async def refresh(self, entries: list[SocketEntry], *, expires: float | None = None) -> None:
        expires = expires or time.time() + settings.CHAT_PRESENCE_TTL_SECONDS
        for entry in entries:
            self.sockets[entry.user_id][entry.member] = expires
            for neighbourhood_id in entry.neighbourhood_ids:
                self.neighbourhoods[neighbourhood_id][entry.user_id] = expires

    async def beat(self, process_id: str) -> bool:
        return False

    async def watch(self, entry: SocketEntry, room_id: int) -> None:
        pass  # only the push worker asks, from another process: see watching_users

    async def unwatch(self, entry: SocketEntry, room_id: int) -> None:
        pass

    async def disconnect(self, entry: SocketEntry) -> bool:
        if self.sockets[entry.user_id].pop(entry.member, None) is None:
            return False
        if self._live(entry.user_id):
            return False
        for neighbourhood_id in entry.neighbourhood_ids:
            self.neighbourhoods[neighbourhood_id].pop(entry.user_id, None)
        return True

    async def online(self, neighbourhood_ids: list[int]) -> dict[int, list[int]]:
        now = time.time()
        return {
            nid: sorted(uid for uid, exp in self.neighbourhoods[nid].items() if exp > now) for nid in neighbourhood_ids
        }

    async def close(self) -> None:
        pass


def presence_store(client: aioredis.Redis | None) -> RedisPresence | MemoryPresence:
    return RedisPresence(client) if client is not None else MemoryPresence()
