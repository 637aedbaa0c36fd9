from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from backend.accounts.models import DeviceToken
from backend.chat import selectors as chat_selectors
from backend.common.api import ApiView, JsonInput, error_responses
from backend.feed import domain as feed_domain
from backend.push import selectors, services
from backend.push.models import Device


class DeviceInput(JsonInput):
    token = serializers.CharField(max_length=4096, help_text="The FCM registration token of this app instance.")
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    app_version = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class DeviceOutput(serializers.Serializer):
    platform = serializers.CharField()
    app_version = serializers.CharField()
    active = serializers.BooleanField()
    last_seen_at = serializers.DateTimeField()


class DeviceApi(ApiView):
    @extend_schema(
        operation_id="push_device_register",
        request=DeviceInput,
        responses={200: DeviceOutput, **error_responses(400, 422, 401)},
        description="Registers this device's FCM token, or refreshes it (call at each start and when the token "
        "changes). A token registered by someone else moves to you. Logging out stops its pushes.",
    )
    def post(self, request):
        data = DeviceInput(data=request.data)
        data.is_valid(raise_exception=True)
        auth_token_id = request.auth.pk if isinstance(request.auth, DeviceToken) else None
        session_key = "" if auth_token_id else (request.session.session_key or "")
        device = services.device_register(
            user=request.user, auth_token_id=auth_token_id, session_key=session_key, **data.validated_data
        )
        return Response(DeviceOutput(device).data)


class UnregisterInput(JsonInput):
    token = serializers.CharField(max_length=4096)


class DeviceUnregisterApi(ApiView):
    @extend_schema(
        operation_id="push_device_unregister",
        request=UnregisterInput,
        responses={204: None, **error_responses(400, 422, 401)},
        description="Stops pushes to this token (for instance when she turns notifications off in the app).",
    )
    def post(self, request):
        data = UnregisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.device_unregister(user=request.user, token=data.validated_data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
                      "example": "22:00"})
class LocalTimeField(serializers.TimeField):
    """A time of day in her time zone, without an offset: 22:00 in, 22:00:00 out (the
    `time` format of OpenAPI would demand an offset)."""


class PreferencesSerializer(JsonInput):
    time_zone = serializers.CharField(max_length=64, required=False, help_text="An IANA name, e.g. Europe/Paris.")
    quiet_start = LocalTimeField(required=False, allow_null=True, help_text="Quiet hours start (her time).")
    quiet_end = LocalTimeField(
        required=False, allow_null=True, help_text="Quiet hours end; may be past midnight. Both null: none."
    )
    previews = serializers.BooleanField(required=False, help_text="Show the message text in notifications.")
    muted_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=feed_domain.KINDS), required=False,
        help_text="Kinds of post that push nothing.",
    )


class PreferencesApi(ApiView):
    @extend_schema(operation_id="push_preferences", responses={200: PreferencesSerializer, **error_responses(401)})
    def get(self, request):
        return Response(PreferencesSerializer(services.preferences_of(request.user)).data)

    @extend_schema(
        operation_id="push_preferences_set",
        request=PreferencesSerializer,
        responses={200: PreferencesSerializer, **error_responses(400, 422, 401)},
        description="Changes the fields given. Trust decisions are urgent: they come even in quiet hours.",
    )
    def patch(self, request):
        data = PreferencesSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        preferences = services.preferences_set(user=request.user, **data.validated_data)
        return Response(PreferencesSerializer(preferences).data)


class MuteInput(JsonInput):
    until = serializers.DateTimeField(allow_null=True, help_text="Null: for good.")


class MuteOutput(serializers.Serializer):
    room_id = serializers.IntegerField()
    until = serializers.DateTimeField(allow_null=True)


class MuteListApi(ApiView):
    @extend_schema(operation_id="push_mutes", responses={200: MuteOutput(many=True), **error_responses(401)},
                   description="The rooms she muted, and until when.")
    def get(self, request):
        return Response(MuteOutput(selectors.mutes_of(user=request.user, now=timezone.now()), many=True).data)


class MuteApi(ApiView):
    @extend_schema(
        operation_id="push_mute",
        request=MuteInput,
        responses={200: MuteOutput, **error_responses(400, 422, 401, 403, 404)},
        description="Mutes a room's pushes until a date or for good.",
    )
    def put(self, request, room_id: int):
        data = MuteInput(data=request.data)
        data.is_valid(raise_exception=True)
        room = chat_selectors.room_for_reader(user=request.user, room_id=room_id)
        mute = services.room_mute_set(user=request.user, room=room, until=data.validated_data["until"])
        return Response(MuteOutput(mute).data)

    @extend_schema(operation_id="push_unmute", request=None, responses={204: None, **error_responses(401, 403, 404)})
    def delete(self, request, room_id: int):
        room = chat_selectors.room_for_reader(user=request.user, room_id=room_id)
        services.room_mute_clear(user=request.user, room=room)
        return Response(status=status.HTTP_204_NO_CONTENT)
