"""Trust decisions that hold and explain themselves (backend/trust/services.py): a
revocation no vouch or letter undoes, the vouch chain, reinstatement, every decision's
reason kept and told to its subject, moderators who stop being members, staff anywhere.
Over the REST API, as the app calls it."""

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from backend.neighbourhoods.models import Neighbourhood
from backend.trust import services
from backend.trust.models import AuditEntry, Membership, Vouch
from tests.conftest import INSIDE_DINARD, INSIDE_SAINT_MALO, make_membership, make_user

pytestmark = pytest.mark.django_db

APPLY_BODY = {"street": "Rue de Toulouse", "number": "5", "postcode": "35400", "city": "Saint-Malo",
              "latitude": INSIDE_SAINT_MALO[0], "longitude": INSIDE_SAINT_MALO[1]}


def alerts(user) -> list[tuple[str, dict]]:
    """The urgent pushes enqueued for her: (text key, params)."""
    rows = DBTaskResult.objects.filter(task_path="backend.push.tasks.user_alert").order_by("enqueued_at")
    return [(r.args_kwargs["args"][1], r.args_kwargs["args"][2]) for r in rows if r.args_kwargs["args"][0] == user.pk]


def snapshot() -> tuple:
    return (
        dict(Membership.objects.values_list("id", "state")),
        AuditEntry.objects.count(),
        Vouch.objects.count(),
        list(Neighbourhood.moderators.through.objects.values_list("user_id", "neighbourhood_id").order_by("pk")),
    )


def revoke(client, membership_id: int, **body):
    return client.post(f"/api/v1/trust/memberships/{membership_id}/revoke/", {"reason": "Fausse adresse", **body},
                       format="json")


def verified_by_vouch(voucher, email: str, neighbourhood):
    membership = make_membership(make_user(email, name=email.split("@")[0].title()), neighbourhood)
    services.vouch_create(voucher=voucher, membership=membership)
    membership.refresh_from_db()
    assert membership.state == "verified" and membership.route == "vouch"
    return membership


# A revocation holds


@pytest.mark.parametrize("how", ["trust_revoke", "moderation_ban"])
def test_a_revoked_member_cannot_come_back_by_applying(client_for, member, moderator, saint_malo, how):
    membership = Membership.objects.get(user=member)
    if how == "trust_revoke":
        assert revoke(client_for(moderator), membership.id).status_code == 200
    else:
        banned = client_for(moderator).post(
            f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/members/{member.id}/ban/", {"reason": "Insultes"},
            format="json")
        assert banned.status_code == 200
    before = snapshot()
    again = client_for(member).post("/api/v1/trust/memberships/", APPLY_BODY, format="json")
    assert again.status_code == 403
    body = again.json()
    assert body["code"] == "banned" and body["neighbourhood"] == saint_malo.name and "appeal" in body["message"].lower()
    assert snapshot() == before


def test_neither_a_vouch_nor_a_letter_verifies_someone_revoked_there(client_for, member, moderator, saint_malo):
    """Even an application that slipped past the refusal (made before this rule) cannot
    be verified by a neighbour or a letter code."""
    friend = make_user("friend@example.org")
    make_membership(friend, saint_malo, state="revoked")
    pending = make_membership(friend, saint_malo)
    code = services.letter_code_issue(actor=moderator, membership=pending).code
    before = snapshot()
    vouched = client_for(member).post(f"/api/v1/trust/memberships/{pending.id}/vouches/")
    assert vouched.status_code == 403 and vouched.json()["code"] == "banned"
    redeemed = client_for(friend).post(f"/api/v1/trust/memberships/{pending.id}/letter-code/redeem/", {"code": code},
                                       format="json")
    assert redeemed.status_code == 403 and redeemed.json()["code"] == "banned"
    assert snapshot() == before


