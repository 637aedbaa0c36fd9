"""An organisation never reads residents' rooms, direct conversations, member lists or
addresses. Every chat, feed, trust and moderation endpoint (and a photo of a post) with
the token of an agent who lives in no neighbourhood: refused, or (for what is hers
alone) nothing of anyone else; and her socket gets no room."""

from dataclasses import dataclass
from typing import Callable

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from rest_framework.test import APIClient

from backend.accounts.services import token_create
from backend.chat.models import Message, Room
from backend.chat.services import message_post, rooms_ensure_default
from backend.feed import services as feed_services
from backend.feed.models import Loan, Post
from backend.moderation import services as moderation_services
from backend.moderation.models import Action, Appeal, Report
from backend.photos.frames import link
from backend.trust import services as trust_services
from backend.trust.models import AuditEntry, Membership, ProofOfAddress, Vouch
from tests.cities.conftest import image_of
from tests.conftest import SAINT_MALO
from tests.feed.test_domain import VALID

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 64
# What no answer to an agent may hold: residents' names, streets, coordinates.
SECRETS = ("Marc", "Nina", "Ada", "Rue de Dinan", "Grande Rue", "48.649", "Raclette", "Appareil")


@dataclass
class World:
    saint_malo: object
    room: Room
    direct: Room
    message: Message
    post: Post
    loan: Loan
    applicant_membership: Membership
    member_membership: Membership
    proof: ProofOfAddress
    report: Report
    action: Action
    appeal: Appeal
    image_link: str
    member: object


@pytest.fixture
def world(saint_malo, member, applicant, moderator, agent):
    from tests.cities.conftest import make_membership, make_user

    nina = make_user("nina@example.org", name="Nina")
    make_membership(nina, saint_malo, state="verified")
    rooms_ensure_default(neighbourhood_ids=[saint_malo.pk])
    room = Room.objects.get(neighbourhood=saint_malo, kind="default")
    said = message_post(author=member, room_id=room.pk, text="Qui me prête un escabeau ?", client_id="m1")
    photo = image_of(member)
    post = feed_services.post_create(author=member, kind="loan_offer", title="Appareil à raclette",
                                     details=VALID["loan_offer"], client_id="p1", image_ids=[photo.pk]).post
    answer = feed_services.post_respond(actor=nina, post_id=post.pk)
    feed_services.post_responder_pick(actor=member, post_id=post.pk, responder_id=nina.pk)
    report, _ = moderation_services.report_create(reporter=nina, category="spam", text="Pub", message_id=said.message_id)
    other = message_post(author=member, room_id=room.pk, text="Insulte", client_id="m2")
    action = moderation_services.message_remove(actor=moderator, message_id=other.message_id, reason="Insulte")
    appeal = moderation_services.appeal_create(appellant=member, action_id=action.pk, text="Malentendu")
    applicant_membership = Membership.objects.get(user=applicant)
    proof = trust_services.proof_upload(actor=applicant, membership=applicant_membership,
                                        upload=SimpleUploadedFile("proof.pdf", PDF))
    return World(
        saint_malo=saint_malo, room=room, direct=answer.response.room, message=Message.objects.get(pk=said.message_id),
        post=post, loan=Loan.objects.get(post=post), applicant_membership=applicant_membership,
        member_membership=Membership.objects.get(user=member), proof=proof, report=report, action=action,
        appeal=appeal, image_link=link(photo.pk, "full", 4_000_000_000), member=member,
    )


@dataclass
class Call:
    method: str
    path: Callable[[World], str]
    body: Callable[[World], dict | None] = lambda w: None
    own: bool = False  # hers alone: answered, with nothing of anyone else
    fmt: str = "json"


def _nid(w):
    return w.saint_malo.pk


