"""Both presence stores keep the same promises: Redis in production, memory for the
embedded default. Redis also knows which process holds each socket, so that the sockets
of a process that died stop counting."""

import time

import pytest
import redis.asyncio as aioredis

from backend.chat.presence import MemoryPresence, RedisPresence, SocketEntry, watching_users


@pytest.fixture
async def redis_client(settings):
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture(params=["redis", "memory"])
async def presence(request, settings):
    if request.param == "redis":
        client = aioredis.Redis.from_url(settings.REDIS_URL)
        store = RedisPresence(client)
    else:
        store = MemoryPresence()
    yield store
    await store.close()
    if request.param == "redis":
        await client.aclose()


async def test_a_user_is_online_while_any_of_her_sockets_is(presence):
    phone = SocketEntry(socket_id="phone", user_id=7, neighbourhood_ids=(1, 2), process_id="a")
    tablet = SocketEntry(socket_id="tablet", user_id=7, neighbourhood_ids=(1, 2), process_id="b")
    assert await presence.connect(phone, limit=10) == 0
    assert await presence.connect(tablet, limit=10) == 1
    assert await presence.online([1, 2, 3]) == {1: [7], 2: [7], 3: []}
    assert await presence.disconnect(phone) is False
    assert await presence.online([1]) == {1: [7]}
    assert await presence.disconnect(tablet) is True
    assert await presence.online([1, 2]) == {1: [], 2: []}
    assert await presence.disconnect(tablet) is False  # twice: she already went


async def test_a_user_has_at_most_limit_sockets(presence):
    await presence.beat("p")
    sockets = [SocketEntry(socket_id=f"s{i}", user_id=8, neighbourhood_ids=(1,), process_id="p") for i in range(3)]
    assert [await presence.connect(entry, limit=2) for entry in sockets] == [0, 1, None]
    await presence.disconnect(sockets[0])
    assert await presence.connect(sockets[2], limit=2) == 1


async def test_entries_that_are_not_refreshed_expire(presence):
    ghost = SocketEntry(socket_id="ghost", user_id=9, neighbourhood_ids=(1,), process_id="")
    await presence.refresh([ghost], expires=time.time() - 1)  # a process that died long ago
    assert await presence.online([1]) == {1: []}
    assert await presence.connect(SocketEntry("new", 9, (1,), process_id=""), limit=1) == 0


async def test_the_sockets_of_a_process_that_is_gone_do_not_count_against_the_limit(redis_client, settings):
    live, dead = RedisPresence(redis_client), RedisPresence(redis_client)
    await live.beat("live")
    # "dead" beat once (its heartbeat key is still there) but holds no subscription any
    # more: its connections closed, as when its process is killed with -9.
    await dead.beat("dead")
    await dead.close()
    old = [SocketEntry(f"old{i}", 11, (1,), process_id="dead") for i in range(2)]
    for entry in old:
        assert await dead.connect(entry, limit=2) is not None
    # At the limit: the entries of the dead process are discounted at once.
    assert await live.connect(SocketEntry("new", 11, (1,), process_id="live"), limit=2) == 0
    await live.close()


async def test_reaping_a_dead_process_removes_its_sockets_and_says_who_went_offline(redis_client, settings):
    store = RedisPresence(redis_client)
    alice_there = SocketEntry("a1", 21, (1, 2), room_ids=frozenset({5}), process_id="dead")
    bruno_there = SocketEntry("b1", 22, (1,), process_id="dead")
    bruno_here = SocketEntry("b2", 22, (1,), process_id="live")
    for entry in (alice_there, bruno_there, bruno_here):
        await store.connect(entry, limit=10)
    await store.watch(alice_there, 5)
    await redis_client.sadd("presence:procs", "dead", "live")
    assert await store.reap("dead") == [(21, [1, 2])]  # Bruno still has a socket
    assert await store.online([1, 2]) == {1: [22], 2: []}
    assert await store.reap("dead") is None  # reaped once, by whoever claimed it first
    assert 21 not in await _watching(settings, 5)
    assert await store.connect(SocketEntry("b3", 22, (1,), process_id="live"), limit=2) == 1


async def test_a_process_reaped_by_mistake_learns_it_at_its_next_beat(redis_client):
    store = RedisPresence(redis_client)
    assert await store.beat("slow") is False
    assert await store.beat("slow") is False
    await store.reap("slow")  # another process took it for dead
    assert await store.beat("slow") is True
    await store.leave("slow")
    await store.close()


async def _watching(settings, room_id):
    from asgiref.sync import sync_to_async

    return await sync_to_async(watching_users)(room_id)
