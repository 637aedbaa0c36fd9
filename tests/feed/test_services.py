import pytest
from jsonschema import Draft202012Validator

from backend.chat.models import Message, Room
from backend.chat.protocol import REGISTRY
from backend.chat.services import rooms_ensure_default
from backend.common import events
from backend.common.errors import VoisinsError
from backend.feed.models import Loan, Post, Response, Rsvp
from backend.feed.services import (
    loan_return_confirm, post_create, post_respond, post_responder_pick, post_rsvp_set, post_status_set,
)
from tests.conftest import erasure_held_open, make_membership, make_user
from tests.feed.test_domain import VALID

pytestmark = pytest.mark.django_db

CARD = Draft202012Validator({"$ref": "post.json#/$defs/card"}, registry=REGISTRY)


def card_of(message_id: int) -> dict:
    card = Message.objects.get(pk=message_id).card
    assert not list(CARD.iter_errors(card)), list(CARD.iter_errors(card))
    return card


@pytest.fixture
def neighbour(saint_malo):
    user = make_user("nina@example.org", name="Nina", language="fr")
    make_membership(user, saint_malo, state="verified")
    return user


@pytest.fixture
def default_room(saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return Room.objects.get(neighbourhood=saint_malo, kind="default")


def test_a_post_is_a_card_in_the_default_room(member, default_room, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as published:
        result = post_create(
            author=member, kind="event", title=" Apéro de rue ", details=VALID["event"], client_id="e1"
        )
    post = result.post
    assert result.created and post.room == default_room and post.status == "open"
    message = Message.objects.get(pk=post.message_id)
    assert (message.room_id, message.author_id, message.text, message.seq) == (default_room.id, member.id, "Apéro de rue", 1)
    card = card_of(message.pk)
    assert (card["post_id"], card["kind"], card["title"], card["responses"], card["going"]) == (post.pk, "event", "Apéro de rue", 0, 0)
    assert card["expires_at"] == "2026-11-30T21:00:00+00:00"
    # message.new with the card, once the transaction commits (other apps' listeners of
    # the message may wait for the commit too)
    assert len([c for c in published if getattr(c, "func", None) is events.publish_now]) == 1


def test_resending_a_post_returns_the_first_one(member, default_room):
    first = post_create(author=member, kind="classified", title="Vélo", details=VALID["classified"], client_id="c1")
    again = post_create(author=member, kind="classified", title="Autre", details=VALID["classified"], client_id="c1")
    assert not again.created and again.post.pk == first.post.pk
    assert Post.objects.count() == 1 and Message.objects.count() == 1


def test_a_post_goes_to_the_topic_room_asked_for(member, saint_malo):
    topic = Room.objects.create(neighbourhood=saint_malo, kind="topic", name="Prêts")
    post = post_create(author=member, kind="loan_offer", title="Raclette", details=VALID["loan_offer"],
                       client_id="l1", room_id=topic.id).post
    assert Message.objects.get(pk=post.message_id).room_id == topic.id


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"details": {**VALID["event"], "end": "2026-11-30T17:00:00+00:00"}}, "end_before_start"),
        ({"details": {"start": VALID["event"]["start"], "place": "Square"}}, "invalid_post_details"),
        ({"title": "   "}, "title_blank"),
        ({"kind": "classified", "details": {"mode": "sell", "item": "Vélo", "price_cents": -5}}, "invalid_post_details"),
    ],
)
def test_bad_posts_change_nothing(member, default_room, fields, code):
    with pytest.raises(VoisinsError) as refusal:
        post_create(author=member, client_id="x", **{"kind": "event", "title": "Fête", "details": VALID["event"], **fields})
    assert refusal.value.code == code
    assert not Post.objects.exists() and not Message.objects.exists()