CALLS = {
    # chat
    "chat-ticket": Call("post", lambda w: "/api/v1/chat/tickets/", own=True),
    "chat-rooms": Call("get", lambda w: "/api/v1/chat/rooms/", own=True),
    "chat-history": Call("get", lambda w: f"/api/v1/chat/rooms/{w.room.pk}/messages/"),
    "chat-history-direct": Call("get", lambda w: f"/api/v1/chat/rooms/{w.direct.pk}/messages/"),
    "chat-direct": Call("post", lambda w: "/api/v1/chat/directs/", lambda w: {"user_id": w.member.pk}),
    # feed
    "feed-posts": Call("get", lambda w: f"/api/v1/feed/posts/?neighbourhood_id={_nid(w)}"),
    "feed-posts-create": Call("post", lambda w: "/api/v1/feed/posts/", lambda w: {
        "client_id": "x", "kind": "help_request", "title": "Aide", "details": VALID["help_request"],
        "neighbourhood_id": _nid(w)}),
    "feed-post": Call("get", lambda w: f"/api/v1/feed/posts/{w.post.pk}/"),
    "feed-post-status": Call("post", lambda w: f"/api/v1/feed/posts/{w.post.pk}/status/", lambda w: {"status": "closed"}),
    "feed-post-respond": Call("post", lambda w: f"/api/v1/feed/posts/{w.post.pk}/responses/"),
    "feed-post-responder": Call("post", lambda w: f"/api/v1/feed/posts/{w.post.pk}/responder/",
                                lambda w: {"user_id": w.member.pk}),
    "feed-post-rsvp": Call("put", lambda w: f"/api/v1/feed/posts/{w.post.pk}/rsvp/", lambda w: {"going": True}),
    "feed-purchase-commit": Call("put", lambda w: f"/api/v1/feed/posts/{w.post.pk}/commitment/",
                                 lambda w: {"quantity": 1}),
    "feed-purchase-paid": Call("put", lambda w: f"/api/v1/feed/posts/{w.post.pk}/commitments/{w.member.pk}/paid/",
                               lambda w: {"paid": True}),
    "feed-loans": Call("get", lambda w: "/api/v1/feed/loans/", own=True),
    "feed-loan-returned": Call("post", lambda w: f"/api/v1/feed/loans/{w.loan.pk}/returned/"),
    "feed-profile": Call("get", lambda w: f"/api/v1/feed/members/{w.member.pk}/"),
    "feed-map": Call("get", lambda w: f"/api/v1/feed/map/?bbox={SAINT_MALO[1] - 0.05},{SAINT_MALO[0] - 0.05},"
                                     f"{SAINT_MALO[1] + 0.05},{SAINT_MALO[0] + 0.05}", own=True),
    # trust
    "trust-membership": Call("get", lambda w: f"/api/v1/trust/memberships/{w.applicant_membership.pk}/"),
    "trust-proof-upload": Call("post", lambda w: f"/api/v1/trust/memberships/{w.applicant_membership.pk}/proofs/",
                               lambda w: {"file": SimpleUploadedFile("proof.pdf", PDF)}, fmt="multipart"),
    "trust-vouch": Call("post", lambda w: f"/api/v1/trust/memberships/{w.applicant_membership.pk}/vouches/"),
    "trust-letter-code": Call("post", lambda w: f"/api/v1/trust/memberships/{w.applicant_membership.pk}/letter-code/"),
    "trust-letter-code-redeem": Call(
        "post", lambda w: f"/api/v1/trust/memberships/{w.applicant_membership.pk}/letter-code/redeem/",
        lambda w: {"code": "ABCDEFGH"}),
    "trust-reject": Call("post", lambda w: f"/api/v1/trust/memberships/{w.applicant_membership.pk}/reject/",
                         lambda w: {"reason": "Non"}),
    "trust-revoke": Call("post", lambda w: f"/api/v1/trust/memberships/{w.member_membership.pk}/revoke/",
                         lambda w: {"reason": "Non"}),
    "trust-reinstate": Call("post", lambda w: f"/api/v1/trust/memberships/{w.member_membership.pk}/reinstate/",
                            lambda w: {"reason": "Oui"}),
    "trust-history": Call("get", lambda w: "/api/v1/trust/history/", own=True),
    "trust-proof-file": Call("get", lambda w: f"/api/v1/trust/proofs/{w.proof.pk}/file/"),
    "trust-proof-review": Call("post", lambda w: f"/api/v1/trust/proofs/{w.proof.pk}/review/",
                               lambda w: {"decision": "approve"}),
    "trust-members": Call("get", lambda w: f"/api/v1/trust/neighbourhoods/{_nid(w)}/members/"),
    "trust-applicants": Call("get", lambda w: f"/api/v1/trust/neighbourhoods/{_nid(w)}/applicants/"),
    # moderation
    "moderation-report": Call("post", lambda w: "/api/v1/moderation/reports/",
                              lambda w: {"category": "spam", "message_id": w.message.pk}),
    "moderation-report-dismiss": Call("post", lambda w: f"/api/v1/moderation/reports/{w.report.pk}/dismiss/",
                                      lambda w: {"reason": "Non"}),
    "moderation-message-remove": Call("post", lambda w: f"/api/v1/moderation/messages/{w.message.pk}/remove/",
                                      lambda w: {"reason": "Non"}),
    "moderation-message-restore": Call("post", lambda w: f"/api/v1/moderation/messages/{w.action.message_id}/restore/",
                                       lambda w: {"reason": "Non"}),
    "moderation-post-remove": Call("post", lambda w: f"/api/v1/moderation/posts/{w.post.pk}/remove/",
                                   lambda w: {"reason": "Non"}),
    "moderation-post-restore": Call("post", lambda w: f"/api/v1/moderation/posts/{w.post.pk}/restore/",
                                    lambda w: {"reason": "Non"}),
    "moderation-my-decisions": Call("get", lambda w: "/api/v1/moderation/decisions/", own=True),
    "moderation-appeal": Call("post", lambda w: f"/api/v1/moderation/decisions/{w.action.pk}/appeal/",
                              lambda w: {"text": "Moi aussi"}),
    "moderation-appeal-decide": Call("post", lambda w: f"/api/v1/moderation/appeals/{w.appeal.pk}/decide/",
                                     lambda w: {"grant": True, "reason": "Oui"}),
    "moderation-reports": Call("get", lambda w: f"/api/v1/moderation/neighbourhoods/{_nid(w)}/reports/"),
    "moderation-log": Call("get", lambda w: f"/api/v1/moderation/neighbourhoods/{_nid(w)}/log/"),
    "moderation-appeals": Call("get", lambda w: f"/api/v1/moderation/neighbourhoods/{_nid(w)}/appeals/"),
    "moderation-mute": Call("post", lambda w: f"/api/v1/moderation/neighbourhoods/{_nid(w)}/members/{w.member.pk}/mute/",
                            lambda w: {"reason": "Non", "minutes": 60}),
    "moderation-ban": Call("post", lambda w: f"/api/v1/moderation/neighbourhoods/{_nid(w)}/members/{w.member.pk}/ban/",
                           lambda w: {"reason": "Non"}),
    # a photo of a resident's post, through a valid signed link
    "photos-file": Call("get", lambda w: w.image_link),
}


