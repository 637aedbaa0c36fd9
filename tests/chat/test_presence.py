"""Both presence stores keep the same promises: Redis in production, memory for the
embedded default."""

import time

import pytest

from backend.chat.presence import MemoryPresence, RedisPresence, SocketEntry


@pytest.fixture(params=["redis", "memory"])
async def presence(request, settings):
    store = RedisPresence(settings.REDIS_URL) if request.param == "redis" else MemoryPresence()
    yield store
    await store.close()


async def test_a_user_is_online_while_any_of_her_sockets_is(presence):
    phone = SocketEntry(socket_id="phone", user_id=7, neighbourhood_ids=(1, 2))
    tablet = SocketEntry(socket_id="tablet", user_id=7, neighbourhood_ids=(1, 2))
    assert await presence.connect(phone) is True
    assert await presence.connect(tablet) is False
    assert await presence.sockets_of(7) == 2
    assert await presence.online([1, 2, 3]) == {1: [7], 2: [7], 3: []}
    assert await presence.disconnect(phone) is False
    assert await presence.online([1]) == {1: [7]}
    assert await presence.disconnect(tablet) is True
    assert await presence.online([1, 2]) == {1: [], 2: []}


async def test_entries_that_are_not_refreshed_expire(presence):
    ghost = SocketEntry(socket_id="ghost", user_id=9, neighbourhood_ids=(1,))
    await presence.refresh([ghost], expires=time.time() - 1)  # a process that died
    assert await presence.sockets_of(9) == 0
    assert await presence.online([1]) == {1: []}
