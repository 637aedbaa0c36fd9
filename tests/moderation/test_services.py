import pytest
from django.utils import timezone

from backend.chat import frames
from backend.chat.models import Message, Room
from backend.chat.services import message_post, room_direct_open, rooms_ensure_default
from backend.common.errors import VoisinsError
from backend.moderation import services
from backend.moderation.models import Action, Report
from backend.trust.models import Membership
from tests.conftest import make_membership, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return Room.objects.get(neighbourhood=saint_malo, kind="default")


@pytest.fixture
def neighbours(saint_malo):
    people = []
    for name in ("nina", "olga", "paul"):
        user = make_user(f"{name}@example.org", name=name.title())
        make_membership(user, saint_malo, state="verified")
        people.append(user)
    return people


@pytest.fixture
def second_moderator(saint_malo):
    user = make_user("mod2@example.org", name="Mo")
    saint_malo.moderators.add(user)
    return user


def rude(member, room, ref="r1"):
    ack = message_post(author=member, room_id=room.id, text="Texte injurieux", client_id=ref)
    return Message.objects.get(pk=ack.message_id)


def seen(message, *, full=False):
    message.refresh_from_db()
    return frames.message_body(message, [], full=full)


def test_a_report_counts_once_and_three_hide_the_message_from_residents(member, neighbours, room):
    message = rude(member, room)
    nina, olga, paul = neighbours
    report, created = services.report_create(reporter=nina, message_id=message.pk, category="harassment", text="Insulte")
    again, created_again = services.report_create(reporter=nina, message_id=message.pk, category="spam")
    assert created and not created_again and again.pk == report.pk and Report.objects.count() == 1
    services.report_create(reporter=olga, message_id=message.pk, category="harassment")
    assert not seen(message)["hidden"]
    services.report_create(reporter=paul, message_id=message.pk, category="harassment")
    assert (seen(message)["hidden"], seen(message)["text"]) == (True, "")
    assert seen(message, full=True)["text"] == "Texte injurieux"  # moderators still read it


def test_what_cannot_be_reported(member, outsider, room):
    message = rude(member, room)
    for reporter, kwargs, code in (
        (member, {"message_id": message.pk}, "report_own"),
        (outsider, {"message_id": message.pk}, "message_not_found"),
        (outsider, {"member_id": member.pk}, "not_found"),
        (member, {"message_id": message.pk, "member_id": outsider.pk}, "report_one_thing"),
    ):
        with pytest.raises(VoisinsError) as refusal:
            services.report_create(reporter=reporter, category="spam", **kwargs)
        assert refusal.value.code == code
    assert not Report.objects.exists()


def test_a_moderator_removes_with_a_reason_and_can_restore(member, neighbours, moderator, room, django_capture_on_commit_callbacks):
    message = rude(member, room)
    report, _ = services.report_create(reporter=neighbours[0], message_id=message.pk, category="harassment")
    with pytest.raises(VoisinsError) as refusal:
        services.message_remove(actor=moderator, message_id=message.pk, reason="  ")
    assert refusal.value.code == "reason_required" and seen(message)["deleted"] is False
    with django_capture_on_commit_callbacks(execute=False) as published:
        action = services.message_remove(actor=moderator, message_id=message.pk, reason="Insulte")
    assert published  # the removal reaches the sockets on commit
    body = seen(message)
    assert (body["deleted"], body["removed"], body["text"]) == (True, True, "")
    assert Message.objects.get(pk=message.pk).text == "Texte injurieux"  # kept for the audit
    assert (action.kind, action.subject_id, action.reason) == ("remove", member.id, "Insulte")
    report.refresh_from_db()
    assert report.status == "upheld"
    with pytest.raises(VoisinsError) as refusal:
        services.message_remove(actor=moderator, message_id=message.pk, reason="encore")
    assert refusal.value.code == "already_removed"
    services.message_restore(actor=moderator, message_id=message.pk, reason="Erreur de ma part")
    assert seen(message)["text"] == "Texte injurieux"


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_only_the_neighbourhoods_moderators_act(request, member, room, dinard, who):
    message = rude(member, room)
    other_moderator = make_user("dinard-mod@example.org")
    dinard.moderators.add(other_moderator)
    for actor in (request.getfixturevalue(who), other_moderator):
        with pytest.raises(VoisinsError) as refusal:
            services.message_remove(actor=actor, message_id=message.pk, reason="non")
        assert refusal.value.code == "not_moderator"
    assert not Action.objects.exists() and seen(message)["deleted"] is False


