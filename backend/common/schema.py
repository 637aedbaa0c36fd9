"""How drf-spectacular documents our views: the refusals that any request can meet are
added to each operation here, so that no view has to remember them; a view declares
with `error_responses` only those its own rules answer."""

from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.fields import CharField

ERROR_MEDIA_TYPE = "application/json"
RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer", "minimum": 1}, "description": "Seconds to wait before retrying."}
}
# A string the server keeps: no NUL character (PostgreSQL text cannot hold one).
NO_NUL = r"^[^\x00]*$"
# The same, not blank once trimmed: DRF strips a CharField's surrounding whitespace
# (str.strip, so every Unicode space) before it refuses a blank one.
_SPACES = r"\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK_NO_NUL = rf"^[^\x00]*[^\x00{_SPACES}][^\x00]*$"


def implicit_error_statuses(operation: dict) -> set[int]:
    """What any operation of this shape can answer whatever its view does: 401 for a
    bad token (checked before any permission), 400 and 415 when it reads a body or a
    query, 404 for an id in its path that names nothing, 503 when the database pool is
    exhausted."""
    statuses = {401, 503}
    locations = {parameter["in"] for parameter in operation.get("parameters", [])}
    if "requestBody" in operation:
        statuses |= {400, 415}
    if "query" in locations:
        statuses.add(400)
    if "path" in locations:
        statuses.add(404)
    return statuses


class VoisinsAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        from backend.common.api import ErrorSerializer

        responses = operation["responses"]
        error = {
            "description": "Error",
            "content": {ERROR_MEDIA_TYPE: {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}},
        }
        for status in implicit_error_statuses(operation):
            responses.setdefault(str(status), dict(error))
        for status in ("429", "503"):
            if status in responses:
                responses[status] = {**responses[status], "headers": RETRY_AFTER}
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, CharField) and schema.get("type") == "string":
            _state_the_text_rules(field, schema)
        if direction == "request" and isinstance(field, serializers.FileField) and not field.allow_empty_file:
            schema["minLength"] = 1  # an empty file is refused
        return schema


def _state_the_text_rules(field: serializers.CharField, schema: dict) -> None:
    """What DRF's CharField refuses beyond its lengths, as a pattern: NUL characters, and
    a blank text when blanks are not allowed. A field with a pattern or a format of
    its own (email, uuid, a RegexField, an extend_schema_field) keeps it."""
    if {"format", "enum", "pattern"} & schema.keys() or any(isinstance(v, RegexValidator) for v in field.validators):
        return
    if not any(isinstance(validator, ProhibitNullCharactersValidator) for validator in field.validators):
        return
    schema["pattern"] = NO_NUL if field.allow_blank or not field.trim_whitespace else NOT_BLANK_NO_NUL
