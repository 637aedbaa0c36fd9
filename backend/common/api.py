"""What every REST view of ours shares."""

from django.utils import translation
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.views import APIView


class ApiView(APIView):
    """Answers in the language of the authenticated user; anonymous requests keep
    the one LocaleMiddleware took from Accept-Language."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        language = getattr(request.user, "language", None)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.headers.setdefault("Content-Language", translation.get_language() or "en")
        return response


class PersonOutput(serializers.Serializer):
    """How people see each other: an id and a display name, nothing more."""

    id = serializers.IntegerField()
    display_name = serializers.CharField()


class ReasonInput(serializers.Serializer):
    """Every trust and moderation decision says why: it goes to the audit log."""

    reason = serializers.CharField(max_length=2000)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable code; the list is in frontend-contract/README.md.")
    message = serializers.CharField(help_text="Human-readable message in the user's language (fr or en).")
    fields = serializers.DictField(
        required=False, help_text="On validation_failed: per field, a list of {code, message}."
    )
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait, on 429 answers.")
    field = serializers.CharField(required=False, help_text="The field at fault, on the rules of posts (invalid_post_details…).")
    detail = serializers.CharField(required=False, help_text="What is wrong with it, in English, for developers.")
    until = serializers.DateTimeField(required=False, help_text="On muted: when the mute ends.")


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {status: OpenApiResponse(ErrorSerializer, description="Error") for status in statuses}
