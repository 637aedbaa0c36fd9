"""The reads of sockets that open together are batched: a storm of reconnects costs the
database a few calls per batch, and each socket still gets its own, right answer."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from backend.chat import arrivals
from backend.chat.arrivals import Arrivals
from tests.conftest import make_membership, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reads(monkeypatch):
    calls: list[int] = []
    read_batch = arrivals.read_batch

    def counted(requests):
        calls.append(len(requests))
        return read_batch(requests)

    monkeypatch.setattr(arrivals, "read_batch", counted)
    return calls


async def test_sockets_opening_together_share_their_reads_and_each_gets_its_own_answer(saint_malo, dinard, reads):
    from backend.accounts.models import DeviceToken
    from backend.accounts.services import token_create, token_revoke

    def people():
        made = []
        for i in range(30):
            user = make_user(f"v{i}@example.org")
            make_membership(user, saint_malo if i % 2 else dinard, state="verified")
            made.append((user, token_create(user=user)[0].pk))
        revoked_user, revoked = made[0]
        token_revoke(token=DeviceToken.objects.get(pk=revoked))
        inactive_user = made[1][0]
        inactive_user.is_active = False
        inactive_user.save()
        return made

    made = await sync_to_async(people)()
    desk = Arrivals()
    identities = await asyncio.gather(*(desk.identity(user_id=u.pk, token_id=t) for u, t in made))
    assert identities[0] is None  # her token was revoked after the ticket
    assert identities[1] is None  # no longer active
    for (user, _), identity in zip(made[2:], identities[2:]):
        assert identity[0].pk == user.pk
        assert identity[1] == [saint_malo.pk if made.index((user, _)) % 2 else dinard.pk]
    assert await desk.identity(user_id=made[2][0].pk, token_id=made[3][1]) is None  # another's token
    assert len(reads) <= 3 and sum(reads) == 31

    reads.clear()
    rooms = await asyncio.gather(*(desk.rooms(user=user, neighbourhood_ids=ids) for user, ids in identities[2:]))
    assert [[room["neighbourhood_id"] for room in listed] for listed in rooms] == [ids for _, ids in identities[2:]]
    assert len(reads) <= 2
    await desk.close()


async def test_a_batch_the_database_refuses_refuses_each_of_its_sockets(member, monkeypatch):
    def down(requests):
        raise ConnectionError("database down")

    monkeypatch.setattr(arrivals, "read_batch", down)
    desk = Arrivals()
    results = await asyncio.gather(*(desk.identity(user_id=member.pk, token_id=None) for _ in range(3)),
                                   return_exceptions=True)
    assert all(isinstance(result, ConnectionError) for result in results)
    await desk.close()


async def test_a_batch_that_found_the_pool_busy_asks_once_more_before_refusing(member, monkeypatch):
    from django.db import OperationalError
    from psycopg_pool import PoolTimeout

    read_batch, calls = arrivals.read_batch, []

    def busy_once(requests):
        calls.append(len(requests))
        if len(calls) == 1:
            try:
                raise PoolTimeout("couldn't get a connection after 3.00 sec")
            except PoolTimeout as exc:
                raise OperationalError("couldn't get a connection") from exc
        return read_batch(requests)

    monkeypatch.setattr(arrivals, "read_batch", busy_once)
    desk = Arrivals()
    user, _ = await desk.identity(user_id=member.pk, token_id=None)
    assert user.pk == member.pk and len(calls) == 2
    await desk.close()
