import pytest

from backend.chat import domain


def test_blank_text_is_refused():
    assert domain.text_refusal("  \n ") == "text_blank"
    assert domain.text_refusal(" ok ") is None


def test_a_pair_has_one_order():
    assert domain.direct_pair(9, 4) == domain.direct_pair(4, 9) == (4, 9)


@pytest.mark.parametrize(
    "last_seen, room_seq, changes, replay, gap",
    [
        (None, 10, 0, False, False),  # no cursor: the caller sends the latest page
        (10, 10, 0, True, False),
        (3, 10, 7, True, False),
        (0, 900, 500, True, False),
        (0, 900, 501, False, True),
    ],
)
def test_catch_up_plan(last_seen, room_seq, changes, replay, gap):
    plan = domain.catch_up_plan(last_seen=last_seen, room_seq=room_seq, changes=changes)
    assert (plan.replay, plan.gap) == (replay, gap)


def test_typing_is_throttled_per_interval():
    assert domain.typing_due(last_sent=None, now=100.0)
    assert not domain.typing_due(last_sent=98.0, now=100.0)
    assert domain.typing_due(last_sent=97.0, now=100.0)


def test_reactions_summary_groups_by_emoji_in_order_of_first_use():
    pairs = [("👍", 1), ("🎉", 2), ("👍", 3)]
    assert domain.reactions_summary(pairs) == [
        {"emoji": "👍", "count": 2, "user_ids": [1, 3]},
        {"emoji": "🎉", "count": 1, "user_ids": [2]},
    ]


@pytest.mark.parametrize(
    ("seq", "room_seq", "read_seq", "refusal"),
    [
        (5, 5, 0, None),
        (3, 5, 3, None),  # the same again: nothing to refuse, nothing changes
        (6, 5, 0, "seq_out_of_range"),
        (2, 5, 3, "read_backwards"),
        (0, 0, 0, None),
    ],
)
def test_a_read_marker_moves_forward_within_the_room(seq, room_seq, read_seq, refusal):
    assert domain.read_refusal(seq=seq, room_seq=room_seq, read_seq=read_seq) == refusal


def test_room_names_compare_whatever_their_case_and_surrounding_spaces():
    assert domain.room_name_key("  Le Quartier ") == domain.room_name_key("le quartier") == "le quartier"
    assert domain.room_name_taken(" LE QUARTIER", ["Entraide", "Le quartier"])
    assert not domain.room_name_taken("Le quartier 2", ["Le quartier"])
    assert domain.room_name_taken("ÉCOLE", ["école"])
