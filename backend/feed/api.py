from typing import Any

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from backend.accounts.models import User
from backend.chat import handlers
from backend.chat import selectors as chat_selectors
from backend.chat.models import Message
from backend.common.api import ApiView, JsonInput, PersonOutput, QueryInput, error_responses
from backend.common.errors import VoisinsError
from backend.feed import cards, domain, selectors, services
from backend.feed.models import Post
from backend.photos.api import ImageOutput
from backend.photos.frames import image_bodies


class CommitmentOutput(serializers.Serializer):
    person = PersonOutput()
    quantity = serializers.IntegerField()
    amount_cents = serializers.IntegerField()
    paid = serializers.BooleanField()
    owes_cents = serializers.IntegerField()


class PurchaseOutput(serializers.Serializer):
    committed = serializers.IntegerField()
    paid_quantity = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["reached", "not_reached"], allow_null=True)
    commitments = CommitmentOutput(many=True)


class CardOutput(serializers.Serializer):
    """The card of frontend-contract/websocket/post.json#/$defs/card."""

    post_id = serializers.IntegerField()
    neighbourhood_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=domain.KINDS)
    status = serializers.ChoiceField(choices=domain.STATUSES)
    title = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    details = serializers.DictField(help_text="The fields of its kind: post.json#/$defs/<kind> in frontend-contract.")
    author = PersonOutput()
    responder = PersonOutput(allow_null=True)
    responses = serializers.IntegerField()
    going = serializers.IntegerField()
    purchase = PurchaseOutput(allow_null=True, help_text="Group purchases only.")
    images = ImageOutput(many=True, help_text="Its photos, at most 6, in order; empty for residents while it is "
                         "removed or hidden (its moderators still see them).")
    expires_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


class PostOutput(serializers.Serializer):
    room_id = serializers.IntegerField(help_text="The room where its card is.")
    message_id = serializers.IntegerField(help_text="The card message in that room.")
    card = CardOutput()


def _post_bodies(user: User, posts: list[Post]) -> list[dict]:
    """From posts of the selectors, which count their responses and RSVPs, with the
    photos she may see."""
    images = selectors.posts_images(user=user, posts=posts)
    return [
        {
            "room_id": post.room_id,
            "message_id": post.message_id,
            "card": cards.card(post, responses=post.response_count, going=post.going_count,
                               commitments=list(post.commitments.all()), images=image_bodies(images[post.pk])),
        }
        for post in posts
    ]


def _post_as_it_is(request, post_id: int) -> Response:
    post = selectors.post_for_reader(user=request.user, post_id=post_id)
    return Response(PostOutput(_post_bodies(request.user, [post])[0]).data)


class PostListOutput(serializers.Serializer):
    posts = PostOutput(many=True, help_text="Newest first.")
    next_before = serializers.IntegerField(allow_null=True, help_text="Pass as `before` for the next page; null on the last.")


class PostListQuery(QueryInput):
    neighbourhood_id = serializers.IntegerField(required=False)
    kind = serializers.MultipleChoiceField(choices=domain.KINDS, required=False)
    status = serializers.MultipleChoiceField(choices=domain.STATUSES, required=False)
    # An empty parameter is an absent one (DRF reads form-encoded data so), hence blank allowed.
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    before = serializers.IntegerField(min_value=1, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


class PostInput(JsonInput):
    client_id = serializers.RegexField(
        r"^[A-Za-z0-9_.:-]+$", max_length=64, help_text="Your id for this post: sending it again returns the first post."
    )
    kind = serializers.ChoiceField(choices=domain.KINDS)
    title = serializers.CharField(max_length=domain.TITLE_MAX)
    text = serializers.CharField(max_length=domain.TEXT_MAX, required=False, allow_blank=True, default="")
    details = serializers.DictField(help_text="The fields of the kind: post.json#/$defs/<kind> in frontend-contract.")
    room_id = serializers.IntegerField(required=False, help_text="A room of your neighbourhood; its default room if absent.")
    neighbourhood_id = serializers.IntegerField(required=False, help_text="When room_id is absent; yours if absent too.")
    expires_at = serializers.DateTimeField(required=False, help_text="At most 90 days ahead; by default the end of what it is about.")
    image_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=50,
        help_text="Photos you uploaded (`photos_upload`) and attached nowhere yet, at most 6, in the order shown.",
    )


def _neighbourhood_of(user, asked: int | None) -> int:
    readable = chat_selectors.readable_neighbourhood_ids(user=user)
    if asked is None and readable:
        return readable[0]
    if asked not in readable:
        raise VoisinsError("not_member")
    return asked


