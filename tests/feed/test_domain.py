"""The feed's pure rules, without a database."""

from datetime import UTC, datetime, timedelta

import pytest

from backend.feed import domain

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LATER = "2026-11-30T18:00:00+00:00"
LATER_END = "2026-11-30T21:00:00+00:00"

VALID = {
    "help_request": {"what": "Arroser les plantes", "when": LATER},
    "loan_offer": {"item": "Appareil à raclette", "start": "2026-11-24", "end": "2026-12-24"},
    "loan_request": {"item": "Tondeuse", "start": "2026-11-25", "end": "2026-11-25"},
    "babysitting_offer": {"start": LATER, "end": LATER_END, "children_ages": []},
    "babysitting_request": {"start": LATER, "end": LATER_END, "children_ages": [3, 6]},
    "classified": {"mode": "sell", "item": "Vélo enfant", "price_cents": 4500},
    "event": {"start": LATER, "end": LATER_END, "place": "Square des Douves"},
    "lost_found": {"mode": "found", "item": "Clés", "where": "Rue de Dinan", "when": "2026-11-22"},
    "group_purchase": {
        "product": "Huîtres de Cancale", "unit": "douzaine", "unit_price_cents": 900,
        "min_quantity": 10, "max_quantity": 40, "deadline": LATER,
    },
    "local_producer": {"products": "Légumes bio", "where_to_buy": "Marché du samedi"},
}


def test_every_kind_has_a_valid_example():
    assert set(VALID) == set(domain.KINDS)


@pytest.mark.parametrize("kind", sorted(VALID))
def test_valid_details_pass(kind):
    assert domain.details_clean(kind, VALID[kind], now=NOW) == VALID[kind]


@pytest.mark.parametrize(
    ("kind", "change", "code", "field"),
    [
        ("event", {"end": "2026-11-30T17:00:00+00:00"}, "end_before_start", "end"),
        ("event", {"end": LATER}, "end_before_start", "end"),
        ("babysitting_request", {"end": "2026-11-30T17:59:00+00:00"}, "end_before_start", "end"),
        ("loan_offer", {"end": "2026-11-23"}, "end_before_start", "end"),
        ("classified", {"price_cents": -1}, "invalid_post_details", "price_cents"),
        ("classified", {"price_cents": None}, "price_required", "price_cents"),
        ("classified", {"mode": "give"}, "price_not_for_gifts", "price_cents"),
        ("group_purchase", {"max_quantity": 5}, "max_below_min", "max_quantity"),
        ("group_purchase", {"deadline": "2026-11-23T11:00:00+00:00"}, "in_the_past", "deadline"),
        ("help_request", {"when": "2026-11-01T10:00:00+00:00"}, "in_the_past", "when"),
        ("help_request", {"when": "next tuesday"}, "invalid_post_details", "when"),
        ("help_request", {"when": "2026-11-30T18:00:00"}, "invalid_post_details", "when"),
        ("loan_request", {"start": "30/11/2026"}, "invalid_post_details", "start"),
        ("babysitting_request", {"children_ages": []}, "invalid_post_details", "children_ages"),
        ("babysitting_request", {"children_ages": [19]}, "invalid_post_details", "children_ages/0"),
        ("event", {"colour": "blue"}, "invalid_post_details", "details"),
        ("local_producer", {"products": ""}, "invalid_post_details", "products"),
    ],
)
def test_details_that_do_not_fit_the_kind_are_refused(kind, change, code, field):
    details = {key: value for key, value in {**VALID[kind], **change}.items() if value is not None}
    with pytest.raises(domain.DetailsError) as refusal:
        domain.details_clean(kind, details, now=NOW)
    assert (refusal.value.code, refusal.value.field) == (code, field)


@pytest.mark.parametrize("missing", ["start", "end", "place"])
def test_a_missing_field_is_named(missing):
    details = {k: v for k, v in VALID["event"].items() if k != missing}
    with pytest.raises(domain.DetailsError) as refusal:
        domain.details_clean("event", details, now=NOW)
    assert (refusal.value.code, refusal.value.field) == ("invalid_post_details", missing)


def test_an_unknown_kind_is_refused():
    with pytest.raises(domain.DetailsError) as refusal:
        domain.details_clean("barter", {}, now=NOW)
    assert refusal.value.field == "kind"


def test_posts_expire_when_what_they_are_about_ends():
    assert domain.default_expiry("event", VALID["event"], now=NOW) == datetime(2026, 11, 30, 21, tzinfo=UTC)
    assert domain.default_expiry("loan_offer", VALID["loan_offer"], now=NOW) == datetime(2026, 12, 25, tzinfo=UTC)
    assert domain.default_expiry("classified", VALID["classified"], now=NOW) == NOW + timedelta(days=14)
    far = {**VALID["help_request"], "when": "2027-06-01T10:00:00+00:00"}
    assert domain.default_expiry("help_request", far, now=NOW) == NOW + domain.LONGEST_LIFE


