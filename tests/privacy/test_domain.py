"""Pure rules of her data (backend/privacy/domain.py), without a database."""

from datetime import datetime, timedelta, timezone

import pytest

from backend.privacy import domain

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
YEARS_3, DAYS_30 = timedelta(days=3 * 365), timedelta(days=30)


@pytest.mark.parametrize(("last_seen", "warned", "step"), [
    (NOW - YEARS_3 + timedelta(days=1), None, None),
    (NOW - YEARS_3, None, "warn"),
    (NOW - YEARS_3 - DAYS_30, NOW - timedelta(days=29), None),
    (NOW - YEARS_3 - DAYS_30, NOW - DAYS_30, "erase"),
])
def test_inactivity_warns_after_three_years_then_erases_thirty_days_later(last_seen, warned, step):
    assert domain.inactivity_step(last_seen_at=last_seen, warned_at=warned, now=NOW, inactive_after=YEARS_3,
                                  grace=DAYS_30) == step


@pytest.mark.parametrize(("state", "expires_at", "refusal"), [
    ("building", None, "export_not_ready"),
    ("ready", NOW + timedelta(seconds=1), None),
    ("ready", NOW, "export_expired"),
    ("expired", None, "export_expired"),
])
def test_an_archive_downloads_only_while_ready_and_not_expired(state, expires_at, refusal):
    assert domain.export_refusal(state=state, expires_at=expires_at, now=NOW) == refusal


def test_an_archive_lasts_the_days_set():
    assert domain.export_expiry(ready_at=NOW, days=7) == NOW + timedelta(days=7)
    assert domain.archive_path("chat") == "voisins-export/chat.json"
    assert domain.archive_path("photos", "a.jpg") == "voisins-export/photos/a.jpg"


@pytest.mark.parametrize(("kept", "parts"), [
    (timedelta(0), (0, "now")),
    (timedelta(days=3 * 365), (3, "year")),
    (timedelta(days=183), (183, "day")),
    (timedelta(days=1), (1, "day")),
    (timedelta(hours=2), (2, "hour")),
    (timedelta(minutes=15), (15, "minute")),
    (timedelta(seconds=10), (10, "second")),
])
def test_a_period_reads_in_its_largest_whole_unit(kept, parts):
    assert domain.duration_parts(kept) == parts


def test_the_page_language_is_the_one_asked_else_hers_else_the_browser_s():
    languages = {"fr", "en"}
    assert domain.page_language(asked="fr", user="en", browser="en", supported=languages) == "fr"
    assert domain.page_language(asked="de", user="fr", browser="en", supported=languages) == "fr"
    assert domain.page_language(asked=None, user=None, browser="en", supported=languages) == "en"
    assert domain.page_language(asked=None, user=None, browser="de", supported=languages) == "en"


def test_every_push_text_is_in_both_languages_with_the_same_parameters():
    import re

    for key, texts in domain.PUSH_TEXTS.items():
        assert set(texts) == {"en", "fr"} and texts["en"] != texts["fr"], key
        assert re.findall(r"{(\w+)}", texts["en"]) == re.findall(r"{(\w+)}", texts["fr"]), key


@pytest.mark.parametrize(("state", "expires_at", "shown"), [
    ("building", None, "building"),
    ("ready", NOW + timedelta(seconds=1), "ready"),
    ("ready", NOW, "expired"),
    ("expired", NOW - DAYS_30, "expired"),
])
def test_a_ready_export_past_its_expiry_shows_as_expired(state, expires_at, shown):
    assert domain.export_state(state=state, expires_at=expires_at, now=NOW) == shown