def test_a_rejected_applicant_may_apply_again(client_for, applicant, moderator):
    membership = Membership.objects.get(user=applicant)
    rejected = client_for(moderator).post(f"/api/v1/trust/memberships/{membership.id}/reject/",
                                          {"reason": "Justificatif illisible"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["reason"] == "Justificatif illisible"
    assert client_for(applicant).post("/api/v1/trust/memberships/", APPLY_BODY, format="json").status_code == 201


def test_only_a_moderator_s_reinstatement_lets_her_back(client_for, member, moderator, applicant):
    membership = Membership.objects.get(user=member)
    revoke(client_for(moderator), membership.id)
    for who in (member, applicant):
        refused = client_for(who).post(f"/api/v1/trust/memberships/{membership.id}/reinstate/", {"reason": "Moi"},
                                       format="json")
        assert refused.status_code == 403
    back = client_for(moderator).post(f"/api/v1/trust/memberships/{membership.id}/reinstate/",
                                      {"reason": "Erreur de ma part"}, format="json")
    assert back.status_code == 200 and back.json()["state"] == "verified"
    again = client_for(moderator).post(f"/api/v1/trust/memberships/{membership.id}/reinstate/", {"reason": "Encore"},
                                       format="json")
    assert again.status_code == 409 and again.json()["code"] == "not_revoked"
    assert AuditEntry.objects.filter(membership=membership, action="reinstate", reason="Erreur de ma part").exists()
    assert ("membership_reinstated", {"neighbourhood": "Saint-Malo", "reason": "Erreur de ma part"}) in alerts(member)


def test_a_revocation_is_appealed_as_a_ban_is(client_for, member, moderator, saint_malo):
    membership = Membership.objects.get(user=member)
    revoke(client_for(moderator), membership.id)
    decisions = client_for(member).get("/api/v1/moderation/decisions/").json()
    assert [(d["kind"], d["reason"], d["actor_id"]) for d in decisions] == [("revoke", "Fausse adresse", moderator.pk)]
    appealed = client_for(member).post(f"/api/v1/moderation/decisions/{decisions[0]['id']}/appeal/",
                                       {"text": "J'habite bien ici"}, format="json")
    assert appealed.status_code == 201
    own = client_for(moderator).post(f"/api/v1/moderation/appeals/{appealed.json()['id']}/decide/",
                                     {"grant": True, "reason": "Moi"}, format="json")
    assert own.status_code == 403 and own.json()["code"] == "own_action"
    colleague = make_user("colleague@example.org", name="Colette")
    saint_malo.moderators.add(colleague)
    granted = client_for(colleague).post(f"/api/v1/moderation/appeals/{appealed.json()['id']}/decide/",
                                         {"grant": True, "reason": "Justificatif vérifié"}, format="json")
    assert granted.status_code == 200
    assert Membership.objects.get(pk=membership.pk).state == "verified"
    assert ("moderation_appeal_granted", {"reason": "Justificatif vérifié"}) in alerts(member)
    # The neighbourhood's log shows the revocation once: trust's entry.
    log = client_for(colleague).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/log/").json()
    assert [(e["source"], e["kind"]) for e in log if e["kind"] == "revoke"] == [("trust", "revoke")]


def test_a_revocation_that_rolls_back_leaves_no_push_and_no_decision(member, moderator):
    from django.db import transaction

    from backend.moderation.models import Action

    membership = Membership.objects.get(user=member)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.membership_revoke(actor=moderator, membership=membership, reason="Fausse adresse")
        raise RuntimeError("the request failed after the decision")
    assert Membership.objects.get(pk=membership.pk).state == "verified"
    assert alerts(member) == [] and not Action.objects.exists()
    assert not AuditEntry.objects.filter(membership=membership, action="revoke").exists()


def test_a_ban_pushes_its_reason(client_for, member, moderator, saint_malo):
    from backend.push import domain as push_domain

    client_for(moderator).post(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/members/{member.id}/ban/",
                               {"reason": "Insultes répétées"}, format="json")
    assert alerts(member) == [("moderation_ban", {"reason": "Insultes répétées"})]
    assert "Insultes répétées" in push_domain.text("moderation_ban_body", "fr", reason="Insultes répétées")


def test_a_reinstatement_cannot_open_a_second_membership(client_for, member, moderator, dinard):
    membership = Membership.objects.get(user=member)
    revoke(client_for(moderator), membership.id)
    make_membership(member, dinard)
    refused = client_for(moderator).post(f"/api/v1/trust/memberships/{membership.id}/reinstate/", {"reason": "x"},
                                         format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "already_member"


# The vouch chain


@pytest.fixture
def chain(saint_malo, member):
    """Marc vouched for Alma (his vouch her only way in) and for Chris (verified by proof
    afterwards), and Wendy vouched for nobody."""
    alma = verified_by_vouch(member, "alma@example.org", saint_malo)
    chris = make_membership(make_user("chris@example.org", name="Chris"), saint_malo)
    with override_settings(TRUST_VOUCHES_NEEDED=2):
        services.vouch_create(voucher=member, membership=chris)
    Membership.objects.filter(pk=chris.pk).update(state="verified", route="proof")
    return {"alma": alma, "chris": chris}


def test_the_moderator_sees_whom_he_vouched_for_before_deciding(client_for, member, moderator, chain):
    membership = Membership.objects.get(user=member)
    links = client_for(moderator).get(f"/api/v1/trust/memberships/{membership.id}/").json()["chain"]
    assert [(link["user"]["display_name"], link["state"], link["only_route"]) for link in links] == [
        ("Alma", "verified", True), ("Chris", "verified", False)]
    assert all(link["vouched_at"] for link in links)


def test_revoking_with_the_chain_sends_back_those_he_alone_let_in(client_for, member, moderator, chain):
    membership = Membership.objects.get(user=member)
    answer = revoke(client_for(moderator), membership.id, chain=True)
    assert answer.status_code == 200
    assert {link["user"]["display_name"]: link["state"] for link in answer.json()["chain"]} == {
        "Alma": "pending", "Chris": "verified"}
    alma = Membership.objects.get(pk=chain["alma"].pk)
    assert (alma.state, alma.route) == ("pending", None)
    assert list(AuditEntry.objects.filter(membership=alma, action="chain_reverify").values_list("reason", flat=True)) \
        == ["Fausse adresse"]
    [(key, params)] = alerts(alma.user)[-1:]
    assert key == "membership_reverify" and params["reason"] == "Fausse adresse"
    # She verifies again by any route, for instance a new vouch.
    services.vouch_create(voucher=make_verified("wendy@example.org", alma.neighbourhood), membership=alma)
    assert Membership.objects.get(pk=alma.pk).state == "verified"


def make_verified(email: str, neighbourhood):
    user = make_user(email)
    make_membership(user, neighbourhood, state="verified")
    return user


def test_revoking_without_the_chain_changes_nothing_for_them(client_for, member, moderator, chain):
    membership = Membership.objects.get(user=member)
    links = revoke(client_for(moderator), membership.id).json()["chain"]
    assert [link["state"] for link in links] == ["verified", "verified"]
    assert Membership.objects.get(pk=chain["alma"].pk).state == "verified"


def test_revoking_with_the_chain_twice_or_from_elsewhere_changes_nothing(client_for, member, moderator, chain, dinard):
    membership = Membership.objects.get(user=member)
    elsewhere = make_user("dinard-mod@example.org")
    dinard.moderators.add(elsewhere)
    before = snapshot()
    refused = revoke(client_for(elsewhere), membership.id, chain=True)
    assert refused.status_code == 403 and refused.json()["code"] == "not_moderator"
    assert snapshot() == before
    assert revoke(client_for(moderator), membership.id, chain=True).status_code == 200
    before = snapshot()
    twice = revoke(client_for(moderator), membership.id, chain=True)
    assert twice.status_code == 409 and twice.json()["code"] == "not_verified"
    assert snapshot() == before


def test_a_ban_can_take_the_chain_too(client_for, member, moderator, chain, saint_malo):
    banned = client_for(moderator).post(
        f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/members/{member.id}/ban/",
        {"reason": "Faux comptes", "chain": True}, format="json")
    assert banned.status_code == 200
    assert Membership.objects.get(pk=chain["alma"].pk).state == "pending"
    # The ban is told by moderation's notice, not a second time by trust.
    assert [key for key, _ in alerts(member)] == ["moderation_ban"]


# Every decision says why


def test_an_approval_keeps_its_reason(client_for, applicant, moderator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    membership = Membership.objects.get(user=applicant)
    proof = services.proof_upload(actor=applicant, membership=membership,
                                  upload=SimpleUploadedFile("p.pdf", b"%PDF-1.4\n%%EOF\n"))
    answer = client_for(moderator).post(f"/api/v1/trust/proofs/{proof.id}/review/",
                                        {"decision": "approve", "reason": "Facture EDF au bon nom"}, format="json")
    assert answer.status_code == 200 and answer.json()["reason"] == "Facture EDF au bon nom"
    assert set(AuditEntry.objects.filter(membership=membership, action__in=["approve", "verify"])
               .values_list("action", "reason")) == {("approve", "Facture EDF au bon nom"),
                                                     ("verify", "Facture EDF au bon nom")}
    assert alerts(applicant) == [("membership_verified", {"neighbourhood": "Saint-Malo",
                                                          "reason": "Facture EDF au bon nom"})]


def test_each_decision_reaches_her_phone_in_her_language(member, moderator, applicant):
    from backend.push import domain

    member.language = "fr"
    member.save()
    services.membership_revoke(actor=moderator, membership=Membership.objects.get(user=member), reason="Spam répété")
    services.membership_reject(actor=moderator, membership=Membership.objects.get(user=applicant), reason="Hors zone")
    assert alerts(member) == [("membership_revoked", {"neighbourhood": "Saint-Malo", "reason": "Spam répété"})]
    assert alerts(applicant) == [("membership_rejected", {"neighbourhood": "Saint-Malo", "reason": "Hors zone"})]
    body = domain.text("membership_revoked_body", member.language, neighbourhood="Saint-Malo", reason="Spam répété")
    assert body == "Les modérateurs ont mis fin à votre adhésion à Saint-Malo. Motif : Spam répété"


# Moderators who stop being members, and nobody decides on herself


def test_nobody_revokes_herself(client_for, moderator, saint_malo):
    own = make_membership(moderator, saint_malo, state="verified")
    before = snapshot()
    refused = revoke(client_for(moderator), own.id)
    assert refused.status_code == 403 and refused.json()["code"] == "self_decision"
    assert snapshot() == before


def test_a_revoked_moderator_stops_moderating_at_once(client_for, moderator, saint_malo):
    own = make_membership(moderator, saint_malo, state="verified")
    colleague = make_user("colleague@example.org", name="Colette")
    saint_malo.moderators.add(colleague)
    assert revoke(client_for(colleague), own.id).status_code == 200
    assert client_for(moderator).get("/api/v1/auth/me/").json()["moderates"] == []
    queue = client_for(moderator).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/reports/")
    assert queue.status_code == 403
    assert AuditEntry.objects.filter(membership=own, action="moderator_removed").exists()
    assert ("membership_moderator_removed", {"neighbourhood": "Saint-Malo", "reason": ""}) in alerts(moderator)


def test_staff_keep_their_rights_when_revoked_as_residents(client_for, staff, moderator, saint_malo):
    saint_malo.moderators.add(staff)
    own = make_membership(staff, saint_malo, state="verified")
    assert revoke(client_for(moderator), own.id).status_code == 200
    assert client_for(staff).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/reports/").status_code == 200


def test_a_moderator_who_never_lived_there_keeps_moderating(moderator, saint_malo, member):
    services.membership_revoke(actor=moderator, membership=Membership.objects.get(user=member), reason="x")
    assert saint_malo.moderators.filter(pk=moderator.pk).exists()


# Staff act anywhere


def test_staff_open_a_neighbourhood_with_no_member_and_no_moderator(client_for, staff, dinard):
    assert not dinard.moderators.exists() and not dinard.memberships.exists()
    first = make_user("first@example.org")
    membership = make_membership(first, dinard, at=INSIDE_DINARD)
    issued = client_for(staff).post(f"/api/v1/trust/memberships/{membership.id}/letter-code/")
    assert issued.status_code == 201
    redeemed = client_for(first).post(f"/api/v1/trust/memberships/{membership.id}/letter-code/redeem/",
                                      {"code": issued.json()["code"]}, format="json")
    assert redeemed.status_code == 200 and redeemed.json()["state"] == "verified"
