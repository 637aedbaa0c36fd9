"""The only place that changes posts. A post lives in its room as a card message; every
change to it updates its cards live (chat's `cards_update`), on commit."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from backend.accounts.domain_events import AccountErased
from backend.accounts.models import User
from backend.chat import selectors as chat_selectors
from backend.chat import services as chat_services
from backend.chat.domain_events import CardMessageDeleted
from backend.chat.models import Message, Room
from backend.chat.services import PostRequest
from backend.common import domain_events, events
from backend.common.errors import VoisinsError
from backend.feed import cards, domain
from backend.feed.domain_events import PartnerLeft
from backend.feed.models import Commitment, Loan, Post, Response, Rsvp
from backend.neighbourhoods.domain import bounding_box, snap_to_grid
from backend.neighbourhoods.models import Neighbourhood
from backend.photos import frames as photo_frames
from backend.photos import selectors as photo_selectors
from backend.photos import services as photo_services
from backend.trust.selectors import NeighbourhoodAccess, fuzzed_position, neighbourhood_access


@dataclass(frozen=True)
class Created:
    post: Post
    created: bool  # False when the client id was already used: the first post, unchanged


def _post_room(author: User, *, room_id: int | None, neighbourhood_id: int | None) -> Room:
    """The room the card goes to: the one asked for (a room of her neighbourhood, not a
    direct conversation), else the default room of the neighbourhood asked for, else of
    her first neighbourhood."""
    if room_id is not None:
        room = Room.objects.select_related("neighbourhood").filter(pk=room_id).first()
        if room is None:
            raise VoisinsError("room_not_found")
        if room.kind == Room.Kind.DIRECT:
            raise VoisinsError("no_access")
    else:
        if neighbourhood_id is None:
            neighbourhood_id = next(iter(chat_selectors.readable_neighbourhood_ids(user=author)), None)
        if neighbourhood_id is None or not Neighbourhood.objects.filter(pk=neighbourhood_id).exists():
            raise VoisinsError("not_member")
        chat_services.rooms_ensure_default(neighbourhood_ids=[neighbourhood_id])
        room = Room.objects.select_related("neighbourhood").get(neighbourhood_id=neighbourhood_id, kind=Room.Kind.DEFAULT)
    if not neighbourhood_access(user=author, neighbourhood_id=room.neighbourhood_id).can_read:
        raise VoisinsError("not_member")
    return room


def _clean(kind: str, title: str, text: str, details: Any, expires_at: datetime | None, now: datetime):
    title, text = title.strip(), text.strip()
    if not title:
        raise VoisinsError("title_blank")
    try:
        details = domain.details_clean(kind, details, now=now)
    except domain.DetailsError as exc:
        raise VoisinsError(exc.code, field=exc.field, **({"detail": exc.detail} if exc.detail else {})) from exc
    if kind == "group_purchase" and expires_at is not None:
        raise VoisinsError("invalid_post_details", field="expires_at", detail="a group purchase ends at its deadline")
    if expires_at is None:
        expires_at = domain.default_expiry(kind, details, now=now)
    else:
        refusal = domain.expiry_refusal(expires_at, now=now)
        if refusal:
            raise VoisinsError(refusal, field="expires_at")
    return title, text, details, expires_at


def _card_of(post: Post) -> dict[str, Any]:
    """The card as its messages store it, with every image: chat shows a card to those
    who may read its message, and not at all once it is removed or hidden."""
    commitments = list(post.commitments.select_related("user").order_by("pk")) if post.kind == "group_purchase" else []
    images = photo_frames.image_bodies(photo_selectors.images_of(kind="post", object_ids=[post.pk])[post.pk])
    return cards.card(post, responses=post.responses.count(), going=post.rsvps.count(), commitments=commitments,
                      images=images)


def _post_card_message(post: Post, *, author: User, room_id: int, text: str, client_id: str) -> int:
    """Posts the post's card in a room; returns the message id."""
    result = chat_services.messages_post(
        requests=[PostRequest(author=author, room_id=room_id, text=text, client_id=client_id,
                              card=_card_of(post))]
    )[0]
    if isinstance(result, VoisinsError):
        raise result
    return result.message_id