def test_an_expiry_is_in_the_future_and_within_ninety_days():
    assert domain.expiry_refusal(NOW, now=NOW) == "in_the_past"
    assert domain.expiry_refusal(NOW + timedelta(days=91), now=NOW) == "expiry_too_far"
    assert domain.expiry_refusal(NOW + timedelta(days=1), now=NOW) is None


@pytest.mark.parametrize(
    ("current", "target", "refusal"),
    [
        ("open", "closed", None),
        ("open", "taken", "choose_a_responder"),
        ("open", "done", "invalid_status_change"),
        ("taken", "done", None),
        ("taken", "open", None),
        ("taken", "closed", None),
        ("done", "open", "invalid_status_change"),
        ("closed", "open", "invalid_status_change"),
        ("expired", "closed", "invalid_status_change"),
        ("open", "expired", "invalid_status_change"),
        ("open", "deleted", "invalid_status_change"),
    ],
)
def test_the_lifecycle(current, target, refusal):
    assert domain.status_change_refusal(current=current, target=target) == refusal


def test_who_answers_what():
    assert domain.answer_refusal(kind="help_request", status="open", is_author=True) == "own_post"
    assert domain.answer_refusal(kind="help_request", status="taken", is_author=False) == "post_not_open"
    assert domain.answer_refusal(kind="event", status="open", is_author=False) == "not_answerable"
    assert domain.answer_refusal(kind="loan_offer", status="open", is_author=False) is None


def test_server_texts_are_in_the_readers_language():
    assert domain.answer_text("help_request", "fr") == "Je peux aider"
    assert domain.answer_text("loan_offer", "en") == "I'm interested"
    assert domain.answer_text("lost_found", "fr", mode="found") == "C'est à moi"
    assert domain.answer_text("lost_found", "en", mode="lost") == "I found it"
    assert domain.taken_notice("Tondeuse", "fr").startswith("« Tondeuse » est pris")


def test_who_lends_and_who_borrows():
    assert domain.loan_parties("loan_offer", author_id=1, responder_id=2) == (1, 2)
    assert domain.loan_parties("loan_request", author_id=1, responder_id=2) == (2, 1)


def test_borrowers_are_reminded_the_day_before():
    due = datetime(2026, 12, 24).date()
    assert not domain.reminder_due(return_due=due, today=datetime(2026, 12, 22).date())
    assert domain.reminder_due(return_due=due, today=datetime(2026, 12, 23).date())
    assert domain.reminder_due(return_due=due, today=datetime(2026, 12, 26).date())
    assert domain.returned_on_time(return_due=due, returned_on=due)
    assert not domain.returned_on_time(return_due=due, returned_on=datetime(2026, 12, 25).date())


@pytest.mark.parametrize(
    ("quantity", "others", "now", "status", "refusal"),
    [
        (5, 30, NOW, "open", None),
        (10, 30, NOW, "open", None),
        (11, 30, NOW, "open", "over_maximum"),
        (-1, 0, NOW, "open", "invalid_quantity"),
        (1, 0, datetime(2026, 11, 30, 18, tzinfo=UTC), "open", "deadline_passed"),
        (1, 0, NOW, "closed", "post_not_open"),
    ],
)
def test_what_a_neighbour_may_commit(quantity, others, now, status, refusal):
    deadline = datetime(2026, 11, 30, 18, tzinfo=UTC)
    assert domain.commitment_refusal(
        status=status, deadline=deadline, now=now, quantity=quantity, committed_by_others=others, maximum=40
    ) == refusal


def test_a_purchase_is_reached_at_its_minimum():
    assert domain.purchase_outcome(committed=10, minimum=10) == "reached"
    assert domain.purchase_outcome(committed=9, minimum=10) == "not_reached"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("-2.03,48.64,-2.01,48.66", None),
        ("-2.01,48.64,-2.03,48.66", "invalid_bbox"),
        ("-2.03,48.66,-2.01,48.64", "invalid_bbox"),
        ("-2.03,48.64,-2.01", "invalid_bbox"),
        ("a,b,c,d", "invalid_bbox"),
        ("-2.03,48.64,-2.01,98", "invalid_bbox"),
        ("-3,48,-1,49", "bbox_too_large"),
    ],
)
def test_map_boxes(raw, code):
    if code is None:
        assert domain.bbox_parse(raw) == (-2.03, 48.64, -2.01, 48.66)
    else:
        with pytest.raises(domain.DetailsError) as refusal:
            domain.bbox_parse(raw)
        assert refusal.value.code == code


@pytest.mark.parametrize("kind", sorted(VALID))
def test_an_erased_author_s_details_keep_none_of_her_words(kind):
    """Only dates, numbers and choices stay: no free text of hers, no children's ages."""
    kept = domain.details_erased(kind, VALID[kind])
    schema = domain._POST_DEFS[kind]["properties"]
    assert all(schema[field].get("type") != "string" or schema[field].get("format") in ("date", "date-time")
               for field in kept)
    assert "children_ages" not in kept and kept == {f: VALID[kind][f] for f in kept}
    assert domain.details_erased(kind, kept) == kept  # erasing again changes nothing
