"""Every trust endpoint against every kind of caller: who may, and that a refusal
changes nothing (no audit entry, no state change)."""

from dataclasses import dataclass
from typing import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from backend.accounts.services import token_create
from backend.trust import services
from backend.trust.models import AuditEntry, Membership, ProofOfAddress, Vouch
from tests.conftest import INSIDE_SAINT_MALO, make_membership, make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "applicant", "outsider", "member", "moderator", "staff"]
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 64


@dataclass
class World:
    saint_malo: object
    people: dict
    applicant_membership: Membership
    neighbour_membership: Membership  # a verified member of Saint-Malo whom someone may revoke


@pytest.fixture
def world(saint_malo, applicant, outsider, member, moderator, staff):
    neighbour = make_user("neighbour@example.org", name="Nina")
    return World(
        saint_malo=saint_malo,
        people={"anonymous": None, "applicant": applicant, "outsider": outsider, "member": member,
                "moderator": moderator, "staff": staff},
        applicant_membership=Membership.objects.get(user=applicant),
        neighbour_membership=make_membership(neighbour, saint_malo, state="verified"),
    )


def _proof(world: World) -> ProofOfAddress:
    return services.proof_upload(
        actor=world.people["applicant"],
        membership=world.applicant_membership,
        upload=SimpleUploadedFile("proof.pdf", PDF),
    )


def _revoke(world: World) -> Membership:
    return services.membership_revoke(
        actor=world.people["moderator"], membership=world.neighbour_membership, reason="Trop de spam"
    ).membership


def _code(world: World) -> str:
    return services.letter_code_issue(actor=world.people["moderator"], membership=world.applicant_membership).code


@dataclass
class Call:
    method: str
    path: Callable[[World, dict], str]
    body: Callable[[World, dict], dict | None] = lambda world, ctx: None
    setup: Callable[[World], dict] = lambda world: {}
    fmt: str = "json"


APPLY_BODY = {"street": "Rue de Toulouse", "number": "5", "postcode": "35400", "city": "Saint-Malo",
              "latitude": INSIDE_SAINT_MALO[0], "longitude": INSIDE_SAINT_MALO[1]}

CALLS = {
    "me": Call("get", lambda w, c: "/api/v1/auth/me/"),
    "lookup": Call("get", lambda w, c: f"/api/v1/neighbourhoods/lookup/?latitude={INSIDE_SAINT_MALO[0]}&longitude={INSIDE_SAINT_MALO[1]}"),
    "apply": Call("post", lambda w, c: "/api/v1/trust/memberships/", lambda w, c: APPLY_BODY),
    "membership": Call("get", lambda w, c: f"/api/v1/trust/memberships/{w.applicant_membership.id}/"),
    "proof_upload": Call(
        "post",
        lambda w, c: f"/api/v1/trust/memberships/{w.applicant_membership.id}/proofs/",
        lambda w, c: {"file": SimpleUploadedFile("proof.pdf", PDF)},
        fmt="multipart",
    ),
    "proof_file": Call("get", lambda w, c: f"/api/v1/trust/proofs/{c['proof'].id}/file/", setup=lambda w: {"proof": _proof(w)}),
    "proof_review": Call(
        "post",
        lambda w, c: f"/api/v1/trust/proofs/{c['proof'].id}/review/",
        lambda w, c: {"decision": "approve"},
        setup=lambda w: {"proof": _proof(w)},
    ),
    "vouch": Call("post", lambda w, c: f"/api/v1/trust/memberships/{w.applicant_membership.id}/vouches/"),
    "letter_code_issue": Call("post", lambda w, c: f"/api/v1/trust/memberships/{w.applicant_membership.id}/letter-code/"),
    "letter_code_redeem": Call(
        "post",
        lambda w, c: f"/api/v1/trust/memberships/{w.applicant_membership.id}/letter-code/redeem/",
        lambda w, c: {"code": c["code"]},
        setup=lambda w: {"code": _code(w)},
    ),
    "reject": Call(
        "post", lambda w, c: f"/api/v1/trust/memberships/{w.applicant_membership.id}/reject/", lambda w, c: {"reason": "Non"}
    ),
    "revoke": Call(
        "post", lambda w, c: f"/api/v1/trust/memberships/{w.neighbour_membership.id}/revoke/", lambda w, c: {"reason": "Non"}
    ),
    "reinstate": Call(
        "post", lambda w, c: f"/api/v1/trust/memberships/{w.neighbour_membership.id}/reinstate/",
        lambda w, c: {"reason": "Malentendu"}, setup=lambda w: {"revoked": _revoke(w)},
    ),
    "history": Call("get", lambda w, c: "/api/v1/trust/history/"),
    "members": Call("get", lambda w, c: f"/api/v1/trust/neighbourhoods/{w.saint_malo.id}/members/"),
    "applicants": Call("get", lambda w, c: f"/api/v1/trust/neighbourhoods/{w.saint_malo.id}/applicants/"),
}

# Expected status per role, in the order of ROLES:
#               anonymous applicant outsider member moderator staff
EXPECTED = {
    "me":                 (401, 200, 200, 200, 200, 200),
    "lookup":             (401, 200, 200, 200, 200, 200),
    "apply":              (401, 409, 409, 409, 201, 201),
    "membership":         (401, 200, 403, 403, 200, 200),
    "proof_upload":       (401, 201, 403, 403, 403, 403),
    "proof_file":         (401, 200, 403, 403, 200, 200),
    "proof_review":       (401, 403, 403, 403, 200, 200),
    "vouch":              (401, 403, 403, 201, 403, 403),
    "letter_code_issue":  (401, 403, 403, 403, 201, 201),
    "letter_code_redeem": (401, 200, 403, 403, 403, 403),
    "reject":             (401, 403, 403, 403, 200, 200),
    "revoke":             (401, 403, 403, 403, 200, 200),
    "reinstate":          (401, 403, 403, 403, 200, 200),
    "history":            (401, 200, 200, 200, 200, 200),
    "members":            (401, 403, 403, 200, 200, 200),
    "applicants":         (401, 403, 403, 200, 200, 200),
}

CASES = [
    pytest.param(name, role, status, id=f"{name}-{role}")
    for name, statuses in EXPECTED.items()
    for role, status in zip(ROLES, statuses)
]


def test_the_matrix_covers_every_trust_route():
    from django.urls import resolve

    from backend.trust import urls

    world = World(saint_malo=_Id(1), people={}, applicant_membership=_Id(1), neighbour_membership=_Id(1))
    context = {"proof": _Id(1)}
    covered = {resolve(call.path(world, context).split("?")[0]).url_name for call in CALLS.values()}
    assert {pattern.name for pattern in urls.urlpatterns} <= covered


@dataclass
class _Id:
    id: int


@pytest.mark.parametrize("name, role, expected", CASES)
def test_who_may_call_what(world, name, role, expected):
    call = CALLS[name]
    context = call.setup(world)
    client = APIClient()
    user = world.people[role]
    if user is not None:
        _, raw = token_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    states_before = dict(Membership.objects.values_list("id", "state"))
    audit_before = AuditEntry.objects.count()
    vouches_before = Vouch.objects.count()

    body = call.body(world, context)
    response = getattr(client, call.method)(call.path(world, context), body, format=call.fmt)

    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert response.json()["code"]
        assert dict(Membership.objects.values_list("id", "state")) == states_before
        assert AuditEntry.objects.count() == audit_before
        assert Vouch.objects.count() == vouches_before