def _card_message_ids(post: Post) -> list[int]:
    """The messages that carry its card: its own, and its responders' quotes."""
    message_ids = [post.message_id, *post.responses.exclude(message=None).values_list("message_id", flat=True)]
    return [pk for pk in message_ids if pk is not None]


def _refresh_cards(post: Post, *, except_message_ids: Collection[int] = ()) -> None:
    chat_services.cards_update(
        message_ids=[pk for pk in _card_message_ids(post) if pk not in except_message_ids], card=_card_of(post)
    )


def _erase_words(post: Post, *, now: datetime) -> None:
    """Its words and its place go (its author deleted it, or her account): it closes, its
    title, text and details are blanked, and it sits at its neighbourhood's centre."""
    if post.status in ("open", "taken"):
        post.status, post.status_changed_at = "closed", now
    post.title, post.text, post.details = "", "", domain.details_erased(post.kind, post.details)
    post.latitude, post.longitude = _centre(post.neighbourhood)


def post_create(
    *,
    author: User,
    kind: str,
    title: str,
    details: Any,
    client_id: str,
    text: str = "",
    room_id: int | None = None,
    neighbourhood_id: int | None = None,
    expires_at: datetime | None = None,
    image_ids: list[int] | None = None,
) -> Created:
    """A post and its card in the room, with her uploaded photos (`image_ids`, at most
    MAX_IMAGES, in order). Resending the same client id returns the first post and
    creates nothing."""
    existing = Post.objects.filter(author=author, client_id=client_id).first()
    if existing is not None:
        return Created(existing, created=False)
    now = timezone.now()
    room = _post_room(author, room_id=room_id, neighbourhood_id=neighbourhood_id)
    title, text, details, expires_at = _clean(kind, title, text, details, expires_at, now)
    try:
        with transaction.atomic():
            latitude, longitude = fuzzed_position(user=author, neighbourhood=room.neighbourhood)
            post = Post.objects.create(
                neighbourhood_id=room.neighbourhood_id, room=room, author=author, client_id=client_id, kind=kind,
                title=title, text=text, details=details, expires_at=expires_at, created_at=now,
                latitude=latitude, longitude=longitude,
            )
            photo_services.images_attach(owner=author, image_ids=image_ids or [], kind="post", object_id=post.pk)
            post.message_id = _post_card_message(
                post, author=author, room_id=room.pk, text=title, client_id=f"#post{post.pk}"
            )
            post.save(update_fields=["message"])
    except IntegrityError:  # the same client id at once from two devices
        return Created(Post.objects.get(author=author, client_id=client_id), created=False)
    return Created(post, created=True)


def _locked_post(post_id: int) -> Post:
    post = Post.objects.select_for_update(of=("self",)).select_related("author", "responder").filter(
        pk=post_id, deleted_at=None).first()
    if post is None:
        raise VoisinsError("post_not_found")
    return post


def _require_reader(user: User, post: Post) -> NeighbourhoodAccess:
    access = neighbourhood_access(user=user, neighbourhood_id=post.neighbourhood_id)
    if post.removed_at is not None or not access.can_read:
        raise VoisinsError("post_not_found")
    return access


def _require_author_or_moderator(user: User, post: Post) -> NeighbourhoodAccess:
    access = _require_reader(user, post)
    if post.author_id != user.pk and not access.is_moderator:
        raise VoisinsError("not_post_author")
    return access


def post_status_set(*, actor: User, post_id: int, status: str) -> Post:
    """Closes a post, marks a taken one done, or reopens a taken one (its responder is
    released). Only its author and the neighbourhood's moderators. A loan out ends when
    its lender confirms the return (loan_return_confirm), which marks the post done: not
    by closing it nor marking it done, which would leave the loan open and its borrower
    reminded for ever. Its lender (or a moderator) may reopen it: the loan fell through,
    it is cancelled and the other side told in their conversation; its borrower may not."""
    with transaction.atomic():
        post = _locked_post(post_id)
        access = _require_author_or_moderator(actor, post)
        refusal = domain.status_change_refusal(current=post.status, target=status)
        if refusal:
            raise VoisinsError(refusal, current=post.status, target=status)
        out = Loan.objects.select_for_update(of=("self",)).select_related("lender", "borrower").filter(
            post=post, returned_at=None).first()
        if out is not None and (status != "open" or (actor.pk != out.lender_id and not access.is_moderator)):
            raise VoisinsError("loan_not_returned")
        post.status, post.status_changed_at = status, timezone.now()
        if status == "open":
            post.responder = None
        if out is not None:
            other = out.borrower if actor.pk == out.lender_id else out.lender
            _notices(actor, [(out.room_id, domain.loan_cancelled_notice(out.item, other.language),
                              f"#cancelled{out.pk}")])
            out.delete()
        post.save(update_fields=["status", "status_changed_at", "responder"])
        _refresh_cards(post)
    return post