def test_direct_conversations_stay_private_until_reported(member, neighbours, moderator, saint_malo):
    nina = neighbours[0]
    direct = room_direct_open(actor=member, other_id=nina.id)
    message = rude(member, direct)
    with pytest.raises(VoisinsError) as refusal:
        services.message_remove(actor=moderator, message_id=message.pk, reason="Insulte")
    assert refusal.value.code == "message_not_found"
    services.report_create(reporter=nina, message_id=message.pk, category="harassment")
    services.message_remove(actor=moderator, message_id=message.pk, reason="Insulte")
    assert seen(message)["removed"]


def test_a_muted_member_cannot_send_until_the_mute_ends(member, moderator, staff, room, saint_malo):
    services.member_mute(actor=moderator, user_id=member.id, neighbourhood_id=saint_malo.id, minutes=60, reason="Spam")
    with pytest.raises(VoisinsError) as refusal:
        message_post(author=member, room_id=room.id, text="encore", client_id="m")
    assert refusal.value.code == "muted" and "until" in refusal.value.params
    Membership.objects.filter(user=member).update(muted_until=timezone.now())
    message_post(author=member, room_id=room.id, text="encore", client_id="m")
    for minutes in (1, 60 * 24 * 91):
        with pytest.raises(VoisinsError) as refusal:
            services.member_mute(actor=moderator, user_id=member.id, neighbourhood_id=saint_malo.id, minutes=minutes, reason="x")
        assert refusal.value.code == "invalid_duration"


def test_staff_are_neither_muted_nor_banned(moderator, staff, saint_malo):
    saint_malo.moderators.add(staff)
    for act in (
        lambda: services.member_mute(actor=moderator, user_id=staff.id, neighbourhood_id=saint_malo.id, minutes=60, reason="x"),
        lambda: services.member_ban(actor=moderator, user_id=staff.id, neighbourhood_id=saint_malo.id, reason="x"),
    ):
        with pytest.raises(VoisinsError) as refusal:
            act()
        assert refusal.value.code == "cannot_moderate_staff"
    assert not Action.objects.exists()


def test_a_ban_revokes_the_membership_and_an_appeal_to_another_moderator_undoes_it(
    member, moderator, second_moderator, saint_malo
):
    ban = services.member_ban(actor=moderator, user_id=member.id, neighbourhood_id=saint_malo.id, reason="Menaces")
    assert Membership.objects.get(user=member).state == "revoked"
    appeal = services.appeal_create(appellant=member, action_id=ban.pk, text="Un malentendu")
    with pytest.raises(VoisinsError) as refusal:
        services.appeal_create(appellant=member, action_id=ban.pk, text="Encore")
    assert refusal.value.code == "already_appealed"
    with pytest.raises(VoisinsError) as refusal:
        services.appeal_decide(actor=moderator, appeal_id=appeal.pk, grant=True, reason="Je reviens dessus")
    assert refusal.value.code == "own_action"
    decision = services.appeal_decide(actor=second_moderator, appeal_id=appeal.pk, grant=True, reason="Malentendu avéré")
    assert decision.kind == "appeal_granted" and Membership.objects.get(user=member).state == "verified"
    with pytest.raises(VoisinsError) as refusal:
        services.appeal_decide(actor=second_moderator, appeal_id=appeal.pk, grant=False, reason="x")
    assert refusal.value.code == "appeal_decided"


def test_only_the_member_concerned_appeals(member, neighbours, moderator, room):
    message = rude(member, room)
    removal = services.message_remove(actor=moderator, message_id=message.pk, reason="Insulte")
    with pytest.raises(VoisinsError) as refusal:
        services.appeal_create(appellant=neighbours[0], action_id=removal.pk, text="Pas juste")
    assert refusal.value.code == "not_found"


def test_dismissing_a_report_shows_hidden_content_again(member, neighbours, moderator, room, settings):
    settings.MODERATION_HIDE_AFTER_REPORTS = 1
    message = rude(member, room)
    report, _ = services.report_create(reporter=neighbours[0], message_id=message.pk, category="other")
    assert seen(message)["hidden"]
    services.reports_dismiss(actor=moderator, report_id=report.pk, reason="Rien de grave")
    assert not seen(message)["hidden"] and Report.objects.get().status == "dismissed"


def test_an_appeal_granted_lifts_a_mute(member, moderator, second_moderator, room, saint_malo):
    mute = services.member_mute(actor=moderator, user_id=member.id, neighbourhood_id=saint_malo.id, minutes=600, reason="Spam")
    appeal = services.appeal_create(appellant=member, action_id=mute.pk, text="Ce n'était pas du spam")
    services.appeal_decide(actor=second_moderator, appeal_id=appeal.pk, grant=True, reason="Message légitime")
    message_post(author=member, room_id=room.id, text="merci", client_id="ok")
