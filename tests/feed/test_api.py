import pytest

from backend.chat.models import Message
from backend.feed.models import Post
from tests.conftest import make_membership, make_user
from tests.feed.test_domain import VALID

pytestmark = pytest.mark.django_db


def create(client, **fields):
    body = {"client_id": "p1", "kind": "help_request", "title": "Arroser mes plantes", "details": VALID["help_request"]}
    return client.post("/api/v1/feed/posts/", {**body, **fields}, format="json")


def test_post_then_read_it_back(client_for, member, saint_malo):
    response = create(client_for(member), text="Je pars une semaine.")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["card"]["title"] == "Arroser mes plantes" and body["card"]["text"] == "Je pars une semaine."
    assert body["card"]["neighbourhood_id"] == saint_malo.id and body["card"]["author"]["display_name"] == "Marc"
    assert Message.objects.get(pk=body["message_id"]).room_id == body["room_id"]
    again = create(client_for(member))
    assert again.status_code == 200 and again.json()["card"]["post_id"] == body["card"]["post_id"]
    detail = client_for(member).get(f"/api/v1/feed/posts/{body['card']['post_id']}/")
    assert detail.status_code == 200 and detail.json() == body


def test_history_returns_cards_inline_with_messages(client_for, member):
    body = create(client_for(member)).json()
    history = client_for(member).get(f"/api/v1/chat/rooms/{body['room_id']}/messages/").json()
    assert history["messages"][0]["card"] == body["card"]


def test_bad_details_get_a_clear_error(client_for, member):
    response = create(client_for(member), kind="event", details={**VALID["event"], "end": "2026-11-30T17:00:00+00:00"})
    assert response.status_code == 400 and response.json()["code"] == "end_before_start"
    assert response.json()["field"] == "end"
    response = create(client_for(member), kind="classified", details={"mode": "sell", "item": "Vélo", "price_cents": -1})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_post_details", "price_cents")
    response = create(client_for(member), kind="barter")
    assert response.status_code == 400 and response.json()["code"] == "validation_failed"
    assert not Post.objects.exists()


def test_posting_in_another_neighbourhood_is_refused(client_for, member, dinard):
    response = create(client_for(member), neighbourhood_id=dinard.id)
    assert response.status_code == 403 and response.json()["code"] == "not_member"
    assert not Post.objects.exists()


def test_the_list_filters_and_pages(client_for, member, outsider, saint_malo, post_of):
    neighbour = make_user("nina@example.org", name="Nina")
    make_membership(neighbour, saint_malo, state="verified")
    posts = [post_of(member, kind, client_id=kind) for kind in ("help_request", "event", "classified", "loan_offer")]
    post_of(outsider, "event", client_id="elsewhere")
    client = client_for(neighbour)
    listed = client.get("/api/v1/feed/posts/").json()
    assert [p["card"]["post_id"] for p in listed["posts"]] == [p.pk for p in reversed(posts)]
    assert listed["next_before"] is None
    page = client.get("/api/v1/feed/posts/?limit=3").json()
    assert len(page["posts"]) == 3 and page["next_before"] == posts[1].pk
    rest = client.get(f"/api/v1/feed/posts/?limit=3&before={page['next_before']}").json()
    assert [p["card"]["post_id"] for p in rest["posts"]] == [posts[0].pk]
    kinds = client.get("/api/v1/feed/posts/?kind=event&kind=classified").json()
    assert [p["card"]["kind"] for p in kinds["posts"]] == ["classified", "event"]
    client_for(member).post(f"/api/v1/feed/posts/{posts[2].pk}/status/", {"status": "closed"}, format="json")
    closed = client.get("/api/v1/feed/posts/?status=closed").json()
    assert [p["card"]["post_id"] for p in closed["posts"]] == [posts[2].pk]
    found = client.get("/api/v1/feed/posts/?q=LOAN_offer").json()
    assert [p["card"]["post_id"] for p in found["posts"]] == [posts[3].pk]
    assert client.get("/api/v1/feed/posts/?status=lost").status_code == 400


def test_the_list_is_only_for_ones_neighbourhood(client_for, member, outsider, applicant, saint_malo, post_of):
    post_of(member)
    response = client_for(outsider).get(f"/api/v1/feed/posts/?neighbourhood_id={saint_malo.id}")
    assert response.status_code == 403 and response.json()["code"] == "not_member"
    assert client_for(outsider).get("/api/v1/feed/posts/").json()["posts"] == []
    assert client_for(applicant).get("/api/v1/feed/posts/").status_code == 403
    assert client_for(None).get("/api/v1/feed/posts/").status_code == 401


def test_answer_pick_and_finish_over_rest(client_for, member, saint_malo, post_of):
    neighbour = make_user("nina@example.org", name="Nina")
    make_membership(neighbour, saint_malo, state="verified")
    post = post_of(member, "loan_request")
    answer = client_for(neighbour).post(f"/api/v1/feed/posts/{post.pk}/responses/")
    assert answer.status_code == 201
    assert client_for(neighbour).post(f"/api/v1/feed/posts/{post.pk}/responses/").json() == answer.json()
    rooms = client_for(neighbour).get("/api/v1/chat/rooms/").json()
    assert answer.json()["room_id"] in [r["id"] for r in rooms if r["kind"] == "direct"]
    own = client_for(member).post(f"/api/v1/feed/posts/{post.pk}/responses/")
    assert own.status_code == 409 and own.json()["code"] == "own_post"
    picked = client_for(member).post(f"/api/v1/feed/posts/{post.pk}/responder/", {"user_id": neighbour.id}, format="json")
    assert picked.status_code == 200 and picked.json()["card"]["status"] == "taken"
    taken = client_for(member).post(f"/api/v1/feed/posts/{post.pk}/status/", {"status": "taken"}, format="json")
    assert taken.status_code == 400
    done = client_for(member).post(f"/api/v1/feed/posts/{post.pk}/status/", {"status": "done"}, format="json")
    assert done.json()["card"]["status"] == "done"


def test_someone_elses_post_cannot_be_changed(client_for, member, saint_malo, post_of):
    neighbour = make_user("nina@example.org", name="Nina")
    make_membership(neighbour, saint_malo, state="verified")
    post = post_of(member)
    response = client_for(neighbour).post(f"/api/v1/feed/posts/{post.pk}/status/", {"status": "closed"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_post_author"
    assert Post.objects.get(pk=post.pk).status == "open"


def test_rsvp_over_rest(client_for, member, post_of):
    event = post_of(member, "event")
    response = client_for(member).put(f"/api/v1/feed/posts/{event.pk}/rsvp/", {"going": True}, format="json")
    assert response.status_code == 200 and response.json()["card"]["going"] == 1
