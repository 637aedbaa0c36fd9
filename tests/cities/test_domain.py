from datetime import UTC, datetime, timedelta

import pytest

from backend.cities import domain

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("current, target, allowed", [
    ("received", "acknowledged", True),
    ("received", "in_progress", False),
    ("received", "resolved", False),
    ("acknowledged", "in_progress", True),
    ("acknowledged", "resolved", True),
    ("in_progress", "resolved", True),
    ("in_progress", "acknowledged", False),
    ("resolved", "in_progress", False),
    ("rejected", "acknowledged", False),
    ("duplicate", "resolved", False),
])
def test_the_workflow_moves_forward_only(current, target, allowed):
    refusal = domain.status_change_refusal(current=current, target=target, reason="", duplicate_of=None,
                                           same_organisation_open_duplicate=None)
    assert (refusal is None) == allowed
    if not allowed:
        assert refusal == "invalid_report_transition"


def test_rejecting_or_marking_a_duplicate_needs_a_reason_and_an_original():
    refuse = domain.status_change_refusal
    assert refuse(current="received", target="rejected", reason=" ", duplicate_of=None,
                  same_organisation_open_duplicate=None) == "reason_required"
    assert refuse(current="received", target="rejected", reason="Domaine privé", duplicate_of=None,
                  same_organisation_open_duplicate=None) is None
    assert refuse(current="acknowledged", target="duplicate", reason="Déjà signalé", duplicate_of=None,
                  same_organisation_open_duplicate=False) == "invalid_duplicate"
    assert refuse(current="acknowledged", target="duplicate", reason="Déjà signalé", duplicate_of=3,
                  same_organisation_open_duplicate=False) == "invalid_duplicate"
    assert refuse(current="acknowledged", target="duplicate", reason="Déjà signalé", duplicate_of=3,
                  same_organisation_open_duplicate=True) is None


def test_a_resolved_report_reopens_within_14_days():
    resolved = NOW - timedelta(days=13)
    assert domain.reopen_refusal(status="resolved", resolved_at=resolved, now=NOW) is None
    assert domain.reopen_refusal(status="resolved", resolved_at=NOW - timedelta(days=15), now=NOW) == "reopen_too_late"
    assert domain.reopen_refusal(status="in_progress", resolved_at=None, now=NOW) == "invalid_report_transition"
    assert domain.reopenable_until(status="resolved", resolved_at=resolved) == resolved + timedelta(days=14)
    assert domain.reopenable_until(status="received", resolved_at=None) is None


def test_the_daily_alert_limit_is_a_rolling_24_hours():
    sent = [NOW - timedelta(hours=23), NOW - timedelta(hours=5), NOW - timedelta(hours=1)]
    assert domain.alert_limit_retry_after(sent_in_window=sent[1:], limit=3, now=NOW) is None
    # The oldest of the three leaves the window in an hour.
    assert domain.alert_limit_retry_after(sent_in_window=sent, limit=3, now=NOW) == 3600
    assert domain.alert_limit_retry_after(sent_in_window=[], limit=0, now=NOW) == 24 * 3600


def test_an_alert_expires_within_72_hours():
    assert domain.alert_refusal(expires_at=NOW, now=NOW) == ("in_the_past", {"field": "expires_at"})
    assert domain.alert_refusal(expires_at=NOW + timedelta(hours=73), now=NOW) == ("alert_too_long", {})
    assert domain.alert_refusal(expires_at=NOW + timedelta(hours=72), now=NOW) is None


