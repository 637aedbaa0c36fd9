from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from backend.accounts.models import DeviceToken
from backend.chat import frames, selectors, services
from backend.common.api import ApiView, JsonInput, PersonOutput, QueryInput, error_responses
from backend.neighbourhoods.models import Neighbourhood
from backend.photos.api import ImageOutput


# Cards: a message may carry a post of the feed as a card, a JSON object that chat
# stores and sends as the feed made it. The feed registers the serializer that
# describes it (FeedConfig.ready), so that chat_history documents it as the feed does.

_card_output: type[serializers.Serializer] | None = None


def register_card_output(serializer: type[serializers.Serializer]) -> None:
    global _card_output
    _card_output = serializer


class CardField(serializers.JSONField):
    """The card as stored: rendered as it is."""


class CardFieldSchema(OpenApiSerializerFieldExtension):
    target_class = CardField

    def map_serializer_field(self, auto_schema, direction):
        if _card_output is None:  # no app registered one: a free-form object
            return build_basic_type(OpenApiTypes.OBJECT)
        return auto_schema.resolve_serializer(_card_output, direction).ref


class RoomOutput(serializers.Serializer):
    id = serializers.IntegerField()
    neighbourhood_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["default", "topic", "direct"])
    name = serializers.CharField()
    participants = PersonOutput(many=True, help_text="Direct conversations only.")
    last_seq = serializers.IntegerField(help_text="The room's sequence number: a cursor for the socket's subscribe.")
    unread = serializers.IntegerField()


class QuotedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    seq = serializers.IntegerField()
    author = PersonOutput()
    text = serializers.CharField(allow_blank=True)
    deleted = serializers.BooleanField()


class ReactionOutput(serializers.Serializer):
    emoji = serializers.CharField()
    count = serializers.IntegerField()
    user_ids = serializers.ListField(child=serializers.IntegerField())


class MessageOutput(serializers.Serializer):
    """The same object as in the socket frames (frontend-contract/websocket/common.json)."""

    id = serializers.IntegerField()
    room_id = serializers.IntegerField()
    seq = serializers.IntegerField()
    changed_seq = serializers.IntegerField()
    author = PersonOutput()
    text = serializers.CharField(allow_blank=True)
    reply_to = QuotedOutput(allow_null=True)
    mentions = serializers.ListField(child=serializers.IntegerField())
    card = CardField(allow_null=True, help_text="A post of the feed shown as a card; null for a plain message.")
    images = ImageOutput(many=True, help_text="Its photos, at most 4, in order; empty when its text is not shown "
                         "(deleted, removed, hidden).")
    reactions = ReactionOutput(many=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()
    removed = serializers.BooleanField(help_text="Removed by a moderator (deleted too).")
    hidden = serializers.BooleanField(help_text="Hidden after reports until a moderator reviews it.")


class HistoryOutput(serializers.Serializer):
    messages = MessageOutput(many=True, help_text="Newest first.")
    next_before = serializers.IntegerField(
        allow_null=True, help_text="Pass as `before` for the next (older) page; null on the last page."
    )


class HistoryQuery(QueryInput):
    before = serializers.IntegerField(
        min_value=1, required=False, help_text="A message seq: messages before it (exclusive)."
    )
    limit = serializers.IntegerField(min_value=1, max_value=100, default=50)


class TicketOutput(serializers.Serializer):
    ticket = serializers.CharField(help_text="Open wss://…/ws/v1/?ticket=<ticket> within expires_in seconds; works once.")
    expires_in = serializers.IntegerField()


class TicketApi(ApiView):
    @extend_schema(
        operation_id="chat_ticket",
        request=None,
        responses={201: TicketOutput, **error_responses(401)},
        description="A one-time ticket for opening the WebSocket, so the API token never travels in a URL.",
    )
    def post(self, request):
        token_id = request.auth.pk if isinstance(request.auth, DeviceToken) else None
        ticket = services.ticket_issue(user=request.user, token_id=token_id)
        return Response(
            TicketOutput({"ticket": ticket, "expires_in": settings.CHAT_TICKET_TTL_SECONDS}).data,
            status=status.HTTP_201_CREATED,
        )


class TopicInput(JsonInput):
    neighbourhood_id = serializers.IntegerField()
    name = serializers.CharField(max_length=80)


class RoomListApi(ApiView):
    @extend_schema(
        operation_id="chat_rooms",
        responses={200: RoomOutput(many=True), **error_responses(401)},
        description="Rooms the user can read (her neighbourhoods' rooms and her direct conversations), with unread counts.",
    )
    def get(self, request):
        neighbourhood_ids = selectors.readable_neighbourhood_ids(user=request.user)
        services.rooms_ensure_default(neighbourhood_ids=neighbourhood_ids)
        rooms = selectors.readable_rooms(user=request.user, neighbourhood_ids=neighbourhood_ids)
        return Response(RoomOutput([frames.room_body(room, unread=room.unread) for room in rooms], many=True).data)

    @extend_schema(
        operation_id="chat_topic_create",
        request=TopicInput,
        responses={201: RoomOutput, **error_responses(400, 422, 401, 403, 404, 409)},
        description="Moderators add a topic room to their neighbourhood (for instance “entraide”, “prêts”).",
    )
    def post(self, request):
        data = TopicInput(data=request.data)
        data.is_valid(raise_exception=True)
        neighbourhood = get_object_or_404(Neighbourhood, pk=data.validated_data["neighbourhood_id"])
        room = services.room_topic_create(actor=request.user, neighbourhood=neighbourhood, name=data.validated_data["name"])
        return Response(RoomOutput(frames.room_body(room, unread=0)).data, status=status.HTTP_201_CREATED)


class DirectInput(JsonInput):
    user_id = serializers.IntegerField()


class DirectOpenApi(ApiView):
    @extend_schema(
        operation_id="chat_direct_open",
        request=DirectInput,
        responses={200: RoomOutput, **error_responses(400, 422, 401, 403)},
        description="The direct conversation with a verified member of the same neighbourhood, opened the first time.",
    )
    def post(self, request):
        data = DirectInput(data=request.data)
        data.is_valid(raise_exception=True)
        room = services.room_direct_open(actor=request.user, other_id=data.validated_data["user_id"])
        room = selectors.readable_rooms(user=request.user).get(pk=room.pk)
        return Response(RoomOutput(frames.room_body(room, unread=room.unread)).data)


class HistoryApi(ApiView):
    @extend_schema(
        operation_id="chat_history",
        parameters=[HistoryQuery],
        responses={200: HistoryOutput, **error_responses(400, 422, 401, 403, 404)},
        description="A room's messages, newest first, with a cursor to older pages.",
    )
    def get(self, request, room_id: int):
        query = HistoryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        room = selectors.room_for_reader(user=request.user, room_id=room_id)
        limit = query.validated_data["limit"]
        messages = selectors.room_history(room=room, before=query.validated_data.get("before"), limit=limit)
        next_before = messages[-1].seq if len(messages) == limit and messages[-1].seq > 1 else None
        body = frames.messages_body(messages, full=selectors.reads_in_full(user=request.user, room=room))
        return Response(HistoryOutput({"messages": body, "next_before": next_before}).data)