class PostListApi(ApiView):
    @extend_schema(
        operation_id="feed_posts",
        parameters=[PostListQuery],
        responses={200: PostListOutput, **error_responses(400, 422, 401, 403)},
        description="Posts of a neighbourhood you belong to (yours by default), newest first, filtered by kind, "
        "status (repeat the parameter for several) and text.",
    )
    def get(self, request):
        query = PostListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        limit = data["limit"]
        posts = selectors.post_list(
            neighbourhood_id=_neighbourhood_of(request.user, data.get("neighbourhood_id")),
            kinds=sorted(data.get("kind", [])),
            statuses=sorted(data.get("status", [])),
            text=data.get("q", "").strip(),
            before_id=data.get("before"),
            limit=limit,
        )
        next_before = posts[-1].pk if len(posts) == limit else None
        return Response(PostListOutput({"posts": _post_bodies(request.user, posts), "next_before": next_before}).data)

    @extend_schema(
        operation_id="feed_post_create",
        request=PostInput,
        responses={201: PostOutput, 200: PostOutput, **error_responses(400, 422, 401, 403, 404, 429)},
        description="Posts in a room of your neighbourhood: the card appears there live, with the photos of "
        "`image_ids`. 200 with the first post when the client id was already used.",
    )
    def post(self, request):
        data = PostInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.post_create(author=request.user, **data.validated_data)
        post = selectors.post_for_reader(user=request.user, post_id=result.post.pk)
        return Response(PostOutput(_post_bodies(request.user, [post])[0]).data,
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class PostDetailApi(ApiView):
    @extend_schema(operation_id="feed_post", responses={200: PostOutput, **error_responses(401, 404)})
    def get(self, request, post_id: int):
        return _post_as_it_is(request, post_id)

    @extend_schema(
        operation_id="feed_post_delete",
        request=None,
        responses={204: None, **error_responses(401, 403, 404, 409)},
        description="Its author deletes her post for good: its cards are deleted as messages are (`message.deleted`, "
        "live, in its room and in the conversations that quote it), its photos and their files, its words. "
        "Refused with 409 post_has_partners while a loan of it is not returned or neighbours hold shares of it as "
        "an open group purchase; 403 not_post_author for anyone else (moderators remove posts instead, keeping them "
        "for review); 404 post_not_found for a post she cannot read. Deleting it again answers 204.",
    )
    def delete(self, request, post_id: int):
        services.post_delete(actor=request.user, post_id=post_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StatusInput(JsonInput):
    status = serializers.ChoiceField(choices=["open", "done", "closed"])


class PostStatusApi(ApiView):
    @extend_schema(
        operation_id="feed_post_status",
        request=StatusInput,
        responses={200: PostOutput, **error_responses(400, 422, 401, 403, 404, 409)},
        description="Its author or a moderator closes the post, marks a taken post done, or reopens a taken post.",
    )
    def post(self, request, post_id: int):
        data = StatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_status_set(actor=request.user, post_id=post_id, status=data.validated_data["status"])
        return _post_as_it_is(request, post_id)


class AnswerOutput(serializers.Serializer):
    post_id = serializers.IntegerField()
    room_id = serializers.IntegerField(help_text="Your direct conversation with the author.")
    message_id = serializers.IntegerField(help_text="The card quoted at its top.")


class PostRespondApi(ApiView):
    @extend_schema(
        operation_id="feed_post_respond",
        request=None,
        responses={201: AnswerOutput, 200: AnswerOutput, **error_responses(401, 403, 404, 409)},
        description="“I can help” / “I'm interested” (a found object: “It's mine”; a lost one: “I found it”): opens "
        "(or reuses) your conversation with the author, the card quoted at its top and that line below it, in your "
        "language. 200 with the first answer if you already answered.",
    )
    def post(self, request, post_id: int):
        answer = services.post_respond(actor=request.user, post_id=post_id)
        body = {"post_id": post_id, "room_id": answer.response.room_id, "message_id": answer.response.message_id}
        return Response(AnswerOutput(body).data, status=status.HTTP_201_CREATED if answer.created else status.HTTP_200_OK)


class ResponderInput(JsonInput):
    user_id = serializers.IntegerField()
    return_due = serializers.DateField(
        required=False, help_text="Loans: the agreed return date; the end of the post's period by default."
    )


class PostResponderApi(ApiView):
    @extend_schema(
        operation_id="feed_post_responder_pick",
        request=ResponderInput,
        responses={200: PostOutput, **error_responses(400, 422, 401, 403, 404, 409)},
        description="The author chooses one of the responders: the post is taken; the others are told in their conversations.",
    )
    def post(self, request, post_id: int):
        data = ResponderInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_responder_pick(
            actor=request.user, post_id=post_id, responder_id=data.validated_data["user_id"],
            return_due=data.validated_data.get("return_due"),
        )
        return _post_as_it_is(request, post_id)


class RsvpInput(JsonInput):
    going = serializers.BooleanField()


class PostRsvpApi(ApiView):
    @extend_schema(
        operation_id="feed_post_rsvp",
        request=RsvpInput,
        responses={200: PostOutput, **error_responses(400, 422, 401, 404, 409)},
        description="Events: say you are going, or no longer.",
    )
    def put(self, request, post_id: int):
        data = RsvpInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_rsvp_set(actor=request.user, post_id=post_id, going=data.validated_data["going"])
        return _post_as_it_is(request, post_id)


class CommitInput(JsonInput):
    quantity = serializers.IntegerField(help_text="Your share; 0 withdraws it.")


class PurchaseCommitApi(ApiView):
    @extend_schema(
        operation_id="feed_purchase_commit",
        request=CommitInput,
        responses={200: PostOutput, **error_responses(400, 422, 401, 404, 409)},
        description="Group purchases: set your share (never past the maximum in total, never after the deadline). "
        "Changing it clears its payment mark.",
    )
    def put(self, request, post_id: int):
        data = CommitInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.purchase_commit(actor=request.user, post_id=post_id, quantity=data.validated_data["quantity"])
        return _post_as_it_is(request, post_id)


class PaidInput(JsonInput):
    paid = serializers.BooleanField()


class PurchasePaidApi(ApiView):
    @extend_schema(
        operation_id="feed_purchase_paid",
        request=PaidInput,
        responses={200: PostOutput, **error_responses(400, 422, 401, 403, 404, 409)},
        description="Group purchases: the organiser marks that a neighbour has paid her share (or not).",
    )
    def put(self, request, post_id: int, user_id: int):
        data = PaidInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.purchase_paid_set(actor=request.user, post_id=post_id, user_id=user_id, paid=data.validated_data["paid"])
        return _post_as_it_is(request, post_id)


class LoanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    post_id = serializers.IntegerField()
    item = serializers.CharField()
    lender = PersonOutput()
    borrower = PersonOutput()
    return_due = serializers.DateField()
    room_id = serializers.IntegerField(help_text="The conversation of the two.")
    returned_at = serializers.DateTimeField(allow_null=True)


class LoanListApi(ApiView):
    @extend_schema(
        operation_id="feed_loans",
        responses={200: LoanOutput(many=True), **error_responses(401)},
        description="Your loans, as lender or borrower, ongoing ones first.",
    )
    def get(self, request):
        return Response(LoanOutput(selectors.loans_of(user=request.user), many=True).data)


class LoanReturnedApi(ApiView):
    @extend_schema(
        operation_id="feed_loan_returned",
        request=None,
        responses={200: LoanOutput, **error_responses(401, 403, 404, 409)},
        description="The lender confirms she has her item back; the post is done.",
    )
    def post(self, request, loan_id: int):
        return Response(LoanOutput(services.loan_return_confirm(actor=request.user, loan_id=loan_id)).data)


class ProfileOutput(serializers.Serializer):
    person = PersonOutput()
    loans_given = serializers.IntegerField()
    loans_borrowed = serializers.IntegerField()
    loans_returned_on_time = serializers.IntegerField()
    loans_returned_late = serializers.IntegerField()


class ProfileApi(ApiView):
    @extend_schema(
        operation_id="feed_profile",
        responses={200: ProfileOutput, **error_responses(401, 404)},
        description="A neighbour's record of loans: given, borrowed, returned on time.",
    )
    def get(self, request, user_id: int):
        target = selectors.profile_target(viewer=request.user, user_id=user_id)
        return Response(ProfileOutput({"person": target, **selectors.loan_record(user=target)}).data)


class MapQuery(QueryInput):
    bbox = serializers.CharField(help_text="west,south,east,north in degrees, at most 0.5 degree a side.")


class MapApi(ApiView):
    @extend_schema(
        operation_id="feed_map",
        parameters=[MapQuery],
        responses={200: OpenApiTypes.OBJECT, **error_responses(400, 422, 401)},
        description="A GeoJSON FeatureCollection: the open and taken posts of your neighbourhoods (properties.type "
        "post) and their partners (properties.type partner) within the box. A post is placed at the centre of "
        "a grid cell of about 150 m around its author's address, never at the address.",
    )
    def get(self, request):
        query = MapQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            bbox = domain.bbox_parse(query.validated_data["bbox"])
        except domain.DetailsError as exc:
            raise VoisinsError(exc.code, field=exc.field, detail=exc.detail) from exc
        return Response(selectors.map_features(user=request.user, bbox=bbox))


# The socket's post.create (frontend-contract/websocket/client/post.create.json),
# registered with chat by FeedConfig.ready.


def post_create_frame(user: User, frame: dict[str, Any]) -> handlers.Answer:
    """Posts as feed_post_create does, with the frame's ref as client id; answers the ack
    of the card message."""
    expires_at = None
    if "expires_at" in frame:
        try:
            expires_at = parse_datetime(frame["expires_at"])
        except ValueError:
            pass
        if expires_at is None or expires_at.tzinfo is None:
            raise VoisinsError("invalid_post_details", field="expires_at", detail="an ISO 8601 date and time with its offset")
    result = services.post_create(
        author=user,
        client_id=frame["ref"],
        kind=frame["kind"],
        title=frame["title"],
        text=frame.get("text", ""),
        details=frame["details"],
        room_id=frame.get("room_id"),
        neighbourhood_id=frame.get("neighbourhood_id"),
        expires_at=expires_at,
        image_ids=frame.get("images"),
    )
    card = Message.objects.get(pk=result.post.message_id)
    return handlers.Answer(
        {"type": "ack", "post_id": result.post.pk, "room_id": card.room_id, "message_id": card.pk, "seq": card.seq,
         "created_at": card.created_at.isoformat()}
    )
