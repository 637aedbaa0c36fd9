import pytest
from django.utils import timezone

from backend.chat.models import Message, Room
from backend.chat.services import message_post, rooms_ensure_default
from tests.conftest import make_membership, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(saint_malo):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    return Room.objects.get(neighbourhood=saint_malo, kind="default")


def test_rooms_list_the_default_room_with_unread_counts(client_for, member, moderator, saint_malo):
    neighbour = make_user("n@example.org", name="Nina")
    make_membership(neighbour, saint_malo, state="verified")
    rooms = client_for(neighbour).get("/api/v1/chat/rooms/").json()
    assert [(r["kind"], r["name"], r["unread"]) for r in rooms] == [("default", "Le quartier", 0)]
    message_post(author=member, room_id=rooms[0]["id"], text="Salut", client_id="a")
    assert client_for(neighbour).get("/api/v1/chat/rooms/").json()[0]["unread"] == 1
    assert client_for(member).get("/api/v1/chat/rooms/").json()[0]["unread"] == 0
    assert [r["id"] for r in client_for(moderator).get("/api/v1/chat/rooms/").json()] == [rooms[0]["id"]]


@pytest.mark.parametrize("role", ["applicant", "outsider"])
def test_people_outside_the_neighbourhood_see_none_of_its_rooms(request, client_for, room, role):
    user = request.getfixturevalue(role)
    assert room.id not in [r["id"] for r in client_for(user).get("/api/v1/chat/rooms/").json()]
    response = client_for(user).get(f"/api/v1/chat/rooms/{room.id}/messages/")
    assert response.status_code == 403 and response.json()["code"] == "no_access"


