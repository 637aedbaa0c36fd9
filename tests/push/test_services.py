"""Pushes through the real firebase-admin code path, against the fake FCM server."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from backend.chat.models import Room
from backend.chat.services import PostRequest, message_post, messages_post, read_mark, rooms_ensure_default
from backend.push import services
from backend.push.backends import backend
from backend.push.fcm import FcmTransport
from backend.push.models import Delivery, Device, RoomMute
from backend.push.tasks import deliveries_retry, messages_push, room_messages_push
from tests.conftest import make_membership, make_user
from tests.push import fake_fcm as answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return Room.objects.get(neighbourhood=saint_malo, kind="default")


@pytest.fixture
def nina(saint_malo):
    user = make_user("nina@example.org", name="Nina", language="fr")
    make_membership(user, saint_malo, state="verified")
    return user


def post(author, room, text="Qui a une échelle ?", ref="m1"):
    ack = message_post(author=author, room_id=room.id, text=text, client_id=ref)
    return ack


def push_pending():
    """Runs the room pushes enqueued so far, as the worker would."""
    sent = 0
    for result in DBTaskResult.objects.filter(task_path=messages_push.module_path, status=TaskResultStatus.READY):
        sent += services.messages_push(rooms=result.args_kwargs["args"][0])
        result.delete()
    return sent


def test_a_message_is_pushed_to_offline_readers_in_their_language(fcm, phone, member, nina, moderator, room):
    phone(nina, "nina-android")
    phone(nina, "nina-iphone", platform="ios")
    phone(member, "marc-phone")
    phone(moderator, "morgane-phone")
    ack = post(member, room)
    assert push_pending() == 3
    by_token = {message["token"]: message for message in fcm.sent}
    assert set(by_token) == {"nina-android", "nina-iphone", "morgane-phone"}  # never the sender
    android, iphone = by_token["nina-android"], by_token["nina-iphone"]
    assert android["notification"] == {"title": "Marc · Le quartier", "body": "Qui a une échelle ?"}
    assert android["data"] == {"type": "message", "room_id": str(room.id), "seq": str(ack.seq),
                               "message_id": str(ack.message_id)}
    assert android["android"]["collapse_key"] == f"room-{room.id}"
    assert iphone["apns"]["headers"]["apns-collapse-id"] == f"room-{room.id}"
    assert iphone["apns"]["payload"]["aps"]["badge"] == 1  # the server's unread count
    assert Delivery.objects.filter(state="sent").count() == 3
    assert push_pending() == 0 and len(fcm.sent) == 3


def test_without_previews_the_text_stays_on_the_server(fcm, phone, member, nina, room):
    phone(nina, "nina-android")
    services.preferences_set(user=nina, previews=False)
    post(member, room, text="Mon code de porte est 1234")
    push_pending()
    assert fcm.sent[0]["notification"]["body"] == "Nouveau message"


def test_a_batch_over_two_rooms_is_one_task_that_pushes_each_room(fcm, phone, member, nina, room, saint_malo):
    topic = Room.objects.create(neighbourhood=saint_malo, kind="topic", name="Entraide")
    phone(nina, "nina-android")
    messages_post(requests=[PostRequest(author=member, room_id=r.id, text=f"Dans {r.name}", client_id=f"c{r.id}")
                            for r in (room, topic)])
    [task] = DBTaskResult.objects.filter(task_path=messages_push.module_path)
    assert sorted(room_id for room_id, _ in task.args_kwargs["args"][0]) == sorted([room.id, topic.id])
    assert push_pending() == 2
    assert sorted(m["android"]["collapse_key"] for m in fcm.sent) == sorted([f"room-{room.id}", f"room-{topic.id}"])


def test_a_room_that_fails_does_not_keep_the_others_of_its_batch_from_their_pushes(
    fcm, phone, member, nina, room, saint_malo, monkeypatch, caplog
):
    topic = Room.objects.create(neighbourhood=saint_malo, kind="topic", name="Entraide")
    phone(nina, "nina-android")
    first, second = (post(member, r, f"Dans {r.name}", f"c{r.id}") for r in (room, topic))
    room_messages_push = services.room_messages_push

    def failing_in_the_first(*, room_id, **kwargs):
        if room_id == room.id:
            raise RuntimeError("the database went away")
        return room_messages_push(room_id=room_id, **kwargs)

    monkeypatch.setattr(services, "room_messages_push", failing_in_the_first)
    with pytest.raises(RuntimeError):
        services.messages_push(rooms=[[room.id, [first.message_id]], [topic.id, [second.message_id]]])
    assert [m["android"]["collapse_key"] for m in fcm.sent] == [f"room-{topic.id}"]
    assert f"pushing the new messages of room {room.id} failed" in caplog.text


def test_a_room_task_queued_before_batches_had_one_still_pushes(fcm, phone, member, nina, room):
    phone(nina, "nina-android")
    ack = post(member, room)
    assert room_messages_push.call(room.id, [ack.message_id]) == 1
    assert fcm.tokens_sent() == ["nina-android"]


def test_a_burst_in_a_room_is_one_notification_that_replaces_itself(fcm, phone, member, nina, room):
    phone(nina, "nina-android")
    post(member, room, "un", "a")
    post(member, room, "deux", "b")
    push_pending()
    assert [m["android"]["collapse_key"] for m in fcm.sent] == [f"room-{room.id}"] * 2


@pytest.mark.parametrize(
    ("answer", "reason"),
    [(answers.UNREGISTERED, "unregistered"), (answers.INVALID, "invalid"), (answers.SENDER_MISMATCH, "sender_id_mismatch")],
)
def test_a_token_fcm_refuses_is_deactivated(fcm, phone, member, nina, room, answer, reason):
    device = phone(nina, "nina-old")
    fcm.answers["nina-old"] = [answer]
    post(member, room)
    assert push_pending() == 0
    device.refresh_from_db()
    assert (device.active, device.deactivated_reason) == (False, reason)
    assert Delivery.objects.get().state == "dropped"
    post(member, room, ref="m2")
    push_pending()
    assert fcm.tokens_sent() == ["nina-old"]  # never tried again


def test_a_503_is_retried_and_sent_once(fcm, phone, member, nina, room):
    phone(nina, "nina-android")
    fcm.answers["nina-android"] = [answers.UNAVAILABLE, (200, None, {})]
    post(member, room)
    assert push_pending() == 1
    assert fcm.tokens_sent() == ["nina-android", "nina-android"]  # the transport's own retry
    assert Delivery.objects.get().state == "sent"


def test_a_429_is_not_slept_on_by_the_worker_but_retried_by_our_task_after_retry_after(fcm, phone, member, nina, room):
    phone(nina, "nina-android")
    phone(member, "marc-android")
    fcm.answers["nina-android"] = [answers.quota_exceeded(retry_after=60), (200, None, {})]
    post(member, room)
    started = timezone.now()
    assert push_pending() == 0
    assert timezone.now() - started < timedelta(seconds=30)  # the worker went on at once
    assert fcm.tokens_sent() == ["nina-android"]
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("retry", 1)
    retry = DBTaskResult.objects.get(task_path=deliveries_retry.module_path)
    assert retry.run_after >= started + timedelta(seconds=60)  # no sooner than FCM asked
    assert services.deliveries_retry(event=delivery.event) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)
    assert fcm.tokens_sent() == ["nina-android"] * 2


def test_an_expired_access_token_is_refreshed_once_and_the_pushes_sent(fcm, phone, member, nina, room):
    phones = [f"nina-{n}" for n in range(5)]
    for token in phones:
        phone(nina, token)
        fcm.answers[token] = [answers.fcm_error(401, "UNAUTHENTICATED"), (200, None, {})]
    backend().access_token(False)  # a token that looks valid, as FCM will refuse it
    fcm.token_requests = 0
    post(member, room)
    assert push_pending() == 5
    assert sorted(fcm.tokens_sent()) == sorted(phones * 2)
    assert fcm.token_requests == 1  # one fresh token for the five requests refused together


def test_transient_errors_give_up_after_the_last_attempt(fcm, phone, member, nina, room):
    phone(nina, "nina-android")
    # 429 without Retry-After: only our task retries it.
    fcm.answers["nina-android"] = [answers.fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED")]
    post(member, room)
    push_pending()
    event = Delivery.objects.get().event
    for _ in range(10):
        services.deliveries_retry(event=event)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", 5)
    assert Device.objects.get().active


def test_an_apns_auth_error_is_an_alert_not_a_retry(fcm, phone, member, nina, room, caplog):
    device = phone(nina, "nina-iphone", platform="ios")
    fcm.answers["nina-iphone"] = [answers.APNS_AUTH]
    post(member, room)
    push_pending()
    assert Delivery.objects.get().state == "failed"
    assert not DBTaskResult.objects.filter(task_path=deliveries_retry.module_path).exists()
    device.refresh_from_db()
    assert device.active
    assert any("third-party auth" in record.getMessage() for record in caplog.records if record.levelname == "ERROR")


def test_a_muted_room_is_silent_until_the_mute_ends(fcm, phone, member, nina, room):
    phone(nina, "nina-android")
    mute = services.room_mute_set(user=nina, room=room, until=None)
    post(member, room)
    assert push_pending() == 0
    RoomMute.objects.filter(pk=mute.pk).update(until=timezone.now() - timedelta(minutes=1))
    post(member, room, ref="m2")
    assert push_pending() == 1


def test_quiet_hours_hold_messages_but_not_trust_decisions(fcm, phone, member, nina, room, applicant, moderator):
    from backend.trust.models import Membership
    from backend.trust.services import membership_reject

    phone(nina, "nina-android")
    phone(applicant, "ada-android")
    now = timezone.localtime()
    for user in (nina, applicant):
        services.preferences_set(user=user, time_zone="Europe/Paris", quiet_start=time((now.hour - 1) % 24),
                                 quiet_end=time((now.hour + 1) % 24))
    post(member, room)
    assert push_pending() == 0
    membership_reject(actor=moderator, membership=Membership.objects.get(user=applicant), reason="Adresse hors quartier")
    alert = DBTaskResult.objects.get(task_path="backend.push.tasks.user_alert")
    services.user_alert(**dict(zip(("user_id", "text_key", "params", "event"), alert.args_kwargs["args"])))
    services.user_alert(**dict(zip(("user_id", "text_key", "params", "event"), alert.args_kwargs["args"])))  # run again
    assert fcm.tokens_sent() == ["ada-android"]
    assert fcm.sent[0]["notification"]["title"] == "About your membership"


def test_a_message_read_before_the_delay_is_not_pushed(fcm, phone, member, nina, room):
    phone(nina, "nina-android")
    ack = post(member, room)
    read_mark(user=nina, room_id=room.id, seq=ack.seq)
    assert push_pending() == 0


def test_reading_clears_the_notification_on_her_other_devices(fcm, phone, member, nina, room):
    phone(nina, "nina-android")
    phone(nina, "nina-tablet")
    ack = post(member, room)
    push_pending()
    fcm.reset()
    read_mark(user=nina, room_id=room.id, seq=ack.seq)
    clear = DBTaskResult.objects.get(task_path="backend.push.tasks.notification_clear")
    services.notification_clear(**dict(zip(("user_id", "room_id", "seq"), clear.args_kwargs["args"])))
    assert sorted(fcm.tokens_sent()) == ["nina-android", "nina-tablet"]
    message = fcm.sent[0]
    assert "notification" not in message
    assert message["data"] == {"type": "clear", "room_id": str(room.id), "seq": str(ack.seq)}
    assert message["apns"]["payload"]["aps"]["badge"] == 0


def test_nothing_is_pushed_for_a_message_that_rolled_back(fcm, phone, member, nina, room):
    from django.db import transaction

    phone(nina, "nina-android")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            post(member, room)
            raise RuntimeError
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize("confirm_every, sizes", [(100, [100] * 12), (1000, [500, 500, 200])])
def test_1200_tokens_go_in_sends_of_push_confirm_every_at_most_500(
    fcm, member, room, saint_malo, monkeypatch, settings, confirm_every, sizes
):
    # Each send's outcome is recorded before the next (a worker killed mid-send sends at
    # most one send's pushes twice), and at most 500 requests are in flight at once.
    settings.PUSH_CONFIRM_EVERY = confirm_every

    neighbours = [make_user(f"n{i}@example.org") for i in range(400)]
    for user in neighbours:
        make_membership(user, saint_malo, state="verified")
    Device.objects.bulk_create(
        Device(user=user, token=f"t{user.pk}-{k}", platform="android", created_at=timezone.now(), last_seen_at=timezone.now())
        for user in neighbours for k in range(3)
    )
    sent_sizes = []
    real_send = FcmTransport.send
    monkeypatch.setattr(FcmTransport, "send", lambda self, messages: sent_sizes.append(len(messages)) or real_send(self, messages))
    post(member, room)
    assert push_pending() == 1200
    assert sent_sizes == sizes and len(set(fcm.tokens_sent())) == 1200


def test_a_kind_of_post_she_opted_out_of_pushes_nothing(fcm, phone, member, nina, room):
    from backend.feed.services import post_create
    from tests.feed.test_domain import VALID

    phone(nina, "nina-android")
    services.preferences_set(user=nina, muted_kinds=["classified"])
    post_create(author=member, kind="classified", title="Vélo", details=VALID["classified"], client_id="c")
    assert push_pending() == 0
    post_create(author=member, kind="event", title="Apéro", details=VALID["event"], client_id="e")
    assert push_pending() == 1
    assert fcm.sent[0]["notification"]["body"] == "Nouvelle annonce : Apéro"


def test_the_console_backend_logs_who_but_neither_token_nor_text(settings, phone, member, nina, room, caplog):
    import logging

    from backend.push.backends import backend

    settings.PUSH_BACKEND = "console"
    backend.cache_clear()
    phone(nina, "secret-registration-token")
    post(member, room, text="Mon code de porte est 1234")
    with caplog.at_level(logging.INFO, logger="backend.push.backends"):
        assert push_pending() == 1
    logged = caplog.text
    assert f"push to user {nina.id} (android)" in logged
    assert "secret-registration-token" not in logged and "1234" not in logged
    backend.cache_clear()


def test_a_direct_message_pushes_only_the_other_side(fcm, phone, member, nina, moderator, room):
    from backend.chat.services import room_direct_open

    phone(nina, "nina-android")
    phone(moderator, "morgane-phone")
    direct = room_direct_open(actor=member, other_id=nina.id)
    message_post(author=member, room_id=direct.id, text="Tu es là ?", client_id="d1")
    assert push_pending() == 1 and fcm.tokens_sent() == ["nina-android"]


def test_a_mention_says_so_in_the_title(fcm, phone, member, nina, room):
    phone(nina, "nina-android")
    message_post(author=member, room_id=room.id, text="@Nina tu viens ?", client_id="m", mentions=[nina.id])
    push_pending()
    assert fcm.sent[0]["notification"]["title"] == "Marc vous a mentionné·e"


def test_an_alert_has_a_tag_of_its_event_so_twice_shows_once(fcm, phone, applicant):
    phone(applicant, "ada-android")
    phone(applicant, "ada-iphone", platform="ios")
    services.user_alert(user_id=applicant.pk, text_key="moderation_appeal_granted", params={},
                        event="moderation:7")
    by_token = {message["token"]: message for message in fcm.sent}
    tag = by_token["ada-android"]["android"]["notification"]["tag"]
    assert tag.startswith("event-") and by_token["ada-iphone"]["apns"]["headers"]["apns-collapse-id"] == tag
    # No Android collapse key of its own: FCM keeps four per device, the rooms use them.
    assert "collapse_key" not in by_token["ada-android"]["android"]


def test_a_task_taken_back_sends_what_its_dead_attempt_claimed_and_skips_what_is_no_longer_due(
    fcm, phone, member, nina, moderator, room
):
    from backend.common import task_attempts

    phone(nina, "nina-android")
    phone(moderator, "morgane-phone")
    ack = post(member, room)
    [result] = DBTaskResult.objects.filter(task_path=messages_push.module_path)
    event = f"room:{room.pk}:{ack.seq}"
    task_id = result.id.hex
    # What a first attempt left when its worker died: both pushes claimed, none confirmed.
    now = timezone.now()
    for device in Device.objects.all():
        Delivery.objects.create(event=event, device=device, state="claimed", claim=task_id, created_at=now,
                                updated_at=now, payload={"data": {"type": "message"}, "collapse_key": f"room-{room.pk}"})
    read_mark(user=moderator, room_id=room.id, seq=ack.seq)  # Morgane read it meanwhile
    token = task_attempts._current.set(task_attempts.TaskAttempt(task_id, messages_push.module_path, 2))
    try:
        assert services.room_messages_push(room_id=room.pk, message_ids=[ack.message_id]) == 1
    finally:
        task_attempts._current.reset(token)
    assert fcm.tokens_sent() == ["nina-android"]
    assert dict(Delivery.objects.values_list("device__token", "state")) == {
        "nina-android": "sent", "morgane-phone": "skipped"
    }