def post_delete(*, actor: User, post_id: int) -> None:
    """Her post goes for good: its cards are deleted as messages are (live, in its room
    and in the conversations that quote it), its photos with their files (once this
    commits), its words and its place. Refused with post_has_partners while neighbours
    count on it (_partners: a loan not returned, an open group purchase with their
    shares). Only its author, while she can read it: moderators remove a post instead
    (moderation), which keeps it for review. Deleting it again changes nothing."""
    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).select_related("neighbourhood").filter(pk=post_id).first()
        if post is not None and post.deleted_at is not None and post.author_id == actor.pk:
            return
        if post is None or post.deleted_at is not None:
            raise VoisinsError("post_not_found")
        _require_reader(actor, post)
        if post.author_id != actor.pk:
            raise VoisinsError("not_post_author")
        _delete_post(post, now=timezone.now())


def card_message_deleted(event: CardMessageDeleted) -> None:
    """Her post's card deleted through chat (subscriber of chat's CardMessageDeleted, in
    its transaction): the post goes with it, as post_delete does, or the refusal undoes
    the message's deletion. A responder's quote of a post, and the card of a post the
    moderators removed (kept for review), are only messages.

    Chat holds the card's lock already, when every other change of a post locks the post
    first, then its cards: waiting for the post could deadlock with one of them, so a
    post locked meanwhile refuses at once (server_busy, retry in a second) instead."""
    try:
        with transaction.atomic():
            post = Post.objects.select_for_update(of=("self",), nowait=True).select_related("neighbourhood").filter(
                message_id=event.message_id, author_id=event.author_id, deleted_at=None, removed_at=None
            ).first()
    except OperationalError as exc:  # the post is locked by another change
        raise VoisinsError("server_busy", retry_after=1) from exc
    if post is not None:
        _delete_post(post, now=event.at)


def _delete_post(post: Post, *, now: datetime) -> None:
    """Deletes a locked post in the caller's transaction (post_delete, card_message_deleted)."""
    partners = _partners(post.author_id, loans=Loan.objects.filter(post=post),
                         organised=Post.objects.filter(pk=post.pk), joined=Post.objects.none(), at=now)
    if partners:
        raise VoisinsError("post_has_partners")
    # Its cards, and the notices that quoted its title to the responders not chosen.
    responses = list(post.responses.values_list("pk", "room_id"))
    taken_notices = Message.objects.filter(
        room_id__in=[room_id for _, room_id in responses], client_id__in=[f"#taken{pk}" for pk, _ in responses]
    ).values_list("pk", flat=True)
    chat_services.cards_delete(message_ids=[*_card_message_ids(post), *taken_notices])
    photo_services.images_delete(kind="post", object_ids=[post.pk])
    _erase_words(post, now=now)
    post.deleted_at = now
    post.save(update_fields=["status", "status_changed_at", "title", "text", "details", "latitude", "longitude",
                             "deleted_at"])


@dataclass(frozen=True)
class Answer:
    response: Response
    created: bool


def post_respond(*, actor: User, post_id: int) -> Answer:
    """“I can help” / “I'm interested”: opens (or reuses) her direct conversation with
    the author, quoting the card at its top. Answering twice returns the first answer."""
    with transaction.atomic():
        post = _locked_post(post_id)
        _require_reader(actor, post)
        existing = Response.objects.filter(post=post, responder=actor).first()
        if existing is not None:
            return Answer(existing, created=False)
        refusal = domain.answer_refusal(kind=post.kind, status=post.status, is_author=post.author_id == actor.pk)
        if refusal:
            raise VoisinsError(refusal)
        room = chat_services.room_direct_open(actor=actor, other_id=post.author_id)
        response = Response.objects.create(post=post, responder=actor, room=room, created_at=timezone.now())
        response.message_id = _post_card_message(
            post, author=actor, room_id=room.pk, text=domain.answer_text(post.kind, actor.language, mode=post.details.get("mode")),
            client_id=f"#response{response.pk}",
        )
        response.save(update_fields=["message"])
        _refresh_cards(post, except_message_ids=[response.message_id])
    return Answer(response, created=True)


