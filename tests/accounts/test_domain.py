from datetime import datetime, timedelta, timezone

from backend.accounts.domain import (
    FailureWindow,
    login_retry_after,
    normalize_email,
    token_digest,
    token_expiry_after_use,
)

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


def test_login_allowed_below_the_limit():
    windows = [FailureWindow(failures=4, resets_at=1000.0), FailureWindow(failures=0, resets_at=0.0)]
    assert login_retry_after(windows=windows, limit=5, now=100.0) is None


def test_login_blocked_at_the_limit_until_the_window_resets():
    windows = [FailureWindow(failures=1, resets_at=500.0), FailureWindow(failures=5, resets_at=900.5)]
    assert login_retry_after(windows=windows, limit=5, now=100.0) == 801


def test_an_expired_window_blocks_nothing():
    assert login_retry_after(windows=[FailureWindow(failures=9, resets_at=99.0)], limit=5, now=100.0) is None
