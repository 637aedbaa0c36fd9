"""Every client frame that violates its schema (frontend-contract/websocket/client/) is
refused by the real consumer with `invalid_frame`, and nothing happens. The frames come
from the schemas themselves: hypothesis-jsonschema generates a valid frame of each type,
then one constraint of the schema is broken (a required member dropped, an unknown one
added, a wrong JSON type, a length, a bound, a pattern, an enum)."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from backend.chat.protocol import CLIENT_VALIDATORS, CONTRACT_DIR, REGISTRY

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("socket_cleanup")]

EXAMPLES_PER_TYPE = 12
_WRONG_TYPE = {"string": 12, "integer": "12", "number": "1.5", "boolean": "yes", "array": {}, "object": []}


def _inlined(schema, resolver):
    """The schema with every $ref replaced by what it names (hypothesis-jsonschema
    resolves no reference across files); the frames' schemas are not recursive."""
    if isinstance(schema, list):
        return [_inlined(item, resolver) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        target = _inlined(resolved.contents, resolved.resolver)
        siblings = {key: _inlined(value, resolver) for key, value in schema.items() if key != "$ref"}
        return {**target, **siblings}
    return {key: _inlined(value, resolver) for key, value in schema.items() if key not in ("$schema", "$id", "$defs")}


def _mutations(schema: dict, frame: dict) -> list[tuple[str, dict]]:
    """Frames that each break one rule of `schema`, described."""
    broken: list[tuple[str, dict]] = []
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if name != "type":
            broken.append((f"without {name}", {k: v for k, v in frame.items() if k != name}))
    if schema.get("additionalProperties") is False:
        broken.append(("an unknown member", {**frame, "unknown_member": 1}))
    for name, rules in properties.items():
        if name == "type" or not isinstance(rules, dict):
            continue
        value = frame.get(name)
        kind = rules.get("type")
        if kind in _WRONG_TYPE:
            broken.append((f"{name} of the wrong type", {**frame, name: _WRONG_TYPE[kind]}))
        if "enum" in rules:
            broken.append((f"{name} outside its enum", {**frame, name: "not-one-of-them"}))
        if "maxLength" in rules:
            broken.append((f"{name} too long", {**frame, name: "x" * (rules["maxLength"] + 1)}))
        if rules.get("minLength", 0) > 0:
            broken.append((f"{name} too short", {**frame, name: "x" * (rules["minLength"] - 1)}))
        if "pattern" in rules and kind == "string":
            broken.append((f"{name} against its pattern", {**frame, name: "\x00 \n"}))
        if "minimum" in rules:
            broken.append((f"{name} below its minimum", {**frame, name: rules["minimum"] - 1}))
        if "maximum" in rules:
            broken.append((f"{name} above its maximum", {**frame, name: rules["maximum"] + 1}))
        if "maxItems" in rules and isinstance(value, list):
            broken.append((f"{name} with too many items", {**frame, name: list(range(1, rules["maxItems"] + 2))}))
        if rules.get("minItems", 0) > 0:
            broken.append((f"{name} with too few items", {**frame, name: []}))
    return broken


def _refused_frames() -> list[tuple[str, str, dict]]:
    """(frame type, what is broken, frame) for each type, drawn from its schema."""
    cases: list[tuple[str, str, dict]] = []
    for path in sorted((CONTRACT_DIR / "client").glob("*.json")):
        frame_type = path.name.removesuffix(".json")
        schema = _inlined(json.loads(path.read_text()), REGISTRY.resolver(base_uri=f"client/{path.name}"))
        validator = CLIENT_VALIDATORS[frame_type]

        @settings(max_examples=EXAMPLES_PER_TYPE, database=None, derandomize=True, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(frame=from_schema(schema), choice=st.integers(min_value=0))
        def collect(frame, choice):
            # A ref the error can echo: printable, as clients write them.
            if "ref" in schema.get("properties", {}):
                frame["ref"] = "r" + str(len(cases))
            candidates = [(what, broken) for what, broken in _mutations(schema, frame)
                          if list(validator.iter_errors(broken))]
            assert candidates, f"no rule of {frame_type} to break in {frame}"
            what, broken = candidates[choice % len(candidates)]
            cases.append((frame_type, what, broken))

        collect()
    return cases


REFUSED = _refused_frames()


def test_every_client_frame_type_is_covered():
    assert {frame_type for frame_type, _, _ in REFUSED} == set(CLIENT_VALIDATORS)
    assert all(frame["type"] == frame_type for frame_type, _, frame in REFUSED)


async def test_frames_that_break_their_schema_are_refused_with_invalid_frame(member, connect):
    from backend.chat.models import Message, Reaction

    socket = await connect(member)
    for frame_type, what, frame in REFUSED:
        await socket.send(frame)
        error = await socket.expect("error")
        assert error["code"] == "invalid_frame", f"{frame_type} {what}: {frame} answered {error}"
        if isinstance(frame.get("ref"), str):
            assert error["ref"] == frame["ref"], f"{frame_type} {what}: {error}"
    await socket.ping_works()
    assert not await Message.objects.aexists() and not await Reaction.objects.aexists()
