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


def test_an_erased_account_is_a_neutral_label_and_an_address_about_no_one():
    from backend.accounts import domain

    assert domain.erased_display_name("1a2b3c4d") == "Ancien membre · Former member #1a2b3c4d"
    assert len(domain.erased_display_name("1a2b3c4d")) <= 60  # User.display_name
    assert domain.erased_email(user_id=42) == "erased-42@erased.voisins.invalid"


def test_activity_is_recorded_at_most_every_period():
    from datetime import datetime, timedelta, timezone

    from backend.accounts import domain

    seen = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert not domain.seen_again(last_seen_at=seen, now=seen + timedelta(minutes=59), every=timedelta(hours=1))
    assert domain.seen_again(last_seen_at=seen, now=seen + timedelta(hours=1), every=timedelta(hours=1))


def test_the_inactivity_warning_speaks_her_language():
    from backend.accounts import domain

    fr = domain.inactivity_email(language="fr", display_name="Ada", erase_on="24/12/2026", page="https://v/data/")
    en = domain.inactivity_email(language="en", display_name="Ada", erase_on="2026-12-24", page="https://v/data/")
    assert fr[0] == "Votre compte Voisins sera effacé" and "24/12/2026" in fr[1] and "https://v/data/" in fr[1]
    assert en[0] == "Your Voisins account will be erased" and "2026-12-24" in en[1]
