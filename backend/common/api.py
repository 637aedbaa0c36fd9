"""What every REST view of ours shares."""

from django.utils import translation
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.views import APIView

from backend.common.schema import ERROR_MEDIA_TYPE, VoisinsAutoSchema


class ApiView(APIView):
    """Answers in the language of the authenticated user; anonymous requests keep
    the one LocaleMiddleware took from Accept-Language."""

    schema = VoisinsAutoSchema()

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


# The JSON type each kind of field takes. DRF is lenient where the contract is not: a
# CharField takes 12 as "12", an IntegerField "12" or 12.0, a BooleanField "yes" or 1.
_JSON_TYPES: list[tuple[type, tuple[type, ...], str]] = [
    (serializers.BooleanField, (bool,), "a boolean"),
    (serializers.IntegerField, (int,), "an integer"),
    (serializers.FloatField, (int, float), "a number"),
    (serializers.DecimalField, (int, float), "a number"),
    (serializers.ListField, (list,), "a list"),
    (serializers.ListSerializer, (list,), "a list"),
    (serializers.MultipleChoiceField, (list,), "a list"),
    (serializers.DictField, (dict,), "an object"),
    (serializers.Serializer, (dict,), "an object"),
    (serializers.CharField, (str,), "a string"),
    (serializers.DateTimeField, (str,), "a string"),
    (serializers.DateField, (str,), "a string"),
    (serializers.TimeField, (str,), "a string"),
]


def _json_type_error(field: serializers.Field, value) -> str | None:
    if value is None:
        return None  # allow_null decides
    if isinstance(field, serializers.ChoiceField) and not isinstance(field, serializers.MultipleChoiceField):
        expected = tuple({type(choice) for choice in field.choices}) or (str,)
        return "one of the choices" if isinstance(value, bool) or not isinstance(value, expected) else None
    for kind, types, name in _JSON_TYPES:
        if isinstance(field, kind):
            if isinstance(value, bool) and bool not in types or not isinstance(value, types):
                return name
            if isinstance(field, serializers.ListField) and field.child is not None:
                return next((f"a list of {error}" for item in value if (error := _json_type_error(field.child, item))), None)
            return None
    return None


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _drf_message(field: serializers.Field, code: str, **params) -> str:
    """DRF's own message for `code`, translated into the request's language as DRF's
    catalogues have it."""
    message = (field.error_messages.get(code) or field.error_messages.get("invalid")
               or serializers.CharField.default_error_messages["invalid"])
    return str(message).format_map(_Params(params))


def _type_message(field: serializers.Field, value) -> str:
    if isinstance(field, serializers.ListField) and isinstance(value, list) and field.child is not None:
        wrong = next(item for item in value if _json_type_error(field.child, item))
        return _type_message(field.child, wrong)
    code = ("invalid_choice" if isinstance(field, serializers.ChoiceField)
            else "not_a_list" if isinstance(field, serializers.ListField)
            else "not_a_dict" if isinstance(field, serializers.DictField | serializers.JSONField) else "invalid")
    return _drf_message(field, code, input=value, input_type=type(value).__name__, format="ISO 8601")


def _too_long(field: serializers.Field, value) -> bool:
    """DRF measures a text once trimmed; the contract's maxLength is the text sent."""
    max_length = getattr(field, "max_length", None)
    return isinstance(field, serializers.CharField) and max_length is not None and len(value) > max_length


class JsonInput(serializers.Serializer):
    """A JSON request body: each field takes the JSON type the contract gives it, and
    nothing else (`invalid`), and a text no longer than its maxLength as sent
    (`max_length`), before any other rule of the field."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                if expected := _json_type_error(field, data[name]):
                    errors[name] = [serializers.ErrorDetail(_type_message(field, data[name]), code="invalid")]
                elif data[name] is not None and _too_long(field, data[name]):
                    errors[name] = [serializers.ErrorDetail(
                        _drf_message(field, "max_length", max_length=field.max_length), code="max_length"
                    )]
            if errors:
                # The other fields' problems are reported with these, as DRF would.
                try:
                    super().to_internal_value({name: value for name, value in data.items() if name not in errors})
                except serializers.ValidationError as exc:
                    raise serializers.ValidationError({**exc.detail, **errors}) from exc
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class QueryInput(serializers.Serializer):
    """Query parameters. DRF takes an empty optional parameter (`?before=`) for an
    absent one; the contract does not, so an empty value is refused unless the field
    allows a blank text."""

    def to_internal_value(self, data):
        errors = {
            name: [serializers.ErrorDetail(str(serializers.CharField.default_error_messages["blank"]), code="blank")]
            for name, field in self.fields.items()
            if not getattr(field, "allow_blank", False) and "" in _values(data, name)
        }
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _values(data, name: str) -> list:
    return data.getlist(name) if hasattr(data, "getlist") else [data[name]] if name in data else []


class ReasonInput(JsonInput):
    """Every trust and moderation decision says why: it goes to the audit log."""

    reason = serializers.CharField(max_length=2000)


class ErrorSerializer(serializers.Serializer):
    """Every refusal (backend/common/errors.py): a code, a message, and the values some
    codes carry."""

    code = serializers.CharField(help_text="Machine-readable code; the list is in frontend-contract/README.md.")
    message = serializers.CharField(help_text="Human-readable message in the user's language (fr or en).")
    fields = serializers.DictField(
        required=False,
        help_text="On validation_failed: per field, a list of {code, message} (a nested object nests the same way); "
        "on weak_password, the reasons under password.",
    )
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait, on 429 and 503 answers.")
    field = serializers.CharField(required=False, help_text="The field at fault, on the rules of posts (invalid_post_details…).")
    detail = serializers.CharField(required=False, help_text="What is wrong with it, in English, for developers.")
    until = serializers.DateTimeField(required=False, help_text="On muted: when the mute ends.")
    attempts_left = serializers.IntegerField(required=False, help_text="On code_invalid.")
    quota = serializers.IntegerField(required=False, help_text="On vouch_quota_exceeded.")
    limit = serializers.IntegerField(required=False, help_text="On alert_limit_reached: alerts per day.")
    max = serializers.IntegerField(required=False, help_text="On too_many_images.")
    max_mb = serializers.IntegerField(required=False, help_text="On file_too_large and image_too_large.")
    max_megapixels = serializers.IntegerField(required=False, help_text="On image_too_many_pixels.")
    remaining = serializers.IntegerField(required=False, help_text="On over_maximum.")
    current = serializers.CharField(required=False, help_text="On invalid_status_change and invalid_report_transition.")
    target = serializers.CharField(required=False, help_text="On invalid_status_change and invalid_report_transition.")
    last_seq = serializers.IntegerField(required=False, help_text="On seq_out_of_range.")
    read_seq = serializers.IntegerField(required=False, help_text="On read_backwards.")
    neighbourhood = serializers.CharField(required=False, help_text="On banned: the neighbourhood's name.")
    reports = serializers.ListField(
        child=serializers.DictField(), required=False,
        help_text="On similar_reports: the reports nearby, as cities_report shows them.",
    )


def error_responses(*statuses: int) -> dict[tuple[int, str], OpenApiResponse]:
    """The refusals a view's own rules answer; those any request can meet (401, 400 and
    415 with a body or a query, 404 with an id in the path, 503) are added to every
    operation by VoisinsAutoSchema. Always JSON, whatever the view's success renders."""
    return {(status, ERROR_MEDIA_TYPE): OpenApiResponse(ErrorSerializer, description="Error") for status in statuses}
