from datetime import datetime, timedelta, timezone

from backend.accounts import domain
from backend.accounts.domain import normalize_email, token_digest, token_expiry_after_use

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def test_emails_are_compared_lower_case_and_trimmed():
    assert normalize_email("  Zoe.Martin@Example.ORG ") == "zoe.martin@example.org"


def test_token_digest_is_stable_and_hides_the_secret():
    digest = token_digest("vt_secret")
    assert digest == token_digest("vt_secret")
    assert digest != token_digest("vt_secreT")
    assert "secret" not in digest and len(digest) == 64


def test_token_expiry_slides_only_after_the_slide_interval():
    ttl, every = timedelta(days=30), timedelta(hours=1)
    assert token_expiry_after_use(now=NOW, last_used_at=NOW - timedelta(minutes=59), ttl=ttl, slide_every=every) is None
    assert token_expiry_after_use(now=NOW, last_used_at=NOW - timedelta(hours=2), ttl=ttl, slide_every=every) == NOW + ttl


def test_the_language_of_a_new_account():
    supported = ["fr", "en"]
    assert domain.signup_language(chosen="en", accepted=["fr"], supported=supported) == "en"
    assert domain.signup_language(chosen=None, accepted=["de", "en-gb", "fr"], supported=supported) == "en"
    assert domain.signup_language(chosen=None, accepted=[], supported=supported) == "fr"
    assert domain.signup_language(chosen=None, accepted=["de", "*"], supported=supported) == "fr"