def post_responder_pick(*, actor: User, post_id: int, responder_id: int, return_due: date | None = None) -> Post:
    """The author chooses who helps: the post is taken, and the other responders are
    told in their conversations. For a loan offer or request, the loan starts, due back
    on `return_due` (by default the end of the post's period)."""
    with transaction.atomic():
        post = _locked_post(post_id)
        _require_reader(actor, post)
        if post.author_id != actor.pk:
            raise VoisinsError("not_post_author")
        if post.status != "open":
            raise VoisinsError("post_not_open")
        responses = list(post.responses.select_related("responder"))
        chosen = next((r for r in responses if r.responder_id == responder_id), None)
        if chosen is None:
            raise VoisinsError("not_a_responder")
        now = timezone.now()
        if post.kind in domain.LOAN_KINDS:
            due = return_due or domain.return_due_default(post.details)
            if due < timezone.localdate(now):
                raise VoisinsError("in_the_past", field="return_due")
            lender_id, borrower_id = domain.loan_parties(post.kind, author_id=post.author_id, responder_id=responder_id)
            Loan.objects.create(
                post=post, lender_id=lender_id, borrower_id=borrower_id, item=post.details["item"], return_due=due,
                room_id=chosen.room_id, created_at=now,
            )
        post.status, post.responder, post.status_changed_at = "taken", chosen.responder, now
        post.save(update_fields=["status", "responder", "status_changed_at"])
        _notices(actor, [
            (response.room_id, domain.taken_notice(post.title, response.responder.language), f"#taken{response.pk}")
            for response in responses
            if response is not chosen
        ])
        _refresh_cards(post)
    return post


def post_rsvp_set(*, actor: User, post_id: int, going: bool) -> Post:
    """Says she is going to an event, or no longer; saying it twice changes nothing."""
    with transaction.atomic():
        post = _locked_post(post_id)
        _require_reader(actor, post)
        if post.kind != "event":
            raise VoisinsError("not_an_event")
        if post.status != "open":
            raise VoisinsError("post_not_open")
        if going:
            _, changed = Rsvp.objects.get_or_create(post=post, user=actor, defaults={"created_at": timezone.now()})
        else:
            changed = Rsvp.objects.filter(post=post, user=actor).delete()[0] > 0
        if changed:
            _refresh_cards(post)
    return post


def _notices(author: User, notices: list[tuple[int, str, str]]) -> None:
    """Lines the server writes in conversations on someone's behalf, stored together:
    (room id, text, client id) each; not counted against her write limit."""
    if not notices:
        return
    requests = [PostRequest(author=author, room_id=room_id, text=text, client_id=client_id, counted=False)
                for room_id, text, client_id in notices]
    for result in chat_services.messages_post(requests=requests):
        if isinstance(result, VoisinsError):
            raise result


# Loans


def loan_return_confirm(*, actor: User, loan_id: int) -> Loan:
    """The lender has her item back: the loan ends, and a taken post is done. Locks its
    post before the loan, as every change of a post does (a reopening at the same moment
    waits instead of deadlocking)."""
    with transaction.atomic():
        for locked in (False, True):
            loans = Loan.objects.select_for_update(of=("self",)) if locked else Loan.objects
            loan = loans.select_related("borrower").filter(pk=loan_id).first()
            if loan is None or actor.pk not in (loan.lender_id, loan.borrower_id):
                raise VoisinsError("not_a_loan")
            if loan.lender_id != actor.pk:
                raise VoisinsError("not_lender")
            if loan.returned_at is not None:
                raise VoisinsError("already_returned")
            if not locked:
                post = _locked_post(loan.post_id)
        loan.returned_at = timezone.now()
        loan.save(update_fields=["returned_at"])
        _notices(actor, [(loan.room_id, domain.loan_returned_notice(loan.item, loan.borrower.language),
                          f"#returned{loan.pk}")])
        if post.status == "taken":
            post.status, post.status_changed_at = "done", loan.returned_at
            post.save(update_fields=["status", "status_changed_at"])
            _refresh_cards(post)
    return loan


