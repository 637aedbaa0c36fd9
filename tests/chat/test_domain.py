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
