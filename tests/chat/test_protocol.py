import json

import pytest
from referencing import Registry, Resource

from backend.chat.protocol import CONTRACT_DIR, FrameError, parse_client_frame


def test_a_valid_frame_is_returned_as_a_dict():
    frame = parse_client_frame('{"type": "message.send", "ref": "c-1", "room_id": 3, "text": "Salut"}')
    assert frame == {"type": "message.send", "ref": "c-1", "room_id": 3, "text": "Salut"}


@pytest.mark.parametrize(
    "raw, code, ref",
    [
        ("{", "malformed_json", None),
        ('"text"', "invalid_frame", None),
        ('{"ref": "a"}', "unknown_type", "a"),
        ('{"type": "message.send", "ref": "b", "room_id": 0, "text": "x"}', "invalid_frame", "b"),
        ('{"type": "message.send", "ref": "with space", "room_id": 1, "text": "x"}', "invalid_frame", "with space"),
        ('{"type": "reaction.add", "ref": "c", "message_id": 1, "emoji": ""}', "invalid_frame", "c"),
        ('{"type": "read", "room_id": 1, "seq": -1}', "invalid_frame", None),
    ],
)
def test_refusals_name_the_problem_and_keep_the_ref(raw, code, ref):
    with pytest.raises(FrameError) as refusal:
        parse_client_frame(raw)
    assert (refusal.value.code, refusal.value.ref) == (code, ref)


def test_frames_over_64_kb_are_refused_before_parsing():
    with pytest.raises(FrameError) as refusal:
        parse_client_frame("x" * (64 * 1024 + 1))
    assert refusal.value.code == "frame_too_large"


def test_the_detail_says_which_field():
    with pytest.raises(FrameError) as refusal:
        parse_client_frame('{"type": "subscribe", "room_id": "one"}')
    assert refusal.value.detail.startswith("room_id:")


@pytest.mark.parametrize(
    ("raw", "ref"),
    [
        ('{"type": "message.send", "ref": "first", "room_id": 1, "text": "' + "x" * 70_000 + '"}', "first"),
        ('{"type": "message.send", "room_id": 1, "text": "' + "x" * 70_000 + '", "ref" : "last"}', "last"),
        ('{"type": "message.send", "room_id": 1, "text": "' + "x" * 70_000 + '"}', None),
        # Inside a string its quotes are escaped: not a member.
        ('{"type": "message.send", "text": "\\"ref\\": \\"fake\\"' + "x" * 70_000 + '"}', None),
        ('{"type": "message.send", "text": "' + "x" * 35_000 + '", "ref": "middle", "y": "' + "x" * 35_000 + '"}', None),
        ('{"type": "message.send", "ref": "not a ref", "text": "' + "x" * 70_000 + '"}', None),
    ],
)
def test_an_oversized_frame_keeps_its_ref_when_it_shows_at_either_end(raw, ref):
    for frame in (raw, raw.encode()):
        with pytest.raises(FrameError) as refusal:
            parse_client_frame(frame)
        assert (refusal.value.code, refusal.value.ref) == ("frame_too_large", ref)


# The schemas themselves: one $id each, and every $ref resolves, from the $id (as the
# server's validators read them) and from the file's place (as AsyncAPI tools do).

SCHEMAS = sorted(CONTRACT_DIR.glob("*.json")) + sorted(CONTRACT_DIR.glob("client/*.json")) + sorted(
    CONTRACT_DIR.glob("server/*.json")
)


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_schema_has_its_own_id_named_after_its_place():
    ids = {}
    for path in SCHEMAS:
        schema = json.loads(path.read_text())
        assert schema["$id"] == path.relative_to(CONTRACT_DIR).as_posix()
        assert schema["$id"] not in ids, f"{path} and {ids[schema['$id']]} share an $id"
        ids[schema["$id"]] = path


def test_every_ref_resolves_from_the_id_and_from_the_file():
    registry = Registry().with_resources(
        (json.loads(path.read_text())["$id"], Resource.from_contents(json.loads(path.read_text()))) for path in SCHEMAS
    )
    for path in SCHEMAS:
        schema = json.loads(path.read_text())
        resolver = registry.resolver(base_uri=schema["$id"])
        for ref in _refs(schema):
            assert resolver.lookup(ref).contents is not None
            document = ref.split("#")[0]
            assert not document or (path.parent / document).resolve().is_file(), f"{path.name}: {ref}"
