"""What organisations do and what residents send them, through the services."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from backend.chat.models import Message, Room
from backend.accounts.services import user_erase
from backend.chat.services import message_post
from backend.cities import selectors, services
from backend.cities.models import (
    Agent, AreaAlert, CivicReport, ConsultationAnswer, ReportChange, ReportNote, ReportSupport,
)
from backend.common.errors import VoisinsError
from backend.moderation import services as moderation_services
from backend.photos.models import Image
from tests.cities.conftest import IN_RESIDENCE, NEAR_POTHOLE, POTHOLE, image_of, make_agent, make_organisation
from tests.conftest import INSIDE_DINARD, NOWHERE, make_membership, make_user

pytestmark = pytest.mark.django_db


def default_room(neighbourhood):
    return Room.objects.get(neighbourhood=neighbourhood, kind="default")


def alert_tasks():
    return DBTaskResult.objects.filter(task_path="backend.push.tasks.people_alert")


# Announcements


def test_an_announcement_is_an_official_card_in_each_default_room(city, agent, saint_malo, dinard, member):
    city.neighbourhoods.add(dinard)
    image = image_of(agent.user)
    result = services.announcement_publish(agent=agent, client_id="a1", title="Travaux rue de Dinan",
                                           text="Du 3 au 7 mars.", image_ids=[image.pk])
    assert result.created
    for neighbourhood in (saint_malo, dinard):
        card = Message.objects.get(room=default_room(neighbourhood))
        assert card.author_id == city.voice_id and card.author.display_name == "Ville de Saint-Malo"
        assert card.text == "Travaux rue de Dinan"
        assert card.card["kind"] == "announcement"
        assert card.card["organisation"] == {"id": city.pk, "name": "Ville de Saint-Malo", "kind": "municipality"}
        assert card.card["neighbourhood_id"] == neighbourhood.pk
        assert [i["id"] for i in card.card["images"]] == [image.pk]
    # The organisation's voice reads nothing and is nobody's neighbour.
    assert not city.voice.is_active and not city.voice.memberships.exists()
    # The same client id again: the first one, nothing more.
    again = services.announcement_publish(agent=agent, client_id="a1", title="Autre chose")
    assert (again.created, again.item.pk) == (False, result.item.pk)
    assert Message.objects.filter(author=city.voice).count() == 2
    # Residents find it in their list (the feed shows it beside posts).
    assert [a.pk for a in selectors.announcements_for(neighbourhood_ids=[saint_malo.pk])] == [result.item.pk]


def test_an_announcement_goes_only_where_the_organisation_covers(city, agent, saint_malo, dinard):
    with pytest.raises(VoisinsError) as refused:
        services.announcement_publish(agent=agent, client_id="a1", title="Chez les voisins",
                                      neighbourhood_ids=[dinard.pk])
    assert refused.value.code == "outside_organisation_area"
    with pytest.raises(VoisinsError) as refused:
        services.announcement_publish(agent=agent, client_id="a2", title="Partout",
                                      neighbourhood_ids=[saint_malo.pk, dinard.pk])
    assert refused.value.code == "outside_organisation_area"
    assert not Message.objects.exists()


def test_an_announcement_with_seven_photos_or_someone_else_s_is_refused(city, agent, member):
    photos = [image_of(agent.user, n) for n in range(7)]
    with pytest.raises(VoisinsError) as refused:
        services.announcement_publish(agent=agent, client_id="a1", title="Fête", image_ids=[p.pk for p in photos])
    assert (refused.value.code, refused.value.params) == ("too_many_images", {"max": 6})
    with pytest.raises(VoisinsError) as refused:
        services.announcement_publish(agent=agent, client_id="a1", title="Fête", image_ids=[image_of(member).pk])
    assert refused.value.code == "image_not_found"
    assert not Message.objects.exists() and not Image.objects.exclude(attached_kind="").exists()


def test_residents_reply_in_the_thread_the_organisation_answers_and_moderators_hide(
    city, agent, saint_malo, member, nina, moderator
):
    announcement = services.announcement_publish(agent=agent, client_id="a1", title="Collecte des déchets").item
    room = default_room(saint_malo)
    card_id = announcement.cards.get().message_id
    question = message_post(author=member, room_id=room.pk, text="Et le verre ?", client_id="q1", reply_to_id=card_id)
    rude = message_post(author=nina, room_id=room.pk, text="Nul", client_id="q2", reply_to_id=card_id)
    message_post(author=nina, room_id=room.pk, text="Sans rapport", client_id="q3")  # not in the thread

    answer_id = services.announcement_reply(agent=agent, announcement_id=announcement.pk, reply_to=question.message_id,
                                            text="Le mardi.", client_id="r1")
    answer = Message.objects.get(pk=answer_id)
    assert (answer.author_id, answer.room_id, answer.reply_to_id) == (city.voice_id, room.pk, question.message_id)
    assert services.announcement_reply(agent=agent, announcement_id=announcement.pk, reply_to=question.message_id,
                                       text="Le mardi.", client_id="r1") == answer_id  # resent: the same

    moderation_services.message_remove(actor=moderator, message_id=rude.message_id, reason="Hors sujet")
    (card,) = selectors.thread(announcement=announcement)
    assert card["message_id"] == card_id
    assert [(r["text"], r["from_organisation"], r["author"]) for r in card["replies"]] == [
        ("Et le verre ?", False, "Marc"), ("Le mardi.", True, "Ville de Saint-Malo")]
    # A message outside the thread cannot be answered.
    with pytest.raises(VoisinsError) as refused:
        services.announcement_reply(agent=agent, announcement_id=announcement.pk, reply_to=rude.message_id, text="x",
                                    client_id="r2")
    assert refused.value.code == "invalid_reply"


def test_a_card_reaches_the_push_of_the_room_like_any_card(city, agent, saint_malo, member):
    services.announcement_publish(agent=agent, client_id="a1", title="Coupure de courant prévue")
    (task,) = DBTaskResult.objects.filter(task_path="backend.push.tasks.messages_push")
    [[room_id, _]] = task.args_kwargs["args"][0]
    assert room_id == default_room(saint_malo).pk


# Area alerts


def test_an_alert_is_pushed_urgently_to_its_neighbourhoods_and_pinned_until_it_expires(city, agent, saint_malo):
    now = timezone.now()
    alert = services.alert_publish(agent=agent, client_id="al1", title="Coupure d'eau", text="Rue de Toulouse",
                                   expires_at=now + timedelta(hours=6)).item
    (task,) = alert_tasks()
    assert task.args_kwargs["args"] == [[], [saint_malo.pk], "city_alert", {
        "organisation": "Ville de Saint-Malo", "title": "Coupure d'eau", "text": "Rue de Toulouse"},
        {"type": "city_alert", "alert_id": alert.pk}, f"city_alert:{alert.pk}"]
    assert selectors.current_alerts(neighbourhood_ids=[saint_malo.pk], now=now) == [alert]
    assert selectors.current_alerts(neighbourhood_ids=[saint_malo.pk], now=now + timedelta(hours=7)) == []


def test_the_daily_alert_limit_refuses_the_next_one_and_changes_nothing(city, agent):
    expires = timezone.now() + timedelta(hours=2)
    for n in range(3):
        services.alert_publish(agent=agent, client_id=f"al{n}", title=f"Alerte {n}", expires_at=expires)
    with pytest.raises(VoisinsError) as refused:
        services.alert_publish(agent=agent, client_id="al3", title="Une de trop", expires_at=expires)
    assert refused.value.code == "alert_limit_reached"
    assert refused.value.params["limit"] == 3 and 0 < refused.value.params["retry_after"] <= 24 * 3600
    assert AreaAlert.objects.count() == 3 and alert_tasks().count() == 3
    # A resend of one that went through is not a new alert.
    assert not services.alert_publish(agent=agent, client_id="al0", title="Alerte 0", expires_at=expires).created


def test_an_alert_needs_an_expiry_within_72_hours(city, agent):
    now = timezone.now()
    for expires, code in ((now - timedelta(minutes=1), "in_the_past"), (now + timedelta(hours=73), "alert_too_long")):
        with pytest.raises(VoisinsError) as refused:
            services.alert_publish(agent=agent, client_id="al", title="Tempête", expires_at=expires)
        assert refused.value.code == code
    assert not AreaAlert.objects.exists() and not alert_tasks().exists()


# Consultations


@pytest.fixture
def consultation(city, agent):
    return services.consultation_create(
        agent=agent, client_id="c1", question="Un marché le dimanche ?", answer_kind="choices",
        choices=["Oui", "Non"], closes_at=timezone.now() + timedelta(days=7),
    ).item


def test_one_answer_per_resident_and_aggregates_only(consultation, saint_malo, member, nina, outsider, agent):
    card = Message.objects.get(room=default_room(saint_malo))
    assert (card.card["kind"], card.card["choices"], card.author_id) == ("consultation", ["Oui", "Non"],
                                                                          consultation.organisation.voice_id)
    services.consultation_answer(user=member, consultation_id=consultation.pk, choice=0)
    services.consultation_answer(user=nina, consultation_id=consultation.pk, choice=1)
    with pytest.raises(VoisinsError) as refused:
        services.consultation_answer(user=member, consultation_id=consultation.pk, choice=1)
    assert refused.value.code == "already_answered"
    with pytest.raises(VoisinsError) as refused:  # lives elsewhere: does not even see it
        services.consultation_answer(user=outsider, consultation_id=consultation.pk, choice=1)
    assert refused.value.code == "consultation_not_found"
    assert list(ConsultationAnswer.objects.values_list("user_id", "choice").order_by("pk")) == [(member.pk, 0), (nina.pk, 1)]
    results = selectors.consultation_results(consultation=consultation, for_organisation=True)
    assert results == {"answers": 2, "choices": [{"label": "Oui", "count": 1}, {"label": "Non", "count": 1}],
                       "free_answers": None}


def test_an_answer_after_the_deadline_is_refused(consultation, member):
    consultation.closes_at = timezone.now() - timedelta(seconds=1)
    consultation.save()
    with pytest.raises(VoisinsError) as refused:
        services.consultation_answer(user=member, consultation_id=consultation.pk, choice=0)
    assert refused.value.code == "consultation_closed"
    assert not ConsultationAnswer.objects.exists()


def test_a_moderator_who_lives_elsewhere_reads_it_but_does_not_answer(consultation, moderator):
    with pytest.raises(VoisinsError) as refused:
        services.consultation_answer(user=moderator, consultation_id=consultation.pk, choice=0)
    assert refused.value.code == "not_member"


# Civic reports: where they go


def test_a_report_goes_to_the_organisation_covering_its_position(city, housing, member, report_of):
    assert report_of(member, at=POTHOLE).organisation == city
    assert report_of(member, at=IN_RESIDENCE).organisation == housing  # the residence is more specific
    assert ReportChange.objects.filter(status="received", by_reporter=True).count() == 2


def test_outside_any_organisation_a_report_is_kept_with_none_and_adopted_later(saint_malo, member, report_of, staff):
    report = report_of(member)
    assert report.organisation is None and report.status == "received"
    city = make_organisation("Ville de Saint-Malo", neighbourhoods=[saint_malo], verified=False)
    services.organisation_verify(actor=staff, organisation=city)
    report.refresh_from_db()
    assert report.organisation == city


def test_a_report_outside_her_neighbourhood_or_without_a_known_category_is_refused(city, other_city, member, report_of):
    for at in (INSIDE_DINARD, NOWHERE, (95.0, 0.0)):
        with pytest.raises(VoisinsError) as refused:
            report_of(member, at=at)
        assert refused.value.code == "position_outside_neighbourhood"
    for category in ("potholes", "", "c999999"):
        with pytest.raises(VoisinsError) as refused:
            report_of(member, category=category)
        assert refused.value.code == "unknown_category"
    dinard_tags = services.category_create(admin=None or _admin(other_city), name="Tags")
    with pytest.raises(VoisinsError) as refused:  # Dinard's own category does not apply in Saint-Malo
        report_of(member, category=dinard_tags.key)
    assert refused.value.code == "unknown_category"
    assert not CivicReport.objects.exists()


def _admin(organisation):
    return make_agent(organisation, make_user(f"admin-{organisation.pk}@example.org"), role="admin")


def test_an_organisation_s_own_category_routes_to_it(city, housing, member, report_of):
    boxes = services.category_create(admin=_admin(housing), name="Boîtes aux lettres")
    report = report_of(member, at=IN_RESIDENCE, category=boxes.key)
    assert (report.organisation, report.custom_category) == (housing, boxes)


def test_a_report_with_11_photos_is_refused_and_changes_nothing(city, member, report_of):
    photos = [image_of(member, n) for n in range(11)]
    with pytest.raises(VoisinsError) as refused:
        report_of(member, image_ids=[p.pk for p in photos])
    assert (refused.value.code, refused.value.params) == ("too_many_images", {"max": 10})
    assert not CivicReport.objects.exists() and not Image.objects.exclude(attached_kind="").exists()
    report = report_of(member, image_ids=[p.pk for p in photos[:10]])
    assert Image.objects.filter(attached_kind="city_report", attached_id=report.pk).count() == 10


def test_nearby_open_reports_of_the_same_category_are_offered_first(city, member, nina, report_of):
    first = report_of(member, at=POTHOLE)
    with pytest.raises(VoisinsError) as offered:
        report_of(nina, at=NEAR_POTHOLE, ignore_similar=False)
    assert offered.value.code == "similar_reports"
    assert [r["id"] for r in offered.value.params["reports"]] == [first.pk]
    assert CivicReport.objects.count() == 1
    report_of(nina, at=NEAR_POTHOLE, category="lighting", ignore_similar=False)  # another category: no offer
    report_of(nina, at=NEAR_POTHOLE, ignore_similar=True)  # she insists
    assert CivicReport.objects.count() == 3


def test_me_too(city, member, nina, outsider, report_of):
    report = report_of(member)
    services.report_support_set(user=nina, report_id=report.pk, present=True)
    services.report_support_set(user=nina, report_id=report.pk, present=True)  # twice: once
    assert ReportSupport.objects.filter(report=report).count() == 1
    for user, code in ((member, "own_report"), (outsider, "city_report_not_found")):
        with pytest.raises(VoisinsError) as refused:
            services.report_support_set(user=user, report_id=report.pk, present=True)
        assert refused.value.code == code
    services.report_support_set(user=nina, report_id=report.pk, present=False)
    assert not ReportSupport.objects.exists()


# Civic reports: the organisation's work


def test_the_workflow_tells_reporter_and_supporters_and_refuses_out_of_order(city, agent, member, nina, report_of):
    report = report_of(member)
    services.report_support_set(user=nina, report_id=report.pk, present=True)
    with pytest.raises(VoisinsError) as refused:
        services.report_status_set(agent=agent, report_id=report.pk, status="resolved")
    assert (refused.value.code, refused.value.params) == ("invalid_report_transition",
                                                          {"current": "received", "target": "resolved"})
    report.refresh_from_db()
    assert report.status == "received" and ReportChange.objects.count() == 1 and not alert_tasks().exists()

    for status in ("acknowledged", "in_progress", "resolved"):
        services.report_status_set(agent=agent, report_id=report.pk, status=status)
    report.refresh_from_db()
    assert report.status == "resolved" and report.acknowledged_at and report.resolved_at
    pushes = [t.args_kwargs["args"] for t in alert_tasks().order_by("enqueued_at")]
    assert [p[2] for p in pushes] == ["city_report_acknowledged", "city_report_in_progress", "city_report_resolved"]
    assert all(sorted(p[0]) == sorted([member.pk, nina.pk]) for p in pushes)
    assert pushes[0][3] == {"organisation": "Ville de Saint-Malo", "summary": "Nid-de-poule devant l'école", "reason": ""}


def test_rejected_needs_a_reason_and_is_final(city, agent, member, report_of):
    report = report_of(member)
    with pytest.raises(VoisinsError) as refused:
        services.report_status_set(agent=agent, report_id=report.pk, status="rejected")
    assert refused.value.code == "reason_required"
    services.report_status_set(agent=agent, report_id=report.pk, status="rejected", reason="Terrain privé")
    with pytest.raises(VoisinsError) as refused:
        services.report_status_set(agent=agent, report_id=report.pk, status="acknowledged")
    assert refused.value.code == "invalid_report_transition"


def test_a_duplicate_s_people_follow_the_original(city, agent, member, nina, report_of):
    original = report_of(member)
    copy = report_of(nina, at=NEAR_POTHOLE)
    with pytest.raises(VoisinsError) as refused:
        services.report_status_set(agent=agent, report_id=copy.pk, status="duplicate", reason="Déjà signalé",
                                   duplicate_of=copy.pk)
    assert refused.value.code == "invalid_duplicate"
    services.report_status_set(agent=agent, report_id=copy.pk, status="duplicate", reason="Déjà signalé",
                               duplicate_of=original.pk)
    copy.refresh_from_db()
    assert (copy.status, copy.duplicate_of, copy.reason) == ("duplicate", original, "Déjà signalé")
    assert list(ReportSupport.objects.filter(report=original).values_list("user_id", flat=True)) == [nina.pk]


def test_an_agent_of_another_organisation_cannot_handle_its_reports(city, other_agent, member, report_of):
    report = report_of(member)
    for call in (
        lambda: services.report_status_set(agent=other_agent, report_id=report.pk, status="acknowledged"),
        lambda: services.report_assign(agent=other_agent, report_id=report.pk, agent_id=None),
        lambda: services.report_note_add(agent=other_agent, report_id=report.pk, text="À moi"),
        lambda: selectors.report_for_agent(agent=other_agent, report_id=report.pk),
    ):
        with pytest.raises(VoisinsError) as refused:
            call()
        assert refused.value.code == "city_report_not_found"
    report.refresh_from_db()
    assert report.status == "received" and not ReportNote.objects.exists()


def test_the_reporter_reopens_within_14_days(city, agent, member, nina, report_of):
    report = report_of(member)
    services.report_support_set(user=nina, report_id=report.pk, present=True)
    for status in ("acknowledged", "resolved"):
        services.report_status_set(agent=agent, report_id=report.pk, status=status)
    with pytest.raises(VoisinsError) as refused:
        services.report_reopen(user=nina, report_id=report.pk, reason="Toujours là")
    assert refused.value.code == "not_reporter"
    services.report_reopen(user=member, report_id=report.pk, reason="Toujours là")
    report.refresh_from_db()
    assert (report.status, report.resolved_at) == ("received", None)
    last = alert_tasks().order_by("-enqueued_at").first().args_kwargs["args"]
    assert (last[0], last[2]) == ([nina.pk], "city_report_received")  # the supporter hears; the reporter knows
    services.report_status_set(agent=agent, report_id=report.pk, status="acknowledged")
    services.report_status_set(agent=agent, report_id=report.pk, status="resolved")
    CivicReport.objects.filter(pk=report.pk).update(resolved_at=timezone.now() - timedelta(days=15))
    with pytest.raises(VoisinsError) as refused:
        services.report_reopen(user=member, report_id=report.pk, reason="Encore")
    assert refused.value.code == "reopen_too_late"


def test_assignment_and_internal_notes(city, agent, admin, member, report_of):
    report = report_of(member)
    services.report_assign(agent=admin, report_id=report.pk, agent_id=agent.pk)
    services.report_note_add(agent=agent, report_id=report.pk, text="Équipe voirie prévenue")
    report.refresh_from_db()
    assert report.assignee == agent
    (body,) = selectors.report_bodies([selectors.report_with_counts(report.pk)])
    assert "notes" not in body and "assignee" not in body and "reporter" not in body  # what residents get
    (agent_body,) = selectors.report_bodies([selectors.report_with_counts(report.pk)], for_agents=True,
                                            with_notes=True, language="fr")
    assert [n["text"] for n in agent_body["notes"]] == ["Équipe voirie prévenue"]
    assert agent_body["reporter"] is None and agent_body["reporter_label"] == "un·e habitant·e de Saint-Malo"
    with pytest.raises(VoisinsError) as refused:
        services.report_assign(agent=admin, report_id=report.pk, agent_id=admin.pk + 1000)
    assert refused.value.code == "agent_not_found"


def test_her_name_only_if_she_agreed(city, member, report_of):
    report = report_of(member, show_name=True)
    (body,) = selectors.report_bodies([selectors.report_with_counts(report.pk)], for_agents=True)
    assert body["reporter"] == {"display_name": "Marc"} and body["reporter_label"] == "Marc"


def test_figures_and_export(city, agent, member, report_of):
    first, second = report_of(member), report_of(member, category="lighting", at=NEAR_POTHOLE)
    services.report_status_set(agent=agent, report_id=first.pk, status="acknowledged")
    figures = selectors.figures_rows(organisation_id=city.pk)
    assert sorted(row["status"] for row in figures) == ["acknowledged", "received"]
    rows = list(selectors.export_rows(organisation_id=city.pk))
    assert [row["id"] for row in rows] == [first.pk, second.pk]
    assert set(rows[0]) == {"id", "created_at", "neighbourhood__name", "category", "status", "latitude", "longitude",
                            "supporters", "acknowledged_at", "resolved_at"}


# Agents


def test_removing_an_agent_takes_effect_at_once(city, admin, agent, member, report_of):
    report = report_of(member)
    services.report_assign(agent=admin, report_id=report.pk, agent_id=agent.pk)
    with transaction.atomic():
        services.agent_remove(admin=admin, agent_id=agent.pk)
    with pytest.raises(VoisinsError) as refused:
        selectors.agent_for(user=agent.user, organisation_id=city.pk)
    assert refused.value.code == "not_agent"
    report.refresh_from_db()
    assert report.assignee is None


def test_an_organisation_keeps_an_administrator(city, admin, agent):
    with pytest.raises(VoisinsError) as refused:
        services.agent_role_set(admin=admin, agent_id=admin.pk, role="agent")
    assert refused.value.code == "last_admin"
    with pytest.raises(VoisinsError) as refused:
        services.agent_remove(admin=admin, agent_id=admin.pk)
    assert refused.value.code == "last_admin"
    services.agent_role_set(admin=admin, agent_id=agent.pk, role="admin")
    services.agent_remove(admin=admin, agent_id=admin.pk)  # another admin remains


def test_an_unverified_organisation_acts_on_nothing(saint_malo):

    pending = make_organisation("Mairie en attente", neighbourhoods=[saint_malo], verified=False)
    someone = make_agent(pending, make_user("new@example.org"), role="admin")
    with pytest.raises(VoisinsError) as refused:
        selectors.agent_for(user=someone.user, organisation_id=pending.pk)
    assert refused.value.code == "organisation_not_verified"


def test_a_resident_is_no_agent(city, member):
    with pytest.raises(VoisinsError) as refused:
        selectors.agent_for(user=member, organisation_id=city.pk)
    assert refused.value.code == "not_agent"


def test_an_agent_who_is_also_a_resident_keeps_her_own_rooms_only(city, agent, saint_malo, dinard):
    make_membership(agent.user, dinard, state="verified")
    from backend.chat.selectors import readable_neighbourhood_ids

    assert readable_neighbourhood_ids(user=agent.user) == [dinard.pk]


def test_a_card_a_moderator_removed_leaves_the_residents_list(city, agent, saint_malo, moderator):
    announcement = services.announcement_publish(agent=agent, client_id="a1", title="Pub déguisée").item
    moderation_services.message_remove(actor=moderator, message_id=announcement.cards.get().message_id,
                                       reason="Hors charte")
    assert selectors.announcements_for(neighbourhood_ids=[saint_malo.pk]) == []
    assert selectors.organisation_announcements(organisation_id=city.pk) == [announcement]


# Her erasure: an organisation keeps an administrator


def test_the_longest_serving_agent_takes_over_from_an_erased_last_administrator(saint_malo):
    city = make_organisation("Ville de Saint-Malo", neighbourhoods=[saint_malo])
    admin = make_agent(city, make_user("anne@ville.example.org", name="Anne"), role="admin")
    first = make_agent(city, make_user("paul@ville.example.org", name="Paul"))
    make_agent(city, make_user("lea@ville.example.org", name="Léa"))
    user_erase(user=admin.user)
    assert list(Agent.objects.filter(organisation=city, removed_at=None, role="admin")) == [first]


def test_another_administrator_left_changes_no_role(saint_malo):
    city = make_organisation("Ville de Saint-Malo", neighbourhoods=[saint_malo])
    admin = make_agent(city, make_user("anne@ville.example.org", name="Anne"), role="admin")
    other = make_agent(city, make_user("bea@ville.example.org", name="Béa"), role="admin")
    agent = make_agent(city, make_user("paul@ville.example.org", name="Paul"))
    user_erase(user=admin.user)
    assert set(Agent.objects.filter(organisation=city, removed_at=None, role="admin")) == {other}
    agent.refresh_from_db()
    assert agent.role == "agent"


def test_an_organisation_left_without_agents_is_said_in_the_log(saint_malo, caplog):
    city = make_organisation("Ville de Saint-Malo", neighbourhoods=[saint_malo])
    admin = make_agent(city, make_user("anne@ville.example.org", name="Anne"), role="admin")
    user_erase(user=admin.user)
    assert not Agent.objects.filter(organisation=city, removed_at=None).exists()
    assert any("no agent left" in record.getMessage() for record in caplog.records)
