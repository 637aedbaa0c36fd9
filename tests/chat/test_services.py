import threading

import pytest
from django.db import connection, transaction

from backend.chat.models import Message, Room
from backend.chat.services import message_post, rooms_ensure_default
from backend.common.errors import VoisinsError


@pytest.fixture
def room(saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return Room.objects.get(neighbourhood=saint_malo, kind="default")


@pytest.mark.django_db
def test_posting_is_a_fixed_number_of_queries(member, room, django_assert_num_queries):
    # The hot path: one query for the room, her access and an earlier message with this
    # client id; then, in a transaction (a savepoint here), the sequence number and the row.
    with django_assert_num_queries(5):
        message_post(author=member, room_id=room.id, text="Salut", client_id="q1")


@pytest.mark.django_db
def test_a_resend_is_two_queries_and_writes_nothing(member, room, django_assert_num_queries):
    message_post(author=member, room_id=room.id, text="Salut", client_id="q1")
    with django_assert_num_queries(2):
        message_post(author=member, room_id=room.id, text="Salut", client_id="q1")


@pytest.mark.django_db
def test_nothing_is_published_when_the_transaction_rolls_back(member, room, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                message_post(author=member, room_id=room.id, text="Annulé", client_id="r")
                raise RuntimeError
    assert callbacks == [] and not Message.objects.exists()


@pytest.mark.django_db
def test_a_post_publishes_once_on_commit(member, room, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message_post(author=member, room_id=room.id, text="Publié", client_id="p")
    assert len(callbacks) == 1
    room.refresh_from_db()
    assert room.last_seq == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_get_distinct_gapless_sequence_numbers(member, room):
    errors = []

    def post(index):
        try:
            for n in range(5):
                message_post(author=member, room_id=room.id, text=f"{index}-{n}", client_id=f"{index}-{n}")
        except VoisinsError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(Message.objects.values_list("seq", flat=True)) == list(range(1, 21))