def test_posting_elsewhere_is_refused(member, outsider, applicant, dinard, saint_malo):
    rooms_ensure_default(neighbourhood_ids=[dinard.id])
    dinard_room = Room.objects.get(neighbourhood=dinard)
    cases = [
        (member, {"room_id": dinard_room.id}, "not_member"),
        (member, {"neighbourhood_id": dinard.id}, "not_member"),
        (outsider, {"neighbourhood_id": saint_malo.id}, "not_member"),
        (applicant, {}, "not_member"),
        (member, {"room_id": 999999}, "room_not_found"),
    ]
    for author, where, code in cases:
        with pytest.raises(VoisinsError) as refusal:
            post_create(author=author, kind="help_request", title="Aide", details=VALID["help_request"],
                        client_id=f"{author.pk}-{code}", **where)
        assert refusal.value.code == code, (author, where)
    assert not Post.objects.exists() and not Message.objects.exists()


def test_a_direct_conversation_is_not_a_place_to_post(member, neighbour):
    from backend.chat.services import room_direct_open

    direct = room_direct_open(actor=member, other_id=neighbour.id)
    with pytest.raises(VoisinsError) as refusal:
        post_create(author=member, kind="help_request", title="Aide", details=VALID["help_request"],
                    client_id="d", room_id=direct.id)
    assert refusal.value.code == "no_access" and not Post.objects.exists()


def test_the_author_or_a_moderator_changes_the_status_and_the_card_follows(post_of, member, neighbour, moderator):
    post = post_of(member, "classified")
    before = Message.objects.get(pk=post.message_id).changed_seq
    with pytest.raises(VoisinsError) as refusal:
        post_status_set(actor=neighbour, post_id=post.pk, status="closed")
    assert refusal.value.code == "not_post_author"
    assert Post.objects.get(pk=post.pk).status == "open" and card_of(post.message_id)["status"] == "open"
    post_status_set(actor=moderator, post_id=post.pk, status="closed")
    message = Message.objects.get(pk=post.message_id)
    assert card_of(message.pk)["status"] == "closed" and message.changed_seq == before + 1
    with pytest.raises(VoisinsError) as refusal:
        post_status_set(actor=member, post_id=post.pk, status="open")
    assert refusal.value.code == "invalid_status_change" and refusal.value.params == {"current": "closed", "target": "open"}


def test_nobody_outside_the_neighbourhood_touches_a_post(post_of, member, outsider):
    post = post_of(member)
    for action in (
        lambda: post_status_set(actor=outsider, post_id=post.pk, status="closed"),
        lambda: post_respond(actor=outsider, post_id=post.pk),
        lambda: post_rsvp_set(actor=outsider, post_id=post.pk, going=True),
    ):
        with pytest.raises(VoisinsError) as refusal:
            action()
        assert refusal.value.code == "post_not_found"
    assert not Response.objects.exists() and Post.objects.get(pk=post.pk).status == "open"


def test_answering_opens_a_conversation_that_quotes_the_card(post_of, member, neighbour):
    post = post_of(member, "help_request")
    answer = post_respond(actor=neighbour, post_id=post.pk)
    room = answer.response.room
    assert answer.created and room.kind == "direct" and {room.user_a_id, room.user_b_id} == {member.id, neighbour.id}
    quote = Message.objects.get(pk=answer.response.message_id)
    assert (quote.room_id, quote.author_id, quote.text) == (room.id, neighbour.id, "Je peux aider")
    assert card_of(quote.pk)["responses"] == 1 and card_of(post.message_id)["responses"] == 1
    again = post_respond(actor=neighbour, post_id=post.pk)
    assert not again.created and again.response.pk == answer.response.pk
    assert Message.objects.filter(room=room).count() == 1


@pytest.mark.parametrize(("kind", "close", "who", "code"), [
    ("help_request", False, "member", "own_post"),
    ("help_request", True, "neighbour", "post_not_open"),
    ("event", False, "neighbour", "not_answerable"),
])
def test_answers_that_are_refused(request, post_of, member, neighbour, kind, close, who, code):
    post = post_of(member, kind)
    if close:
        post_status_set(actor=member, post_id=post.pk, status="closed")
    with pytest.raises(VoisinsError) as refusal:
        post_respond(actor=request.getfixturevalue(who), post_id=post.pk)
    assert refusal.value.code == code and not Response.objects.exists()


