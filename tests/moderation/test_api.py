import pytest

from backend.chat.models import Message, Room
from backend.chat.services import message_post, rooms_ensure_default
from backend.moderation.models import Action, Report
from backend.trust.models import Membership
from tests.conftest import make_membership, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(member, saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    room = Room.objects.get(neighbourhood=saint_malo)
    return Message.objects.get(pk=message_post(author=member, room_id=room.id, text="Texte injurieux", client_id="x").message_id)


@pytest.fixture
def nina(saint_malo):
    user = make_user("nina@example.org", name="Nina")
    make_membership(user, saint_malo, state="verified")
    return user


def test_report_then_remove_then_appeal_over_rest(client_for, member, nina, moderator, staff, saint_malo, message):
    report = client_for(nina).post("/api/v1/moderation/reports/", {"message_id": message.pk, "category": "harassment",
                                                                  "text": "Insulte"}, format="json")
    assert report.status_code == 201
    again = client_for(nina).post("/api/v1/moderation/reports/", {"message_id": message.pk, "category": "spam"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == report.json()["id"] and Report.objects.count() == 1
    queue = client_for(moderator).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/reports/")
    assert [r["id"] for r in queue.json()] == [report.json()["id"]]
    assert client_for(staff).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/reports/").status_code == 200

    no_reason = client_for(moderator).post(f"/api/v1/moderation/messages/{message.pk}/remove/", {}, format="json")
    assert no_reason.status_code == 400 and Message.objects.get(pk=message.pk).removed_at is None
    removed = client_for(moderator).post(f"/api/v1/moderation/messages/{message.pk}/remove/", {"reason": "Insulte"}, format="json")
    assert removed.status_code == 200 and removed.json()["kind"] == "remove"
    twice = client_for(moderator).post(f"/api/v1/moderation/messages/{message.pk}/remove/", {"reason": "x"}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_removed"

    [decision] = client_for(member).get("/api/v1/moderation/decisions/").json()
    assert (decision["kind"], decision["appealed"]) == ("remove", False)
    appeal = client_for(member).post(f"/api/v1/moderation/decisions/{decision['id']}/appeal/", {"text": "Malentendu"}, format="json")
    assert appeal.status_code == 201
    second = client_for(member).post(f"/api/v1/moderation/decisions/{decision['id']}/appeal/", {"text": "Encore"}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "already_appealed"
    own = client_for(moderator).post(f"/api/v1/moderation/appeals/{appeal.json()['id']}/decide/",
                                     {"grant": True, "reason": "Je reviens dessus"}, format="json")
    assert own.status_code == 403 and own.json()["code"] == "own_action"
    granted = client_for(staff).post(f"/api/v1/moderation/appeals/{appeal.json()['id']}/decide/",
                                     {"grant": True, "reason": "Malentendu"}, format="json")
    assert granted.status_code == 200 and Message.objects.get(pk=message.pk).removed_at is None

    log = client_for(moderator).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/log/").json()
    assert [entry["kind"] for entry in log] == ["appeal_granted", "remove"]


def test_residents_and_other_moderators_neither_watch_nor_act(client_for, member, nina, saint_malo, dinard, message):
    other = make_user("dinard-mod@example.org")
    dinard.moderators.add(other)
    for user in (nina, other):
        client = client_for(user)
        assert client.get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/reports/").status_code == 403
        assert client.get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/log/").status_code == 403
        refused = client.post(f"/api/v1/moderation/messages/{message.pk}/remove/", {"reason": "x"}, format="json")
        assert refused.status_code == 403 and refused.json()["code"] == "not_moderator"
        muted = client.post(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/members/{member.id}/mute/",
                            {"minutes": 60, "reason": "x"}, format="json")
        assert muted.status_code == 403
    assert not Action.objects.exists()


def test_mute_and_ban_over_rest(client_for, member, moderator, staff, saint_malo):
    saint_malo.moderators.add(staff)
    base = f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/members"
    muted = client_for(moderator).post(f"{base}/{member.id}/mute/", {"minutes": 60, "reason": "Spam"}, format="json")
    assert muted.status_code == 200 and muted.json()["until"]
    staff_ban = client_for(moderator).post(f"{base}/{staff.id}/ban/", {"reason": "x"}, format="json")
    assert staff_ban.status_code == 403 and staff_ban.json()["code"] == "cannot_moderate_staff"
    banned = client_for(moderator).post(f"{base}/{member.id}/ban/", {"reason": "Menaces"}, format="json")
    assert banned.status_code == 200 and Membership.objects.get(user=member).state == "revoked"


def test_staff_read_the_log_in_the_admin_but_cannot_change_it(client, staff, moderator, member, saint_malo):
    from backend.moderation import services

    services.member_mute(actor=moderator, user_id=member.id, neighbourhood_id=saint_malo.id, minutes=60, reason="Spam")
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    page = client.get("/admin/moderation/action/")
    assert page.status_code == 200 and "Spam" in page.content.decode()
    action = Action.objects.get()
    assert client.post(f"/admin/moderation/action/{action.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Action.objects.filter(pk=action.pk).exists()


def test_the_log_shows_trust_decisions_beside_moderation_with_names(client_for, member, moderator, staff, saint_malo,
                                                                    applicant, message):
    from backend.moderation import services as moderation
    from backend.trust import services as trust
    from backend.trust.models import Membership

    trust.membership_reject(actor=moderator, membership=Membership.objects.get(user=applicant), reason="Hors zone")
    moderation.message_remove(actor=moderator, message_id=message.pk, reason="Insulte")
    log = client_for(moderator).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/log/").json()
    assert [(e["source"], e["kind"], e["actor"]["display_name"], e["subject"]["display_name"], e["reason"])
            for e in log[:2]] == [("moderation", "remove", "Morgane", member.display_name, "Insulte"),
                                  ("trust", "reject", "Morgane", "Ada", "Hors zone")]
    assert client_for(staff).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/log/").json() == log
    only_trust = client_for(moderator).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/log/?kind=reject").json()
    assert [e["kind"] for e in only_trust] == ["reject"]
    older = client_for(moderator).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/log/",
                                      {"before": log[0]["at"]}).json()
    assert older == log[1:]
    bad = client_for(moderator).get(f"/api/v1/moderation/neighbourhoods/{saint_malo.id}/log/?kind=nonsense")
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed"


def test_a_resident_reads_her_own_trust_history(client_for, applicant, moderator, member):
    from backend.trust import services as trust
    from backend.trust.models import Membership

    trust.membership_reject(actor=moderator, membership=Membership.objects.get(user=applicant), reason="Hors zone")
    history = client_for(applicant).get("/api/v1/trust/history/").json()
    assert [(e["kind"], e["reason"]) for e in history] == [("reject", "Hors zone")]
    assert client_for(member).get("/api/v1/trust/history/").json() == []


def test_a_report_is_dismissed_once(client_for, member, nina, moderator, message):
    from backend.moderation.models import Action

    report = client_for(nina).post("/api/v1/moderation/reports/", {"message_id": message.pk, "category": "spam"},
                                   format="json").json()
    first = client_for(moderator).post(f"/api/v1/moderation/reports/{report['id']}/dismiss/", {"reason": "RAS"},
                                       format="json")
    assert first.status_code == 200
    logged = Action.objects.count()
    again = client_for(moderator).post(f"/api/v1/moderation/reports/{report['id']}/dismiss/", {"reason": "RAS"},
                                       format="json")
    assert again.status_code == 409 and again.json()["code"] == "report_closed"
    assert Action.objects.count() == logged
