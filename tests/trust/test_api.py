from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backend.trust.models import AuditEntry, LetterCode, Membership, ProofOfAddress, Vouch
from tests.conftest import INSIDE_DINARD, INSIDE_SAINT_MALO, NOWHERE, make_membership, make_user

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 64
ADDRESS = {"street": "Rue de Toulouse", "number": "5", "postcode": "35400", "city": "Saint-Malo"}


def _membership(user) -> Membership:
    return Membership.objects.get(user=user, state__in=["pending", "verified"])


def _upload(client, membership, content, name="proof.pdf"):
    return client.post(
        f"/api/v1/trust/memberships/{membership.id}/proofs/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def _private_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# Applying


def test_apply_finds_the_neighbourhood_from_the_coordinates(client_for, saint_malo):
    zoe = make_user("zoe@example.org")
    position = {"latitude": INSIDE_SAINT_MALO[0], "longitude": INSIDE_SAINT_MALO[1]}
    response = client_for(zoe).post("/api/v1/trust/memberships/", {**ADDRESS, **position}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["neighbourhood"]["id"] == saint_malo.id
    assert body["state"] == "pending" and body["route"] is None
    assert body["address"] == {**ADDRESS, **position}
    assert AuditEntry.objects.get().action == "apply"


def test_apply_outside_every_neighbourhood_changes_nothing(client_for, saint_malo):
    zoe = make_user("zoe@example.org")
    response = client_for(zoe).post(
        "/api/v1/trust/memberships/", {**ADDRESS, "latitude": NOWHERE[0], "longitude": NOWHERE[1]}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "no_neighbourhood"
    assert not Membership.objects.exists() and not AuditEntry.objects.exists()


def test_apply_twice(client_for, applicant):
    response = client_for(applicant).post(
        "/api/v1/trust/memberships/",
        {**ADDRESS, "latitude": INSIDE_SAINT_MALO[0], "longitude": INSIDE_SAINT_MALO[1]},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"
    assert Membership.objects.filter(user=applicant).count() == 1


def test_apply_with_missing_and_out_of_range_fields(client_for, saint_malo):
    zoe = make_user("zoe@example.org")
    response = client_for(zoe).post(
        "/api/v1/trust/memberships/", {"street": "Rue", "latitude": 120, "longitude": "x"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"number", "postcode", "city", "latitude", "longitude"}
    assert not Membership.objects.exists()


def test_a_rejected_applicant_may_apply_again(client_for, saint_malo):
    zoe = make_user("zoe@example.org")
    make_membership(zoe, saint_malo, state="rejected")
    response = client_for(zoe).post(
        "/api/v1/trust/memberships/",
        {**ADDRESS, "latitude": INSIDE_SAINT_MALO[0], "longitude": INSIDE_SAINT_MALO[1]},
        format="json",
    )
    assert response.status_code == 201
    assert client_for(zoe).get("/api/v1/auth/me/").json()["membership"]["state"] == "pending"


# Proof of address


def test_proof_route_end_to_end(client_for, applicant, moderator, django_capture_on_commit_callbacks):
    membership = _membership(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client_for(applicant), membership, PDF, name="facture EDF.pdf")
    assert response.status_code == 201
    proof = response.json()
    assert proof["content_type"] == "application/pdf" and proof["file_available"] is True
    stored = _private_files()
    assert len(stored) == 1 and "EDF" not in stored[0].name
    assert str(settings.PRIVATE_MEDIA_ROOT) not in str(settings.STATIC_ROOT)

    moderator_client = client_for(moderator)
    download = moderator_client.get(f"/api/v1/trust/proofs/{proof['id']}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"

    with django_capture_on_commit_callbacks(execute=True):
        review = moderator_client.post(f"/api/v1/trust/proofs/{proof['id']}/review/", {"decision": "approve"}, format="json")
    assert review.status_code == 200
    assert review.json()["state"] == "approved" and review.json()["file_available"] is False
    membership.refresh_from_db()
    assert (membership.state, membership.route, membership.decided_by) == ("verified", "proof", moderator)
    assert _private_files() == []
    gone = client_for(applicant).get(f"/api/v1/trust/proofs/{proof['id']}/file/")
    assert gone.status_code == 410 and gone.json()["code"] == "proof_file_deleted"
    assert list(AuditEntry.objects.order_by("id").values_list("action", "route", "actor")) == [
        ("proof_upload", "proof", applicant.id),
        ("approve", "proof", moderator.id),
        ("verify", "proof", moderator.id),
    ]


def test_a_rejected_proof_needs_a_reason_and_leaves_the_application_pending(
    client_for, applicant, moderator, django_capture_on_commit_callbacks
):
    membership = _membership(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        proof_id = _upload(client_for(applicant), membership, PNG, name="photo.png").json()["id"]
    moderator_client = client_for(moderator)
    without_reason = moderator_client.post(f"/api/v1/trust/proofs/{proof_id}/review/", {"decision": "reject"}, format="json")
    assert without_reason.status_code == 422 and without_reason.json()["code"] == "reason_required"
    assert len(_private_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        rejected = moderator_client.post(
            f"/api/v1/trust/proofs/{proof_id}/review/", {"decision": "reject", "reason": "Illisible"}, format="json"
        )
    assert rejected.json()["state"] == "rejected" and rejected.json()["reason"] == "Illisible"
    assert _private_files() == []
    membership.refresh_from_db()
    assert membership.state == "pending"
    # She can send a better one.
    assert _upload(client_for(applicant), membership, PNG).status_code == 201
    again = moderator_client.post(f"/api/v1/trust/proofs/{proof_id}/review/", {"decision": "approve"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "proof_decided"


@pytest.mark.parametrize(
    "name, content",
    [
        ("proof.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64),  # an executable named .pdf
        ("proof.pdf", b"Je certifie habiter au 5 rue de Toulouse.\n"),  # a text file named .pdf
        ("proof.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # a Windows executable named .png
    ],
)
def test_a_file_whose_content_is_not_a_document_is_refused(client_for, applicant, name, content):
    response = _upload(client_for(applicant), _membership(applicant), content, name=name)
    assert response.status_code == 415
    assert response.json()["code"] == "file_type_not_allowed"
    assert not ProofOfAddress.objects.exists() and _private_files() == []


def test_an_11_mb_upload_is_refused(client_for, applicant):
    response = _upload(client_for(applicant), _membership(applicant), PDF + b"\x00" * (11 * 1024 * 1024))
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "file_too_large" and body["max_mb"] == 10
    assert not ProofOfAddress.objects.exists() and _private_files() == []


def test_an_upload_without_file(client_for, applicant):
    response = client_for(applicant).post(
        f"/api/v1/trust/memberships/{_membership(applicant).id}/proofs/", {"document": "x"}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["code"] == "file_missing"


def test_an_upload_as_json_is_refused(client_for, applicant):
    response = client_for(applicant).post(
        f"/api/v1/trust/memberships/{_membership(applicant).id}/proofs/", {"file": "x"}, format="json"
    )
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"


def test_one_proof_waits_for_review_at_a_time(client_for, applicant):
    client, membership = client_for(applicant), _membership(applicant)
    assert _upload(client, membership, PDF).status_code == 201
    response = _upload(client, membership, PNG)
    assert response.status_code == 409 and response.json()["code"] == "proof_pending"
    assert ProofOfAddress.objects.count() == 1 and len(_private_files()) == 1


def test_reviewing_as_the_moderator_of_another_neighbourhood(client_for, applicant, dinard):
    other_moderator = make_user("modo-dinard@example.org")
    dinard.moderators.add(other_moderator)
    proof_id = _upload(client_for(applicant), _membership(applicant), PDF).json()["id"]
    response = client_for(other_moderator).post(
        f"/api/v1/trust/proofs/{proof_id}/review/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "not_moderator"
    assert client_for(other_moderator).get(f"/api/v1/trust/proofs/{proof_id}/file/").status_code == 403
    assert ProofOfAddress.objects.get().state == "pending"
    assert _membership(applicant).state == "pending"


def test_a_moderator_does_not_review_her_own_application(client_for, saint_malo, moderator):
    make_membership(moderator, saint_malo)
    proof_id = _upload(client_for(moderator), _membership(moderator), PDF).json()["id"]
    response = client_for(moderator).post(f"/api/v1/trust/proofs/{proof_id}/review/", {"decision": "approve"}, format="json")
    assert response.status_code == 403
    assert _membership(moderator).state == "pending"


def test_review_with_an_unknown_decision(client_for, applicant, moderator):
    proof_id = _upload(client_for(applicant), _membership(applicant), PDF).json()["id"]
    response = client_for(moderator).post(f"/api/v1/trust/proofs/{proof_id}/review/", {"decision": "maybe"}, format="json")
    assert response.status_code == 400 and response.json()["fields"]["decision"][0]["code"] == "invalid_choice"


# Cooptation


def _vouch(client, membership):
    return client.post(f"/api/v1/trust/memberships/{membership.id}/vouches/")


def test_a_verified_neighbour_vouches_and_the_applicant_is_verified(client_for, applicant, member):
    response = _vouch(client_for(member), _membership(applicant))
    assert response.status_code == 201
    assert response.json() == {
        "membership_id": _membership(applicant).id,
        "state": "verified",
        "counting_vouches": 1,
        "vouches_needed": 1,
    }
    membership = _membership(applicant)
    assert (membership.state, membership.route) == ("verified", "vouch")
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["vouch", "verify"]


def test_two_vouches_when_two_are_needed(client_for, applicant, member, saint_malo, settings):
    settings.TRUST_VOUCHES_NEEDED = 2
    second = make_user("second@example.org")
    make_membership(second, saint_malo, state="verified")
    first = _vouch(client_for(member), _membership(applicant)).json()
    assert (first["state"], first["counting_vouches"]) == ("pending", 1)
    assert _vouch(client_for(second), _membership(applicant)).json()["state"] == "verified"


@pytest.mark.parametrize(
    "voucher_fixture, code",
    [("outsider", "other_neighbourhood"), ("moderator", "not_member"), ("staff", "not_member")],
)
def test_vouches_refused(request, client_for, applicant, voucher_fixture, code):
    voucher = request.getfixturevalue(voucher_fixture)
    response = _vouch(client_for(voucher), _membership(applicant))
    assert response.status_code == 403 and response.json()["code"] == code
    assert not Vouch.objects.exists() and _membership(applicant).state == "pending"


def test_a_pending_applicant_cannot_vouch_for_herself(client_for, applicant):
    response = _vouch(client_for(applicant), _membership(applicant))
    assert response.status_code == 403 and response.json()["code"] == "self_vouch"
    assert not Vouch.objects.exists()


def test_a_pending_applicant_cannot_vouch_for_another(client_for, applicant, saint_malo):
    other = make_user("other@example.org")
    make_membership(other, saint_malo)
    response = _vouch(client_for(applicant), _membership(other))
    assert response.status_code == 403 and response.json()["code"] == "not_member"


def test_vouch_quota_of_three_per_thirty_days(client_for, member, saint_malo):
    applicants = []
    for index in range(4):
        user = make_user(f"new{index}@example.org")
        applicants.append(make_membership(user, saint_malo))
    client = client_for(member)
    for membership in applicants[:3]:
        assert _vouch(client, membership).status_code == 201
    response = _vouch(client, applicants[3])
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "vouch_quota_exceeded" and body["quota"] == 3
    assert 29 * 86400 < body["retry_after"] <= 30 * 86400
    assert applicants[3].vouches.count() == 0
    # A vouch older than 30 days no longer counts.
    Vouch.objects.filter(voucher=member).update(created_at=timezone.now() - timedelta(days=31))
    assert _vouch(client, applicants[3]).status_code == 201


def test_vouching_twice_or_for_a_verified_member(client_for, applicant, member, saint_malo, settings):
    settings.TRUST_VOUCHES_NEEDED = 2
    client = client_for(member)
    assert _vouch(client, _membership(applicant)).status_code == 201
    again = _vouch(client, _membership(applicant))
    assert again.status_code == 409 and again.json()["code"] == "already_vouched"
    verified = make_user("verified@example.org")
    response = _vouch(client, make_membership(verified, saint_malo, state="verified"))
    assert response.status_code == 409 and response.json()["code"] == "not_pending"
    assert Vouch.objects.count() == 1


def test_vouches_of_a_revoked_member_stop_counting(client_for, applicant, member, moderator, saint_malo, settings):
    settings.TRUST_VOUCHES_NEEDED = 2
    second = make_user("second@example.org")
    make_membership(second, saint_malo, state="verified")
    _vouch(client_for(member), _membership(applicant))
    revoke = client_for(moderator).post(
        f"/api/v1/trust/memberships/{_membership(member).id}/revoke/", {"reason": "Faux profil"}, format="json"
    )
    assert revoke.status_code == 200
    response = _vouch(client_for(second), _membership(applicant))
    assert (response.json()["state"], response.json()["counting_vouches"]) == ("pending", 1)
    chain = client_for(moderator).get(f"/api/v1/trust/memberships/{_membership(applicant).id}/").json()["vouched_by"]
    assert [(row["display_name"], row["counts"]) for row in chain] == [("Marc", False), ("Second", True)]


def test_moderators_see_the_cooptation_chain(client_for, applicant, member, moderator):
    _vouch(client_for(member), _membership(applicant))
    applicant_view = client_for(moderator).get(f"/api/v1/trust/memberships/{_membership(applicant).id}/").json()
    assert applicant_view["vouched_by"][0] == {
        **applicant_view["vouched_by"][0],
        "voucher_id": member.id,
        "display_name": "Marc",
        "voucher_membership_id": _membership(member).id,
        "voucher_route": "proof",
        "counts": True,
    }
    voucher_view = client_for(moderator).get(f"/api/v1/trust/memberships/{_membership(member).id}/").json()
    assert [(row["display_name"], row["state"]) for row in voucher_view["vouched_for"]] == [("Ada", "verified")]


# Letter code


def _issue(client, membership):
    return client.post(f"/api/v1/trust/memberships/{membership.id}/letter-code/")


def _redeem(client, membership, code):
    return client.post(f"/api/v1/trust/memberships/{membership.id}/letter-code/redeem/", {"code": code}, format="json")


def test_letter_code_route_end_to_end(client_for, applicant, moderator):
    applicant.language = "fr"
    applicant.save()
    membership = _membership(applicant)
    issued = _issue(client_for(moderator), membership)
    assert issued.status_code == 201
    body = issued.json()
    assert body["code"] in body["letter"]
    assert body["letter"].startswith("Ada\n12 Grande Rue\n35400 Saint-Malo") and "Bonjour Ada" in body["letter"]
    assert body["code"].replace("-", "") not in LetterCode.objects.get().digest
    response = _redeem(client_for(applicant), membership, body["code"].lower())
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["route"]) == ("verified", "letter")
    used = _redeem(client_for(applicant), membership, body["code"])
    assert used.status_code == 409 and used.json()["code"] == "code_used"
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["code_issued", "code_used", "verify"]


def test_guessing_codes_locks_the_application_after_five(client_for, applicant, moderator):
    membership = _membership(applicant)
    code = _issue(client_for(moderator), membership).json()["code"]
    client = client_for(applicant)
    for attempts_left in (4, 3, 2, 1):
        response = _redeem(client, membership, "ZZZZ-ZZZZ")
        assert response.status_code == 422
        assert response.json()["code"] == "code_invalid" and response.json()["attempts_left"] == attempts_left
    fifth = _redeem(client, membership, "ZZZZ-ZZZZ")
    assert fifth.status_code == 423 and fifth.json()["code"] == "code_locked"
    right_too_late = _redeem(client, membership, code)
    assert right_too_late.status_code == 423
    assert _membership(applicant).state == "pending"
    assert AuditEntry.objects.filter(action="code_failed").count() == 5
    # A new letter replaces the locked code.
    new_code = _issue(client_for(moderator), membership).json()["code"]
    assert _redeem(client, membership, code).json()["code"] == "code_invalid"
    assert _redeem(client, membership, new_code).status_code == 200


def test_an_expired_code(client_for, applicant, moderator):
    membership = _membership(applicant)
    code = _issue(client_for(moderator), membership).json()["code"]
    LetterCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _redeem(client_for(applicant), membership, code)
    assert response.status_code == 410 and response.json()["code"] == "code_expired"
    assert _membership(applicant).state == "pending"


def test_redeeming_without_a_letter(client_for, applicant):
    response = _redeem(client_for(applicant), _membership(applicant), "ABCD-EFGH")
    assert response.status_code == 404 and response.json()["code"] == "no_code"


def test_codes_expire_after_thirty_days(client_for, applicant, moderator):
    expires_at = _issue(client_for(moderator), _membership(applicant)).json()["expires_at"]
    code = LetterCode.objects.get()
    assert code.expires_at - code.issued_at == timedelta(days=30)
    assert expires_at.startswith(timezone.localtime(code.expires_at).date().isoformat())


# Reject and revoke


def test_moderator_rejects_an_application_with_a_reason(client_for, applicant, moderator, django_capture_on_commit_callbacks):
    membership = _membership(applicant)
    _upload(client_for(applicant), membership, PDF)
    client = client_for(moderator)
    missing = client.post(f"/api/v1/trust/memberships/{membership.id}/reject/", {}, format="json")
    assert missing.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/trust/memberships/{membership.id}/reject/", {"reason": "Adresse hors quartier"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["reason"]) == ("rejected", "Adresse hors quartier")
    assert body["proofs"][0]["state"] == "withdrawn" and _private_files() == []
    assert client_for(applicant).get("/api/v1/auth/me/").json()["membership"]["state"] == "rejected"


def test_staff_revoke_a_member(client_for, member, staff):
    membership = _membership(member)
    response = client_for(staff).post(f"/api/v1/trust/memberships/{membership.id}/revoke/", {"reason": "Spam"}, format="json")
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.state == "revoked"
    entry = AuditEntry.objects.get(action="revoke")
    assert (entry.actor, entry.subject, entry.reason, entry.neighbourhood_id) == (
        staff,
        member,
        "Spam",
        membership.neighbourhood_id,
    )


def test_revoking_a_pending_applicant_is_refused(client_for, applicant, moderator):
    response = client_for(moderator).post(
        f"/api/v1/trust/memberships/{_membership(applicant).id}/revoke/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "not_verified"


def test_unknown_membership(client_for, moderator):
    response = client_for(moderator).post("/api/v1/trust/memberships/999999/reject/", {"reason": "x"}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# What members see of each other


def test_members_see_display_names_and_streets_only(client_for, member, applicant, outsider, saint_malo):
    members = client_for(member).get(f"/api/v1/trust/neighbourhoods/{saint_malo.id}/members/").json()
    assert members == [
        {"membership_id": member.memberships.get().id, "user_id": member.id, "display_name": "Marc",
         "street": "Rue de Dinan", "verified_at": members[0]["verified_at"]}
    ]
    applicants = client_for(member).get(f"/api/v1/trust/neighbourhoods/{saint_malo.id}/applicants/").json()
    assert [(row["display_name"], row["street"], row["vouched_by_me"]) for row in applicants] == [
        ("Ada", "Grande Rue", False)
    ]
    for row in applicants + members:
        assert not {"number", "latitude", "longitude", "postcode", "address"} & set(row)


def test_a_member_of_another_neighbourhood_sees_nothing(client_for, outsider, saint_malo):
    response = client_for(outsider).get(f"/api/v1/trust/neighbourhoods/{saint_malo.id}/members/")
    assert response.status_code == 403 and response.json()["code"] == "not_member"


def test_french_user_gets_french_errors(client_for, outsider, applicant):
    outsider.language = "fr"
    outsider.save()
    response = _vouch(client_for(outsider), _membership(applicant))
    assert response.json()["message"] == "Cette personne habite un autre quartier."


def test_apply_in_dinard_lands_in_dinard(client_for, dinard):
    zoe = make_user("zoe@example.org")
    response = client_for(zoe).post(
        "/api/v1/trust/memberships/",
        {**ADDRESS, "latitude": INSIDE_DINARD[0], "longitude": INSIDE_DINARD[1]},
        format="json",
    )
    assert response.json()["neighbourhood"]["slug"] == "dinard"


@pytest.mark.parametrize("endpoint", ["reject", "letter-code/redeem"])
def test_malformed_json_on_trust_endpoints_changes_nothing(client_for, applicant, moderator, endpoint):
    user = moderator if endpoint == "reject" else applicant
    response = client_for(user).post(
        f"/api/v1/trust/memberships/{_membership(applicant).id}/{endpoint}/",
        data="{'reason': 'single quotes'}",
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "malformed_json"
    assert _membership(applicant).state == "pending" and not AuditEntry.objects.exists()
