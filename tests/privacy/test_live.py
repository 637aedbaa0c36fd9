"""What her export and her erasure tell open sockets, validated against the contract
(and captured by `make contract`): export.ready to her, message.deleted to the room,
partner.left to the other side of her loan, session.ended then close 4410 to every
socket of hers, on every server process."""

import asyncio
import json

import pytest
import websockets
from asgiref.sync import sync_to_async

from backend.accounts.services import token_create, user_erase
from backend.chat import services as chat_services
from backend.chat.protocol import CloseCode
from backend.privacy import services
from tests.chat.contract import check_server_frame
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("socket_cleanup")]


async def test_she_hears_her_archive_is_ready(busy, connect):
    hers = await connect(busy.her)
    export, _ = await sync_to_async(services.export_request)(user=busy.her)
    await sync_to_async(services.export_build)(export_id=export.pk)
    frame = await hers.expect("export.ready")
    assert frame["export"]["id"] == export.pk
    assert frame["export"]["download_url"] == f"/api/v1/privacy/exports/{export.pk}/archive/"


async def test_erasure_closes_her_sockets_and_tells_the_room_and_her_partners(busy, connect):
    hers, her_other = await connect(busy.her), await connect(busy.her)
    nadia = await connect(busy.nadia)
    await nadia.send({"type": "subscribe", "ref": "s", "room_id": busy.room.id})
    await nadia.expect("subscribed")

    await sync_to_async(user_erase)(user=busy.her)
    for socket in (hers, her_other):
        assert (await socket.expect("session.ended"))["reason"] == "account_erased"
        assert await socket.closed_with() == CloseCode.ACCOUNT_ERASED == 4410
    deleted = [await nadia.expect("message.deleted") for _ in range(2)]  # her two plain messages and her card
    assert {frame["room_id"] for frame in deleted} == {busy.room.id}
    told = {(await nadia.expect("partner.left"))["relation"] for _ in range(2)}
    assert told == {"loan", "purchase"}


async def _device(base: str, user):
    ticket = await sync_to_async(chat_services.ticket_issue)(user=user, token_id=None)
    ws = await websockets.connect(f"{base.replace('http', 'ws')}/ws/v1/?ticket={ticket}")
    assert check_server_frame(json.loads(await ws.recv()))["type"] == "hello"
    return ws


async def _ended(ws) -> tuple[str, int]:
    reason = None
    try:
        while True:
            frame = check_server_frame(json.loads(await asyncio.wait_for(ws.recv(), 5)))
            if frame["type"] == "session.ended":
                reason = frame["reason"]
    except websockets.ConnectionClosed as closed:
        return reason, closed.rcvd.code


async def test_erasure_through_one_process_closes_her_sockets_on_another(serve, busy):
    import httpx
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from backend.accounts.models import User

    # The server processes hash with the production hashers, not the tests' fast one.
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "tests-salt", iterations=1000)
    await User.objects.filter(pk=busy.her.pk).aupdate(password=hashed)
    process_a, process_b = serve(), serve()
    on_a, on_b = await _device(process_a, busy.her), await _device(process_b, busy.her)
    _, raw = await sync_to_async(token_create)(user=busy.her)
    async with httpx.AsyncClient() as client:
        response = await client.request("DELETE", f"{process_b}/api/v1/auth/me/", json={"password": PASSWORD},
                                        headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 204
    assert await _ended(on_a) == ("account_erased", 4410)
    assert await _ended(on_b) == ("account_erased", 4410)