def _state():
    return (
        Message.objects.count(), Post.objects.count(), dict(Post.objects.values_list("pk", "status")),
        dict(Membership.objects.values_list("pk", "state")), AuditEntry.objects.count(), Vouch.objects.count(),
        Action.objects.count(), Report.objects.count(), Appeal.objects.count(), Room.objects.count(),
        ProofOfAddress.objects.count(),
    )


@pytest.mark.django_db
def test_the_calls_cover_every_chat_feed_trust_and_moderation_route(world):
    from backend.chat import urls as chat_urls
    from backend.feed import urls as feed_urls
    from backend.moderation import urls as moderation_urls
    from backend.trust import urls as trust_urls

    names = {pattern.name for urls in (chat_urls, feed_urls, trust_urls, moderation_urls) for pattern in urls.urlpatterns}
    covered = {resolve(call.path(world).split("?")[0]).url_name for call in CALLS.values()}
    assert names - {"trust-apply"} <= covered  # applying to live somewhere: test_an_agent_may_still_apply


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CALLS))
def test_an_agent_reads_and_changes_nothing_of_the_residents(world, agent, name):
    call = CALLS[name]
    client = APIClient()
    _, raw = token_create(user=agent.user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    before = _state()

    response = getattr(client, call.method)(call.path(world), call.body(world), format=call.fmt)

    text = response.content.decode(errors="replace")
    if call.own:
        assert response.status_code in (200, 201), text[:300]
    else:
        # Refused as someone who may not (403) or for whom it does not exist (404): never
        # a 400 or 405 that would hide whether she could.
        assert response.status_code in (403, 404), text[:300]
        assert response.json()["code"], text[:300]
    assert not [secret for secret in SECRETS if secret in text], text[:300]
    assert _state() == before


@pytest.mark.django_db
def test_an_agent_may_still_apply_to_live_somewhere_like_anyone(world, agent, client_for):
    """Applying is no reading: she becomes a pending applicant, who reads nothing either."""
    response = client_for(agent.user).post("/api/v1/trust/memberships/", {
        "street": "Rue de Toulouse", "number": "5", "postcode": "35400", "city": "Saint-Malo",
        "latitude": SAINT_MALO[0], "longitude": SAINT_MALO[1]}, format="json")
    assert response.status_code == 201 and response.json()["state"] == "pending"
    assert client_for(agent.user).get(f"/api/v1/chat/rooms/{world.room.pk}/messages/").status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("socket_cleanup")
async def test_an_agent_s_socket_gets_no_room(world, agent, connect):
    socket = await connect(agent.user)
    assert socket.hello["rooms"] == [] and socket.hello["presence"] == []
    for frame, code in (
        ({"type": "subscribe", "ref": "s", "room_id": world.room.pk}, "no_access"),
        ({"type": "subscribe", "ref": "d", "room_id": world.direct.pk}, "no_access"),
        ({"type": "watch", "ref": "w", "neighbourhood_id": world.saint_malo.pk}, "not_moderator"),
        ({"type": "message.send", "ref": "m", "room_id": world.room.pk, "text": "Bonjour"}, "no_access"),
        ({"type": "read", "ref": "r", "room_id": world.room.pk, "seq": 1}, "no_access"),
        ({"type": "reaction.add", "ref": "a", "message_id": world.message.pk, "emoji": "👍"}, "message_not_found"),
        ({"type": "message.edit", "ref": "e", "message_id": world.message.pk, "text": "x"}, "message_not_found"),
        ({"type": "message.delete", "ref": "x", "message_id": world.message.pk}, "message_not_found"),
        ({"type": "post.create", "ref": "p", "kind": "help_request", "title": "Aide", "details": VALID["help_request"],
          "room_id": world.room.pk}, "not_member"),
    ):
        await socket.send(frame)
        error = await socket.expect("error")
        assert (error["ref"], error["code"]) == (frame["ref"], code)
    await socket.send({"type": "typing", "room_id": world.room.pk})
    assert (await socket.expect("error"))["code"] == "not_subscribed"
    # A resident's message reaches the room's readers, not her.
    await sync_to_async(message_post)(author=world.member, room_id=world.room.pk, text="Secret", client_id="m9")
    await socket.nothing(timeout=0.5)
