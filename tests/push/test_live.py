"""The push decision reads real socket state: sockets on the real ASGI application note
the rooms they watch in presence (Redis), and the worker's decision reads it."""

import pytest
from asgiref.sync import sync_to_async

from backend.chat.models import Room
from backend.chat.services import rooms_ensure_default
from tests.conftest import make_membership, make_user
from tests.push.test_services import post, push_pending

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("socket_cleanup")]


@pytest.fixture
def room(saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return Room.objects.get(neighbourhood=saint_malo, kind="default")


@pytest.fixture
def nina_and_olga(saint_malo, phone):
    people = []
    for name in ("nina", "olga"):
        user = make_user(f"{name}@example.org", name=name.title())
        make_membership(user, saint_malo, state="verified")
        phone(user, f"{name}-phone")
        people.append(user)
    return people


async def test_who_watches_the_room_live_gets_no_push(fcm, member, room, nina_and_olga, connect):
    nina, _ = nina_and_olga
    socket = await connect(nina)
    await socket.send({"type": "subscribe", "room_id": room.id})
    await socket.expect("subscribed")
    await sync_to_async(post)(member, room, "Livraison de bois demain", "m1")
    assert await sync_to_async(push_pending)() == 1
    assert fcm.tokens_sent() == ["olga-phone"]

    await socket.send({"type": "unsubscribe", "room_id": room.id})
    await socket.expect("unsubscribed")
    await sync_to_async(post)(member, room, "Et des copeaux", "m2")
    await sync_to_async(push_pending)()
    assert sorted(fcm.tokens_sent()[1:]) == ["nina-phone", "olga-phone"]


async def test_a_closed_socket_no_longer_counts_as_watching(fcm, member, room, nina_and_olga, connect):
    nina, _ = nina_and_olga
    socket = await connect(nina)
    await socket.send({"type": "subscribe", "room_id": room.id})
    await socket.expect("subscribed")
    await socket.close()
    await sync_to_async(post)(member, room)
    await sync_to_async(push_pending)()
    assert sorted(fcm.tokens_sent()) == ["nina-phone", "olga-phone"]
