import threading

import pytest
from django.db import IntegrityError, connection, transaction

from backend.chat import selectors
from backend.chat.models import Message, Room
from backend.chat.services import PostRequest, message_post, messages_post, rooms_ensure_default
from backend.common import events
from backend.common.errors import VoisinsError
from tests.conftest import erasure_held_open, make_membership, make_user


@pytest.fixture
def room(saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return Room.objects.get(neighbourhood=saint_malo, kind="default")


def _known(*rooms):
    """This process has read these rooms (as a server process has, after its first sends)."""
    selectors.posting_reads(pairs=set(), room_ids={room.id for room in rooms})


@pytest.mark.django_db
def test_posting_is_a_fixed_number_of_queries(member, room, django_assert_num_queries):
    # The hot path: earlier messages with these client ids, the rooms, and the authors'
    # memberships (with their mutes) and moderator roles, in one round trip once the
    # process knows the rooms' neighbourhoods; then, in a transaction (a savepoint here),
    # the authors' user rows FOR SHARE (none erased meanwhile) with the sequence numbers
    # (one round trip), the rows and the push task.
    _known(room)
    with django_assert_num_queries(6):
        message_post(author=member, room_id=room.id, text="Salut", client_id="q1")


@pytest.mark.django_db
def test_a_batch_of_several_authors_costs_the_queries_of_one_message(
    member, moderator, room, saint_malo, django_assert_num_queries
):
    authors = [member, moderator] + [make_membership(make_user(f"v{i}@example.org"), saint_malo, state="verified").user for i in range(3)]
    requests = [
        PostRequest(author=authors[i % len(authors)], room_id=room.id, text=f"n°{i}", client_id=f"b{i}") for i in range(10)
    ]
    _known(room)
    with django_assert_num_queries(6):
        acks = messages_post(requests=requests)
    assert [ack.seq for ack in acks] == list(range(1, 11))
    assert list(Message.objects.order_by("seq").values_list("text", flat=True)) == [f"n°{i}" for i in range(10)]


@pytest.mark.django_db
def test_a_batch_over_two_rooms_numbers_each_room_on_its_own(member, room, saint_malo):
    topic = Room.objects.create(neighbourhood=saint_malo, kind="topic", name="Entraide")
    message_post(author=member, room_id=topic.id, text="avant", client_id="t0")
    requests = [
        PostRequest(author=member, room_id=[room.id, topic.id][i % 2], text=f"n°{i}", client_id=f"m{i}") for i in range(6)
    ]
    acks = messages_post(requests=requests)
    assert [(ack.room_id, ack.seq) for ack in acks] == [
        (room.id, 1), (topic.id, 2), (room.id, 2), (topic.id, 3), (room.id, 3), (topic.id, 4)
    ]
    room.refresh_from_db()
    topic.refresh_from_db()
    assert (room.last_seq, topic.last_seq) == (3, 4)
    stored = Message.objects.filter(client_id__startswith="m").order_by("room_id", "seq")
    assert [(m.room_id, m.seq, m.changed_seq, m.text) for m in stored] == sorted(
        [(ack.room_id, ack.seq, ack.seq, f"n°{i}") for i, ack in enumerate(acks)]
    )


@pytest.mark.django_db
def test_a_batch_locks_its_rooms_in_id_order_whatever_the_order_of_its_sends(member, room, saint_malo):
    from django.test.utils import CaptureQueriesContext

    topic = Room.objects.create(neighbourhood=saint_malo, kind="topic", name="Entraide")
    requests = [
        PostRequest(author=member, room_id=room_id, text="x", client_id=f"o{i}")
        for i, room_id in enumerate([topic.id, room.id, topic.id])
    ]
    with CaptureQueriesContext(connection) as queries:
        messages_post(requests=requests)
    locked = [q["sql"] for q in queries.captured_queries if "SET last_seq" in q["sql"]]
    # One statement for both rooms, which takes their rows in id order first.
    assert len(locked) == 1 and room.id < topic.id
    assert locked[0].endswith(
        f"WHERE id IN (SELECT id FROM {Room._meta.db_table} WHERE id IN ({room.id}, {topic.id}) ORDER BY id FOR UPDATE)"
        " RETURNING id, last_seq"
    )


@pytest.mark.django_db
def test_one_bad_request_in_a_batch_refuses_only_itself(member, room, outsider, dinard):
    rooms_ensure_default(neighbourhood_ids=[dinard.id])
    other = Room.objects.get(neighbourhood=dinard)
    results = messages_post(
        requests=[
            PostRequest(author=member, room_id=room.id, text="un", client_id="1"),
            PostRequest(author=member, room_id=other.id, text="ailleurs", client_id="2"),
            PostRequest(author=member, room_id=room.id, text="   ", client_id="3"),
            PostRequest(author=member, room_id=room.id, text="deux", client_id="4", reply_to_id=999999),
            PostRequest(author=member, room_id=room.id, text="un", client_id="1"),
            PostRequest(author=outsider, room_id=room.id, text="intrus", client_id="1"),
            PostRequest(author=member, room_id=room.id, text="trois", client_id="5"),
        ],
    )
    outcome = [r.code if isinstance(r, VoisinsError) else r.seq for r in results]
    assert outcome == [1, "no_access", "text_blank", "invalid_reply", 1, "no_access", 2]
    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_a_batch_over_the_rate_limit_keeps_the_first_ones(member, room, settings):
    settings.CHAT_WRITES_PER_WINDOW = 3
    requests = [PostRequest(author=member, room_id=room.id, text=f"n°{i}", client_id=f"r{i}") for i in range(5)]
    results = messages_post(requests=requests)
    assert [type(r).__name__ for r in results] == ["Ack", "Ack", "Ack", "VoisinsError", "VoisinsError"]
    assert results[3].code == "rate_limited"


@pytest.mark.django_db
def test_a_resend_writes_nothing(member, room, django_assert_num_queries):
    message_post(author=member, room_id=room.id, text="Salut", client_id="q1")
    # The look-up (with the room and the access), then the message it finds, read whole
    # for its ack.
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
    # (Other apps' listeners of the post may wait for the commit too.)
    assert len([c for c in callbacks if getattr(c, "func", None) is events.publish_now]) == 1
    room.refresh_from_db()
    assert room.last_seq == 1


def _in_threads(work, count: int = 4) -> list[Exception]:
    """Runs work(index) in `count` threads at once, each on its own connection; what
    they raised."""
    errors = []

    def run(index):
        try:
            work(index)
        except Exception as exc:  # a refusal, or PostgreSQL's DeadlockDetected
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_get_distinct_gapless_sequence_numbers(member, room):
    def post(index):
        for n in range(5):
            message_post(author=member, room_id=room.id, text=f"{index}-{n}", client_id=f"{index}-{n}")

    assert not _in_threads(post)
    assert sorted(Message.objects.values_list("seq", flat=True)) == list(range(1, 21))


@pytest.mark.django_db
def test_a_batch_over_three_rooms_numbers_them_in_one_statement(member, room, saint_malo, django_assert_num_queries):
    topics = [Room.objects.create(neighbourhood=saint_malo, kind="topic", name=f"Sujet {i}") for i in range(2)]
    rooms = [room, *topics]
    requests = [PostRequest(author=member, room_id=rooms[i % 3].id, text=f"n°{i}", client_id=f"r{i}") for i in range(6)]
    # The batch's queries (above): one sequence statement and one push task whatever the
    # number of rooms; the first time this process sees them, the access in a query of its own.
    with django_assert_num_queries(7):
        acks = messages_post(requests=requests)
    assert [(ack.room_id, ack.seq) for ack in acks] == [(r.id, seq) for seq in (1, 2) for r in rooms]


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_over_the_same_rooms_in_any_order_all_store(member, room, saint_malo, settings):
    """Batches that share rooms, named in opposite orders, from four threads at once:
    none deadlocks, and each room's numbers run from 1 without a gap or a repeat."""
    settings.CHAT_WRITES_PER_WINDOW = 1000
    rooms = [room] + [Room.objects.create(neighbourhood=saint_malo, kind="topic", name=f"Sujet {i}") for i in range(3)]

    def post(index):
        order = rooms if index % 2 else rooms[::-1]
        for n in range(5):
            results = messages_post(requests=[
                PostRequest(author=member, room_id=r.id, text=f"{index}-{n}", client_id=f"{index}-{n}-{r.id}")
                for r in order
            ])
            refused = [result for result in results if isinstance(result, VoisinsError)]
            if refused:
                raise refused[0]

    assert not _in_threads(post)
    for r in rooms:
        assert sorted(Message.objects.filter(room=r).values_list("seq", flat=True)) == list(range(1, 21))


@pytest.mark.django_db(transaction=True)
def test_a_message_sent_while_its_author_is_being_erased_is_refused(member, room):
    """Her send passes its checks while her erasure is under way, then waits for it: it
    is refused, and none of her words outlive the erasure. Others in the batch post."""
    neighbour = make_membership(make_user("n@example.org"), room.neighbourhood, state="verified").user
    with erasure_held_open(member):  # the send below waits for the erasure's commit
        results = messages_post(requests=[
            PostRequest(author=member, room_id=room.id, text="Le code est 7741B", client_id="late"),
            PostRequest(author=neighbour, room_id=room.id, text="Bonsoir", client_id="n"),
        ])
    assert isinstance(results[0], VoisinsError) and results[0].code == "not_authenticated"
    assert list(Message.objects.values_list("author_id", "text")) == [(neighbour.id, "Bonsoir")]
    # The numbers the batch took for both went back with it: hers leaves no gap.
    assert results[1].seq == 1 and Room.objects.get(pk=room.pk).last_seq == 1


# Read markers


@pytest.mark.django_db
@pytest.mark.parametrize(("seq", "code", "params"), [(4, "seq_out_of_range", {"last_seq": 3}), (1, "read_backwards", {"read_seq": 2})])
def test_a_read_marker_beyond_the_room_or_backwards_changes_nothing(
    member, room, seq, code, params, django_capture_on_commit_callbacks
):
    from backend.chat.models import ReadMarker
    from backend.chat.services import read_mark

    neighbour = make_membership(make_user("n@example.org"), room.neighbourhood, state="verified").user
    for i in range(3):
        message_post(author=member, room_id=room.id, text=f"n°{i}", client_id=f"m{i}")
    read_mark(user=neighbour, room_id=room.id, seq=2)
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(VoisinsError) as refusal:
            read_mark(user=neighbour, room_id=room.id, seq=seq)
    assert (refusal.value.code, refusal.value.params) == (code, params)
    assert callbacks == []
    assert list(ReadMarker.objects.values_list("user_id", "read_seq")) == [(neighbour.id, 2)]


@pytest.mark.django_db
def test_reading_up_to_the_same_seq_again_answers_and_publishes_nothing(member, room, django_capture_on_commit_callbacks):
    from backend.chat.services import read_mark

    message_post(author=member, room_id=room.id, text="Salut", client_id="m")
    neighbour = make_membership(make_user("n@example.org"), room.neighbourhood, state="verified").user
    with django_capture_on_commit_callbacks() as callbacks:
        first = read_mark(user=neighbour, room_id=room.id, seq=1)
    assert callbacks  # her other devices hear of it
    with django_capture_on_commit_callbacks() as callbacks:
        again = read_mark(user=neighbour, room_id=room.id, seq=1)
    assert again == first == {"type": "read.updated", "room_id": room.id, "seq": 1, "unread": 0}
    assert callbacks == []


# Room names


@pytest.mark.django_db
def test_a_topic_made_before_anyone_looked_cannot_take_the_default_room_s_name(moderator, saint_malo):
    from backend.chat.services import room_topic_create

    assert not Room.objects.filter(neighbourhood=saint_malo).exists()
    with pytest.raises(VoisinsError) as refusal:
        room_topic_create(actor=moderator, neighbourhood=saint_malo, name=" le Quartier")
    assert refusal.value.code == "room_name_taken"
    assert list(Room.objects.filter(neighbourhood=saint_malo).values_list("kind", "name")) == [("default", "Le quartier")]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["LE QUARTIER", " le quartier "])
def test_the_database_keeps_room_names_unique_whatever_their_case(room, name):
    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(neighbourhood=room.neighbourhood, kind="topic", name=name)


@pytest.mark.django_db
def test_an_official_voice_writes_where_it_reads_nothing_and_nobody_else_does(room):
    """An organisation's voice (backend.cities) reads no room: its caller authorised the
    write. The same author without the flag is refused, and a room that does not exist
    is still room_not_found."""
    voice = make_user("voice@ville.fr", name="Mairie")
    unofficial, official, nowhere = messages_post(requests=[
        PostRequest(author=voice, room_id=room.pk, text="Travaux rue de Dinan", client_id="a"),
        PostRequest(author=voice, room_id=room.pk, text="Travaux rue de Dinan", client_id="b", official=True,
                    counted=False),
        PostRequest(author=voice, room_id=room.pk + 999, text="x", client_id="c", official=True, counted=False),
    ])
    assert isinstance(unofficial, VoisinsError) and unofficial.code == "no_access"
    assert Message.objects.get(pk=official.message_id).author_id == voice.pk
    assert isinstance(nowhere, VoisinsError) and nowhere.code == "room_not_found"