def test_choosing_a_responder_takes_the_post_and_tells_the_others(post_of, member, neighbour, saint_malo):
    other = make_user("olga@example.org", name="Olga")
    make_membership(other, saint_malo, state="verified")
    post = post_of(member, "loan_request")
    chosen = post_respond(actor=neighbour, post_id=post.pk).response
    passed_over = post_respond(actor=other, post_id=post.pk).response
    with pytest.raises(VoisinsError) as refusal:
        post_responder_pick(actor=neighbour, post_id=post.pk, responder_id=neighbour.id)
    assert refusal.value.code == "not_post_author"
    with pytest.raises(VoisinsError) as refusal:
        post_responder_pick(actor=member, post_id=post.pk, responder_id=member.id)
    assert refusal.value.code == "not_a_responder"
    assert Post.objects.get(pk=post.pk).status == "open"

    post_responder_pick(actor=member, post_id=post.pk, responder_id=neighbour.id)
    post.refresh_from_db()
    assert (post.status, post.responder_id) == ("taken", neighbour.id)
    for message_id in (post.message_id, chosen.message_id, passed_over.message_id):
        card = card_of(message_id)
        assert (card["status"], card["responder"]["id"], card["responses"]) == ("taken", neighbour.id, 2)
    notice = Message.objects.filter(room=passed_over.room).order_by("-seq").first()
    assert notice.author_id == member.id and notice.text.startswith("“loan_request de Marc” is taken")
    assert not Message.objects.filter(room=chosen.room, card__isnull=True).exists()
    with pytest.raises(VoisinsError) as refusal:
        post_responder_pick(actor=member, post_id=post.pk, responder_id=other.id)
    assert refusal.value.code == "post_not_open"

    loan_return_confirm(actor=neighbour, loan_id=Loan.objects.get(post=post).pk)  # a loan ends with its return
    assert card_of(passed_over.message_id)["status"] == "done"


def test_taking_a_post_with_many_responders_is_not_rate_limited(post_of, member, saint_malo, settings):
    settings.CHAT_WRITES_PER_WINDOW = 3
    post = post_of(member)
    for i in range(5):
        helper = make_user(f"h{i}@example.org")
        make_membership(helper, saint_malo, state="verified")
        post_respond(actor=helper, post_id=post.pk)
    post_responder_pick(actor=member, post_id=post.pk, responder_id=helper.id)
    assert Message.objects.filter(card__isnull=True).count() == 4


def test_rsvp(post_of, member, neighbour):
    event = post_of(member, "event")
    post_rsvp_set(actor=neighbour, post_id=event.pk, going=True)
    post_rsvp_set(actor=neighbour, post_id=event.pk, going=True)
    assert Rsvp.objects.count() == 1 and card_of(event.message_id)["going"] == 1
    post_rsvp_set(actor=neighbour, post_id=event.pk, going=False)
    assert card_of(event.message_id)["going"] == 0
    with pytest.raises(VoisinsError) as refusal:
        post_rsvp_set(actor=neighbour, post_id=post_of(member, "classified").pk, going=True)
    assert refusal.value.code == "not_an_event" and not Rsvp.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_post_created_while_its_author_is_being_erased_is_refused(member, default_room):
    """Her post passes its checks while her erasure is under way, then waits for it: it
    is refused, and neither the post nor its card outlive the erasure."""
    with erasure_held_open(member), pytest.raises(VoisinsError) as refusal:  # the post waits for its commit
        post_create(author=member, kind="help_request", title="Arroser mes plantes", details=VALID["help_request"],
                    client_id="late")
    assert refusal.value.code == "not_authenticated"
    assert not Post.objects.exists() and not Message.objects.exists()
