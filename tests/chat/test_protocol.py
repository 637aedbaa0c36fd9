import pytest

from backend.chat.protocol import FrameError, parse_client_frame


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
