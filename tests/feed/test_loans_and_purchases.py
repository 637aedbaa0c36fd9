"""Loans and group purchases (backend/feed/services.py), and what the clock decides."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.chat.models import Message
from backend.common.errors import VoisinsError
from backend.feed.models import Commitment, Loan, Post
from backend.feed.selectors import loan_record
from backend.feed.services import (
    loan_return_confirm,
    loans_remind,
    post_respond,
    post_responder_pick,
    post_status_set,
    posts_expire,
    purchase_commit,
    purchase_paid_set,
)
from tests.conftest import make_membership, make_user
from tests.feed.test_services import card_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour(saint_malo):
    user = make_user("nina@example.org", name="Nina", language="fr")
    make_membership(user, saint_malo, state="verified")
    return user


def soon(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_a_loan_from_offer_to_return(post_of, member, neighbour):
    offer = post_of(member, "loan_offer", details={"item": "Raclette", "start": soon(0), "end": soon(7)})
    answer = post_respond(actor=neighbour, post_id=offer.pk).response
    post_responder_pick(actor=member, post_id=offer.pk, responder_id=neighbour.id, return_due=timezone.localdate() + timedelta(days=3))
    loan = Loan.objects.get(post=offer)
    assert (loan.lender_id, loan.borrower_id, loan.item, loan.room_id) == (member.id, neighbour.id, "Raclette", answer.room_id)
    assert loan.return_due == timezone.localdate() + timedelta(days=3)

    with pytest.raises(VoisinsError) as refusal:
        loan_return_confirm(actor=neighbour, loan_id=loan.pk)
    assert refusal.value.code == "not_lender"
    loan_return_confirm(actor=member, loan_id=loan.pk)
    assert Post.objects.get(pk=offer.pk).status == "done" and card_of(offer.message_id)["status"] == "done"
    assert Message.objects.filter(room_id=loan.room_id).order_by("-seq").first().text == "« Raclette » est bien rendu. Merci !"
    with pytest.raises(VoisinsError) as refusal:
        loan_return_confirm(actor=member, loan_id=loan.pk)
    assert refusal.value.code == "already_returned"
    assert loan_record(user=member)["loans_given"] == 1
    assert loan_record(user=neighbour) == {"loans_given": 0, "loans_borrowed": 1, "loans_returned_on_time": 1,
                                          "loans_returned_late": 0}


def test_a_loan_request_makes_the_responder_the_lender(post_of, member, neighbour):
    request = post_of(member, "loan_request", details={"item": "Tondeuse", "start": soon(1), "end": soon(2)})
    post_respond(actor=neighbour, post_id=request.pk)
    post_responder_pick(actor=member, post_id=request.pk, responder_id=neighbour.id)
    loan = Loan.objects.get(post=request)
    assert (loan.lender_id, loan.borrower_id, loan.return_due.isoformat()) == (neighbour.id, member.id, soon(2))


def test_a_loan_out_ends_with_its_return_not_by_closing_its_post(post_of, member, neighbour):
    offer = post_of(member, "loan_offer", details={"item": "Raclette", "start": soon(0), "end": soon(7)})
    post_respond(actor=neighbour, post_id=offer.pk)
    post_responder_pick(actor=member, post_id=offer.pk, responder_id=neighbour.id)
    for status in ("done", "closed"):
        with pytest.raises(VoisinsError) as refusal:
            post_status_set(actor=member, post_id=offer.pk, status=status)
        assert refusal.value.code == "loan_not_returned"
    assert Post.objects.get(pk=offer.pk).status == "taken" and Loan.objects.get(post=offer).returned_at is None


def test_the_borrower_cannot_cancel_a_loan_she_holds(post_of, member, neighbour):
    request = post_of(member, "loan_request", details={"item": "Tondeuse", "start": soon(1), "end": soon(2)})
    post_respond(actor=neighbour, post_id=request.pk)
    post_responder_pick(actor=member, post_id=request.pk, responder_id=neighbour.id)  # Nina lends it to Marc
    with pytest.raises(VoisinsError) as refusal:
        post_status_set(actor=member, post_id=request.pk, status="open")
    assert refusal.value.code == "loan_not_returned"
    assert Loan.objects.get(post=request).returned_at is None and Post.objects.get(pk=request.pk).status == "taken"


def test_a_reopened_loan_fell_through_and_is_lent_again(post_of, member, neighbour, saint_malo):
    other = make_user("oscar@example.org", name="Oscar")
    make_membership(other, saint_malo, state="verified")
    offer = post_of(member, "loan_offer", details={"item": "Raclette", "start": soon(0), "end": soon(7)})
    post_respond(actor=neighbour, post_id=offer.pk)
    post_responder_pick(actor=member, post_id=offer.pk, responder_id=neighbour.id)
    post_status_set(actor=member, post_id=offer.pk, status="open")
    assert not Loan.objects.filter(post=offer).exists()
    assert loan_record(user=neighbour)["loans_borrowed"] == 0
    told = Message.objects.filter(client_id__startswith="#cancelled").get()
    assert told.text == "Le prêt de « Raclette » est annulé : l'annonce est de nouveau ouverte."  # Nina reads French
    post_respond(actor=other, post_id=offer.pk)
    post_responder_pick(actor=member, post_id=offer.pk, responder_id=other.id)
    assert Loan.objects.get(post=offer).borrower_id == other.id


def test_a_return_date_in_the_past_is_refused(post_of, member, neighbour):
    offer = post_of(member, "loan_offer", details={"item": "Raclette", "start": soon(0), "end": soon(7)})
    post_respond(actor=neighbour, post_id=offer.pk)
    with pytest.raises(VoisinsError) as refusal:
        post_responder_pick(actor=member, post_id=offer.pk, responder_id=neighbour.id,
                            return_due=timezone.localdate() - timedelta(days=1))
    assert refusal.value.code == "in_the_past"
    assert not Loan.objects.exists() and Post.objects.get(pk=offer.pk).status == "open"


def test_the_borrower_is_reminded_once_the_day_before(post_of, member, neighbour):
    offer = post_of(member, "loan_offer", details={"item": "Raclette", "start": soon(0), "end": soon(7)})
    post_respond(actor=neighbour, post_id=offer.pk)
    post_responder_pick(actor=member, post_id=offer.pk, responder_id=neighbour.id)
    loan = Loan.objects.get(post=offer)
    now = timezone.now()
    assert loans_remind(now=now + timedelta(days=5)) == 0
    assert loans_remind(now=now + timedelta(days=6)) == 1
    assert loans_remind(now=now + timedelta(days=6, hours=1)) == 0
    reminder = Message.objects.filter(room_id=loan.room_id).order_by("-seq").first()
    assert reminder.author_id == member.id
    assert reminder.text == f"Rappel : « Raclette » est à rendre au plus tard le {soon(7)}."


def purchase(post_of, author, **details):
    deadline = (timezone.now() + timedelta(days=2)).isoformat()
    return post_of(author, "group_purchase", details={
        "product": "Huîtres", "unit": "douzaine", "unit_price_cents": 900, "min_quantity": 10, "max_quantity": 20,
        "deadline": deadline, **details})


def test_neighbours_commit_and_the_organiser_marks_who_paid(post_of, member, neighbour, saint_malo):
    other = make_user("olga@example.org", name="Olga")
    make_membership(other, saint_malo, state="verified")
    post = purchase(post_of, member)
    purchase_commit(actor=neighbour, post_id=post.pk, quantity=12)
    purchase_commit(actor=other, post_id=post.pk, quantity=3)
    with pytest.raises(VoisinsError) as refusal:
        purchase_commit(actor=other, post_id=post.pk, quantity=9)
    assert refusal.value.code == "over_maximum" and refusal.value.params == {"remaining": 8}
    with pytest.raises(VoisinsError) as refusal:
        purchase_commit(actor=other, post_id=post.pk, quantity=-2)
    assert refusal.value.code == "invalid_quantity"
    assert Commitment.objects.get(user=other).quantity == 3

    with pytest.raises(VoisinsError) as refusal:
        purchase_paid_set(actor=neighbour, post_id=post.pk, user_id=neighbour.id, paid=True)
    assert refusal.value.code == "not_organiser"
    purchase_paid_set(actor=member, post_id=post.pk, user_id=neighbour.id, paid=True)
    card = card_of(post.message_id)["purchase"]
    assert (card["committed"], card["paid_quantity"], card["outcome"]) == (15, 12, None)
    assert [(c["person"]["id"], c["amount_cents"], c["paid"], c["owes_cents"]) for c in card["commitments"]] == [
        (neighbour.id, 10800, True, 0), (other.id, 2700, False, 2700)]

    purchase_commit(actor=neighbour, post_id=post.pk, quantity=13)
    assert not Commitment.objects.get(user=neighbour).paid  # a new amount is to be paid again
    purchase_commit(actor=other, post_id=post.pk, quantity=0)
    assert card_of(post.message_id)["purchase"]["committed"] == 13
    with pytest.raises(VoisinsError) as refusal:
        purchase_paid_set(actor=member, post_id=post.pk, user_id=other.id, paid=True)
    assert refusal.value.code == "no_commitment"


def test_at_the_deadline_the_purchase_closes_reached_or_not(post_of, member, neighbour, saint_malo):
    reached, missed = purchase(post_of, member), purchase(post_of, neighbour, min_quantity=5)
    purchase_commit(actor=neighbour, post_id=reached.pk, quantity=10)
    purchase_commit(actor=member, post_id=missed.pk, quantity=4)
    assert posts_expire(now=timezone.now()) == 0
    assert posts_expire(now=timezone.now() + timedelta(days=2, minutes=1)) == 2
    assert [card_of(p.message_id)["purchase"]["outcome"] for p in (reached, missed)] == ["reached", "not_reached"]
    assert Post.objects.get(pk=reached.pk).status == "closed"


def test_open_posts_expire_and_their_cards_say_so(post_of, member, neighbour):
    post = post_of(member, "classified")
    taken = post_of(member, "help_request")
    post_respond(actor=neighbour, post_id=taken.pk)
    post_responder_pick(actor=member, post_id=taken.pk, responder_id=neighbour.id)
    assert posts_expire(now=timezone.now() + timedelta(days=15)) == 1
    assert card_of(post.message_id)["status"] == "expired" and card_of(taken.message_id)["status"] == "taken"


def test_nobody_commits_to_what_is_not_a_purchase(post_of, member, neighbour):
    with pytest.raises(VoisinsError) as refusal:
        purchase_commit(actor=neighbour, post_id=post_of(member).pk, quantity=1)
    assert refusal.value.code == "not_a_purchase" and not Commitment.objects.exists()


def test_nobody_commits_after_the_deadline(post_of, member, neighbour):
    post = purchase(post_of, member)
    passed = {**post.details, "deadline": (timezone.now() - timedelta(minutes=1)).isoformat()}
    Post.objects.filter(pk=post.pk).update(details=passed)  # the deadline passed; the sweep has not run yet
    with pytest.raises(VoisinsError) as refusal:
        purchase_commit(actor=neighbour, post_id=post.pk, quantity=1)
    assert refusal.value.code == "deadline_passed" and not Commitment.objects.exists()