def loans_remind(*, now: datetime) -> int:
    """Reminds each borrower, in the loan's conversation, the day before her return date."""
    today = timezone.localdate(now)
    reminded = 0
    due = Loan.objects.filter(returned_at=None, reminded_at=None, return_due__lte=today + timedelta(days=1))
    for loan_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            loan = Loan.objects.select_for_update(skip_locked=True, of=("self",)).select_related("lender", "borrower").filter(
                pk=loan_id, reminded_at=None).first()
            if loan is None or not domain.reminder_due(return_due=loan.return_due, today=today):
                continue
            loan.reminded_at = now
            loan.save(update_fields=["reminded_at"])
            _notices(loan.lender, [(loan.room_id, domain.loan_reminder(loan.item, loan.return_due, loan.borrower.language),
                                    f"#reminder{loan.pk}")])
            reminded += 1
    return reminded


# Group purchases


def _locked_purchase(actor: User, post_id: int) -> Post:
    post = _locked_post(post_id)
    _require_reader(actor, post)
    if post.kind != "group_purchase":
        raise VoisinsError("not_a_purchase")
    return post


def purchase_commit(*, actor: User, post_id: int, quantity: int) -> Post:
    """Sets her share of a group purchase (0 withdraws it): never past the maximum in
    total, never after the deadline."""
    with transaction.atomic():
        post = _locked_purchase(actor, post_id)
        others = sum(post.commitments.exclude(user=actor).values_list("quantity", flat=True))
        maximum = post.details["max_quantity"]
        refusal = domain.commitment_refusal(
            status=post.status, deadline=domain.deadline_of(post.details), now=timezone.now(), quantity=quantity,
            committed_by_others=others, maximum=maximum,
        )
        if refusal:
            raise VoisinsError(refusal, **({"remaining": maximum - others} if refusal == "over_maximum" else {}))
        if quantity == 0:
            changed = post.commitments.filter(user=actor).delete()[0] > 0
        else:
            commitment, created = Commitment.objects.get_or_create(
                post=post, user=actor, defaults={"quantity": quantity, "updated_at": timezone.now()}
            )
            changed = created or commitment.quantity != quantity
            if changed and not created:
                # A new quantity is a new amount: the organiser confirms its payment again.
                commitment.quantity, commitment.paid, commitment.updated_at = quantity, False, timezone.now()
                commitment.save(update_fields=["quantity", "paid", "updated_at"])
        if changed:
            _refresh_cards(post)
    return post


def purchase_paid_set(*, actor: User, post_id: int, user_id: int, paid: bool) -> Post:
    """The organiser marks who has paid her share."""
    with transaction.atomic():
        post = _locked_purchase(actor, post_id)
        if post.author_id != actor.pk:
            raise VoisinsError("not_organiser")
        commitment = post.commitments.select_for_update().filter(user_id=user_id).first()
        if commitment is None:
            raise VoisinsError("no_commitment")
        if commitment.paid != paid:
            commitment.paid, commitment.updated_at = paid, timezone.now()
            commitment.save(update_fields=["paid", "updated_at"])
            _refresh_cards(post)
    return post


# What the clock decides