def test_moderators_add_topic_rooms(client_for, moderator, member, saint_malo):
    response = client_for(moderator).post(
        "/api/v1/chat/rooms/", {"neighbourhood_id": saint_malo.id, "name": "Prêts"}, format="json"
    )
    assert response.status_code == 201 and response.json()["kind"] == "topic"
    again = client_for(moderator).post("/api/v1/chat/rooms/", {"neighbourhood_id": saint_malo.id, "name": "Prêts"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "room_name_taken"
    refused = client_for(member).post("/api/v1/chat/rooms/", {"neighbourhood_id": saint_malo.id, "name": "Moi"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_moderator"
    names = [r["name"] for r in client_for(member).get("/api/v1/chat/rooms/").json()]
    assert names == ["Le quartier", "Prêts"]


def test_a_direct_conversation_is_opened_once_and_only_its_two_people_read_it(client_for, member, saint_malo):
    neighbour = make_user("n@example.org", name="Nina")
    make_membership(neighbour, saint_malo, state="verified")
    third = make_user("t@example.org", name="Théo")
    make_membership(third, saint_malo, state="verified")
    first = client_for(member).post("/api/v1/chat/directs/", {"user_id": neighbour.id}, format="json").json()
    second = client_for(neighbour).post("/api/v1/chat/directs/", {"user_id": member.id}, format="json").json()
    assert first["id"] == second["id"] and first["kind"] == "direct"
    assert sorted(p["display_name"] for p in first["participants"]) == ["Marc", "Nina"]
    assert first["id"] not in [r["id"] for r in client_for(third).get("/api/v1/chat/rooms/").json()]
    assert client_for(third).get(f"/api/v1/chat/rooms/{first['id']}/messages/").status_code == 403


@pytest.mark.parametrize(
    "target, code", [("self", "direct_with_self"), ("outsider", "not_member"), ("applicant", "not_member")]
)
def test_direct_conversations_need_two_verified_neighbours(request, client_for, member, target, code):
    other = member if target == "self" else request.getfixturevalue(target)
    response = client_for(member).post("/api/v1/chat/directs/", {"user_id": other.id}, format="json")
    assert response.json()["code"] == code
    assert not Room.objects.filter(kind="direct").exists()


def test_history_pages_newest_first_with_a_cursor(client_for, member, room):
    Message.objects.bulk_create(
        Message(room=room, seq=i, changed_seq=i, author=member, client_id=str(i), text=f"m{i}", created_at=timezone.now())
        for i in range(1, 8)
    )
    client = client_for(member)
    first = client.get(f"/api/v1/chat/rooms/{room.id}/messages/", {"limit": 3}).json()
    assert [m["seq"] for m in first["messages"]] == [7, 6, 5] and first["next_before"] == 5
    second = client.get(f"/api/v1/chat/rooms/{room.id}/messages/", {"limit": 3, "before": 5}).json()
    assert [m["seq"] for m in second["messages"]] == [4, 3, 2]
    last = client.get(f"/api/v1/chat/rooms/{room.id}/messages/", {"limit": 3, "before": 2}).json()
    assert [m["seq"] for m in last["messages"]] == [1] and last["next_before"] is None


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 101}, {"before": "x"}])
def test_history_bad_cursor(client_for, member, room, query):
    response = client_for(member).get(f"/api/v1/chat/rooms/{room.id}/messages/", query)
    assert response.status_code == 400 and response.json()["code"] == "validation_failed"


def test_history_of_an_unknown_room(client_for, member):
    response = client_for(member).get("/api/v1/chat/rooms/999999/messages/")
    assert response.status_code == 404 and response.json()["code"] == "room_not_found"


def test_tickets_are_short_lived_and_need_an_account(client_for, member):
    response = client_for(member).post("/api/v1/chat/tickets/")
    assert response.status_code == 201
    assert response.json()["expires_in"] == 60 and len(response.json()["ticket"]) > 30
    assert client_for().post("/api/v1/chat/tickets/").status_code == 401


def test_the_room_list_is_a_fixed_number_of_queries(client_for, member, moderator, saint_malo, django_assert_num_queries):
    client = client_for(member)
    client.get("/api/v1/chat/rooms/")  # the default room is made the first time
    # Her token; her neighbourhoods (memberships and moderated, in one); the default room
    # exists; the rooms with her unread counts.
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/chat/rooms/").json()) == 1
    for i in range(5):
        room = client_for(moderator).post(
            "/api/v1/chat/rooms/", {"neighbourhood_id": saint_malo.id, "name": f"Salon {i}"}, format="json"
        ).json()
        message_post(author=moderator, room_id=room["id"], text="Bienvenue", client_id=f"w{i}")
    with django_assert_num_queries(4):
        rooms = client.get("/api/v1/chat/rooms/").json()
    assert [r["unread"] for r in rooms] == [0, 1, 1, 1, 1, 1]


@pytest.mark.parametrize("name", ["Le quartier", "le quartier", "  LE QUARTIER  ", "Entraide", " entraide"])
def test_room_names_are_unique_in_the_neighbourhood_whatever_their_case(client_for, moderator, saint_malo, name):
    """Issue 18.3: the default room's name was not taken into account."""
    client = client_for(moderator)
    assert client.post("/api/v1/chat/rooms/", {"neighbourhood_id": saint_malo.id, "name": "Entraide"}, format="json").status_code == 201
    response = client.post("/api/v1/chat/rooms/", {"neighbourhood_id": saint_malo.id, "name": name}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "room_name_taken"
    assert sorted(Room.objects.filter(neighbourhood=saint_malo).values_list("name", flat=True)) == ["Entraide", "Le quartier"]


def test_staff_add_a_room_where_they_moderate_nothing_and_members_may_not(client_for, staff, member, dinard, saint_malo):
    """Issue 10: staff act in every neighbourhood as its moderators do."""
    assert not dinard.moderators.exists()
    made = client_for(staff).post("/api/v1/chat/rooms/", {"neighbourhood_id": dinard.id, "name": "Entraide"}, format="json")
    assert made.status_code == 201 and made.json()["name"] == "Entraide"
    refused = client_for(member).post("/api/v1/chat/rooms/", {"neighbourhood_id": saint_malo.id, "name": "Prêts"},
                                      format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_moderator"
    # They read its rooms, as its moderators do (the console watches them), without
    # every neighbourhood's rooms in their own list.
    assert client_for(staff).get(f"/api/v1/chat/rooms/{made.json()['id']}/messages/").status_code == 200
    assert made.json()["id"] not in [r["id"] for r in client_for(staff).get("/api/v1/chat/rooms/").json()]


def test_staff_do_not_read_direct_conversations(client_for, staff, member, saint_malo):
    neighbour = make_user("n@example.org", name="Nina")
    make_membership(neighbour, saint_malo, state="verified")
    direct = client_for(member).post("/api/v1/chat/directs/", {"user_id": neighbour.id}, format="json").json()
    refused = client_for(staff).get(f"/api/v1/chat/rooms/{direct['id']}/messages/")
    assert refused.status_code == 403 and refused.json()["code"] == "no_access"


def test_a_room_name_may_be_used_again_in_another_neighbourhood_and_by_direct_conversations(
    client_for, moderator, member, saint_malo, dinard
):
    dinard.moderators.add(moderator)
    for neighbourhood in (saint_malo, dinard):
        response = client_for(moderator).post(
            "/api/v1/chat/rooms/", {"neighbourhood_id": neighbourhood.id, "name": "Entraide"}, format="json"
        )
        assert response.status_code == 201
    neighbour = make_user("n@example.org", name="Nina")
    make_membership(neighbour, saint_malo, state="verified")
    Room.objects.create(neighbourhood=saint_malo, kind="direct", name="Entraide", user_a=member, user_b=neighbour)
