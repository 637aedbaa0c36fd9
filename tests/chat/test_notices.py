"""Trust decisions reach the open sockets (backend/chat/notices.py): the member concerned
hears each decision and its reason in her language, the moderators see the entry arrive
in their log; every frame is validated against the contract."""

import pytest
from asgiref.sync import sync_to_async

from backend.trust import services
from backend.trust.models import Membership
from tests.conftest import make_membership, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("socket_cleanup")]


async def subscribed(socket):
    room_id = socket.hello["rooms"][0]["id"]
    await socket.send({"type": "subscribe", "room_id": room_id})
    await socket.expect("subscribed")


async def test_a_revocation_tells_her_why_and_the_moderators_log_it(member, moderator, connect):
    await sync_to_async(lambda: type(member).objects.filter(pk=member.pk).update(language="fr"))()
    resident, watcher = await connect(member), await connect(moderator)
    await subscribed(resident)
    membership = await sync_to_async(Membership.objects.get)(user=member)
    await sync_to_async(services.membership_revoke)(actor=moderator, membership=membership, reason="Spam répété")
    notice = (await resident.expect("trust.notice"))["notice"]
    assert (notice["decision"], notice["reason"], notice["neighbourhood"]["name"]) == ("revoked", "Spam répété",
                                                                                      "Saint-Malo")
    assert notice["body"] == "Les modérateurs ont mis fin à votre adhésion à Saint-Malo. Motif : Spam répété"
    assert (await resident.expect("room.left"))["reason"] == "membership_revoked"
    entry = (await watcher.expect("trust.logged"))["entry"]
    assert (entry["kind"], entry["actor"]["display_name"], entry["subject"]["display_name"]) == (
        "revoke", "Morgane", "Marc")


async def test_back_to_pending_with_her_voucher_is_explained(member, moderator, saint_malo, connect):
    def vouched():
        alma = make_user("alma@example.org", name="Alma")
        services.vouch_create(voucher=member, membership=make_membership(alma, saint_malo))
        return alma

    alma = await sync_to_async(vouched)()
    socket = await connect(alma)
    await subscribed(socket)
    membership = await sync_to_async(Membership.objects.get)(user=member)
    await sync_to_async(services.membership_revoke)(actor=moderator, membership=membership, reason="Faux compte",
                                                    chain=True)
    notice = (await socket.expect("trust.notice"))["notice"]
    assert notice["decision"] == "reverify" and "vouch" in notice["body"]
    assert (await socket.expect("room.left"))["reason"] == "membership_revoked"
