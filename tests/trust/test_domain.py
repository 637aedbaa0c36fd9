from datetime import datetime, timedelta, timezone

import pytest

from backend.trust import domain

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 32
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 32
TEXT = b"#!/bin/sh\nrm -rf /\n"


@pytest.mark.parametrize("head, expected", [(PNG, "image/png"), (JPEG, "image/jpeg"), (PDF, "application/pdf")])
def test_accepted_types_are_read_from_the_bytes(head, expected):
    assert domain.proof_content_type(head) == expected


@pytest.mark.parametrize("head", [ELF, TEXT, b"", b"GIF89a" + b"\x00" * 20])
def test_other_content_is_refused_whatever_its_name(head):
    assert domain.proof_content_type(head) is None


def test_proof_refusal():
    assert domain.proof_refusal(size=11, content_type="image/png", max_bytes=10) == "file_too_large"
    assert domain.proof_refusal(size=5, content_type=None, max_bytes=10) == "file_type_not_allowed"
    assert domain.proof_refusal(size=10, content_type="image/png", max_bytes=10) is None


VOUCH_OK = dict(
    is_self=False,
    voucher_verified_here=True,
    voucher_verified_elsewhere=True,
    applicant_state="pending",
    already_vouched=False,
    given_in_period=2,
    quota=3,
)


@pytest.mark.parametrize(
    "change, code",
    [
        ({}, None),
        ({"is_self": True}, "self_vouch"),
        ({"voucher_verified_here": False, "voucher_verified_elsewhere": False}, "not_member"),
        ({"voucher_verified_here": False}, "other_neighbourhood"),
        ({"applicant_state": "verified"}, "not_pending"),
        ({"already_vouched": True}, "already_vouched"),
        ({"given_in_period": 3}, "vouch_quota_exceeded"),
    ],
)
def test_vouch_refusal(change, code):
    assert domain.vouch_refusal(**{**VOUCH_OK, **change}) == code


def test_vouch_quota_frees_up_when_the_oldest_vouch_leaves_the_period():
    oldest = NOW - timedelta(days=29)
    assert domain.vouch_quota_retry_after(oldest_in_period=oldest, period=timedelta(days=30), now=NOW) == 86400


def test_vouched_enough():
    assert not domain.vouched_enough(counting_vouches=1, needed=2)
    assert domain.vouched_enough(counting_vouches=2, needed=2)


def test_letter_codes_are_unambiguous_and_random():
    codes = {domain.letter_code_generate() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert len(code) == 8 and set(code) <= set(domain.LETTER_CODE_ALPHABET)
        assert not set(code) & set("01OIL")


def test_typed_code_is_matched_whatever_case_spaces_or_dash():
    digest = domain.letter_code_digest("ABCD2345", key="k")
    assert domain.letter_code_matches("abcd-2345", digest=digest, key="k")
    assert domain.letter_code_matches(" ABCD 2345 ", digest=digest, key="k")
    assert not domain.letter_code_matches("ABCD2346", digest=digest, key="k")
    assert not domain.letter_code_matches("ABCD2345", digest=digest, key="other key")


@pytest.mark.parametrize(
    "change, code",
    [
        ({}, None),
        ({"used": True}, "code_used"),
        ({"failed_attempts": 5}, "code_locked"),
        ({"expires_at": NOW}, "code_expired"),
    ],
)
def test_letter_code_refusal(change, code):
    args = dict(now=NOW, expires_at=NOW + timedelta(days=1), used=False, failed_attempts=4, max_attempts=5)
    assert domain.letter_code_refusal(**{**args, **change}) == code


@pytest.mark.parametrize("language, greeting", [("fr", "Bonjour Zoé"), ("en", "Hello Zoé")])
def test_letter_text_carries_address_code_and_deadline(language, greeting):
    text = domain.letter_text(
        language=language,
        display_name="Zoé",
        neighbourhood="Saint-Malo",
        address_lines=["Zoé", "5 Rue de Toulouse", "35400 Saint-Malo"],
        code="ABCD2345",
        expires_on="23 décembre 2026",
    )
    assert text.startswith("Zoé\n5 Rue de Toulouse\n35400 Saint-Malo")
    assert greeting in text and "ABCD-2345" in text and "23 décembre 2026" in text


@pytest.mark.parametrize(
    "current, target, refusal",
    [
        ("pending", "verified", None),
        ("pending", "rejected", None),
        ("verified", "revoked", None),
        ("verified", "verified", "not_pending"),
        ("rejected", "verified", "not_pending"),
        ("revoked", "rejected", "not_pending"),
        ("pending", "revoked", "not_verified"),
        ("revoked", "revoked", "not_verified"),
    ],
)
def test_membership_transitions(current, target, refusal):
    assert domain.transition_refusal(current=current, target=target) == refusal