def posts_expire(*, now: datetime) -> int:
    """Open posts past their expiry become expired, and group purchases past their
    deadline close with their outcome; each card says so live."""
    changed = 0
    for post_id in Post.objects.filter(status="open", expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            post = Post.objects.select_for_update(skip_locked=True, of=("self",)).select_related("author", "responder").filter(
                pk=post_id, status="open").first()
            if post is None:
                continue
            if post.kind == "group_purchase":
                committed = sum(post.commitments.values_list("quantity", flat=True))
                post.status = "closed"
                post.outcome = domain.purchase_outcome(committed=committed, minimum=post.details["min_quantity"])
            else:
                post.status = "expired"
            post.status_changed_at = now
            post.save(update_fields=["status", "outcome", "status_changed_at"])
            _refresh_cards(post)
            changed += 1
    return changed


# Her data (issue 15)


def _partners(user_id: int, *, loans: QuerySet[Loan], organised: QuerySet[Post], joined: QuerySet[Post],
              at: datetime) -> list[PartnerLeft]:
    """The neighbours who count on her among these loans and posts: the other side of
    each loan in progress (not returned), the participants of each open group purchase
    she organised, the organiser of each open group purchase she joined. Her erasure
    tells them (partner.left); her deleting a post they count on is refused."""
    partners = [
        PartnerLeft(user_id=loan.borrower_id if loan.lender_id == user_id else loan.lender_id, relation="loan",
                    post_id=loan.post_id, loan_id=loan.pk, room_id=loan.room_id, item=loan.item, at=at)
        for loan in loans.filter(returned_at=None).order_by("pk")
    ]
    for post in organised.filter(kind="group_purchase", status="open").order_by("pk"):
        partners += [PartnerLeft(user_id=participant, relation="purchase", post_id=post.pk, loan_id=None, room_id=None,
                                 item=post.title, at=at)
                     for participant in post.commitments.exclude(user_id=user_id).values_list("user_id", flat=True)]
    for post in joined.filter(kind="group_purchase", status="open").order_by("pk"):
        partners.append(PartnerLeft(user_id=post.author_id, relation="purchase", post_id=post.pk, loan_id=None,
                                    room_id=None, item=post.title, at=at))
    return partners


def _partner_left(told: list[PartnerLeft]) -> None:
    for event in told:
        events.tell_on_commit([event.user_id], {
            "type": "partner.left", "relation": event.relation, "post_id": event.post_id, "loan_id": event.loan_id,
            "room_id": event.room_id, "item": event.item, "at": event.at.isoformat(),
        })
        domain_events.emit(event)


def account_erased(event: AccountErased) -> None:
    """Her part of the feed when her account is erased (subscriber of AccountErased, in
    the erasing transaction): the other side of each loan in progress and of each open
    group purchase with her is told; her open and taken posts close; each of her posts
    loses its title, its text, the words of its details (domain.details_erased) and its
    place (the neighbourhood's centre instead of her grid cell); her RSVPs go; and every
    card that shows her (her posts, those she answered or joined) is refreshed with her
    neutral label, but her own card messages: chat deletes them without card, whichever
    of chat and feed hears the erasure first (cards_update leaves a deleted message as
    it is). Loans and purchase shares stay: they are the others' record too."""
    user_id, now = event.user_id, event.at
    _partner_left(_partners(
        user_id, loans=Loan.objects.filter(Q(lender_id=user_id) | Q(borrower_id=user_id)),
        organised=Post.objects.filter(author_id=user_id),
        joined=Post.objects.filter(commitments__user_id=user_id).exclude(author_id=user_id), at=now,
    ))
    Rsvp.objects.filter(user_id=user_id).delete()
    touched = Post.objects.filter(
        Q(author_id=user_id) | Q(responder_id=user_id) | Q(commitments__user_id=user_id) | Q(rsvps__user_id=user_id)
        | Q(responses__responder_id=user_id)
    ).values_list("pk", flat=True).distinct()
    # Her own card messages (her posts', her answers') are chat's to delete: not refreshed.
    her_cards = {*Post.objects.filter(author_id=user_id).values_list("message_id", flat=True),
                 *Response.objects.filter(responder_id=user_id).values_list("message_id", flat=True)}
    for post in Post.objects.select_for_update(of=("self",)).select_related(
            "author", "responder", "neighbourhood").filter(pk__in=list(touched)).order_by("pk"):
        if post.author_id == user_id:
            _erase_words(post, now=now)
            post.save(update_fields=["status", "status_changed_at", "title", "text", "details", "latitude", "longitude"])
        _refresh_cards(post, except_message_ids=her_cards)


def _centre(neighbourhood: Neighbourhood) -> tuple[float, float]:
    """Where a post that is nobody's any more sits: the grid cell of its neighbourhood's
    centre (where trust places a moderator who lives elsewhere), nothing of her address."""
    south, west, north, east = bounding_box(neighbourhood.area)
    return snap_to_grid((south + north) / 2, (west + east) / 2)