def test_consultation_rules():
    later = NOW + timedelta(days=7)
    assert domain.consultation_refusal(answer_kind="choices", choices=["Oui", "Non"], closes_at=later, now=NOW) is None
    for choices in (["Oui"], ["Oui", "oui ", "Oui"], ["Oui", " "], [str(n) for n in range(11)]):
        assert domain.consultation_refusal(answer_kind="choices", choices=choices, closes_at=later,
                                           now=NOW)[0] == "invalid_choices"
    assert domain.consultation_refusal(answer_kind="free", choices=["Oui"], closes_at=later, now=NOW)[0] == "invalid_choices"
    assert domain.consultation_refusal(answer_kind="free", choices=[], closes_at=NOW, now=NOW)[0] == "in_the_past"
    assert domain.consultation_refusal(answer_kind="free", choices=[], closes_at=NOW + timedelta(days=91),
                                       now=NOW)[0] == "consultation_too_long"
    answer = dict(answer_kind="choices", choices=["Oui", "Non"], closes_at=later, now=NOW)
    assert domain.answer_refusal(choice=1, text="", **answer) is None
    assert domain.answer_refusal(choice=2, text="", **answer) == "invalid_answer"
    assert domain.answer_refusal(choice=None, text="Oui", **answer) == "invalid_answer"
    assert domain.answer_refusal(choice=0, text="", **{**answer, "now": later}) == "consultation_closed"
    free = dict(answer_kind="free", choices=[], closes_at=later, now=NOW)
    assert domain.answer_refusal(choice=None, text="Plus de bancs", **free) is None
    assert domain.answer_refusal(choice=None, text=" ", **free) == "invalid_answer"
    assert domain.answer_refusal(choice=None, text="x" * 501, **free) == "invalid_answer"


def test_results_are_aggregates_and_free_texts_only_for_the_organisation():
    answers = [(0, ""), (1, ""), (0, "")]
    assert domain.consultation_results(answer_kind="choices", choices=["Oui", "Non"], answers=answers,
                                       with_texts=True) == {
        "answers": 3, "choices": [{"label": "Oui", "count": 2}, {"label": "Non", "count": 1}], "free_answers": None}
    free = [(None, "Un marché"), (None, "Des arbres")]
    assert domain.consultation_results(answer_kind="free", choices=[], answers=free, with_texts=True)["free_answers"] == [
        "Des arbres", "Un marché"]
    assert domain.consultation_results(answer_kind="free", choices=[], answers=free, with_texts=False) == {
        "answers": 2, "choices": [], "free_answers": None}


def test_figures_count_and_take_medians_per_neighbourhood():
    def row(nid, category, status, ack_hours=None, resolve_hours=None):
        return {"neighbourhood_id": nid, "category": category, "status": status, "created_at": NOW,
                "acknowledged_at": NOW + timedelta(hours=ack_hours) if ack_hours else None,
                "resolved_at": NOW + timedelta(hours=resolve_hours) if resolve_hours else None}

    figures = domain.figures([row(1, "roadway", "resolved", 1, 10), row(1, "roadway", "acknowledged", 3),
                              row(2, "lighting", "received")])
    assert figures["total"] == 3
    assert figures["by_status"]["resolved"] == 1 and figures["by_status"]["received"] == 1
    assert figures["by_category"][1] == {"category": "roadway", "by_status": {
        "received": 0, "acknowledged": 1, "in_progress": 0, "resolved": 1, "rejected": 0, "duplicate": 0}}
    assert figures["median_seconds_to_acknowledge"] == 2 * 3600
    assert figures["median_seconds_to_resolve"] == 10 * 3600
    one, two = figures["by_neighbourhood"]
    assert (one["neighbourhood_id"], one["total"], two["median_seconds_to_acknowledge"]) == (1, 2, None)


def test_the_export_row_holds_no_personal_data():
    row = domain.csv_row({"id": 4, "created_at": NOW, "neighbourhood": "Saint-Malo", "category": "roadway",
                          "status": "received", "latitude": 48.649012, "longitude": -2.025049, "supporters": 2,
                          "acknowledged_at": None, "resolved_at": None})
    assert row == ["4", NOW.isoformat(), "Saint-Malo", "roadway", "received", "48.6490", "-2.0250", "2", "", ""]
    assert len(row) == len(domain.CSV_COLUMNS)


def test_summaries_and_categories():
    assert domain.summary("Un   nid-de-poule") == "Un nid-de-poule"
    long = domain.summary("mot " * 40)
    assert len(long) <= domain.SUMMARY_MAX and long.endswith("…")
    assert domain.custom_category_id("c12") == 12 and domain.custom_category_id("roadway") is None
    assert domain.category_name("lighting", "fr") == "Éclairage"
    assert domain.category_name("c3", "fr", {"c3": "Tags"}) == "Tags"
    assert domain.resident_of("Saint-Malo", "en") == "a resident of Saint-Malo"
