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
    assert response.status_code == 422 and response.json()["code"] == "end_before_start"
    assert response.json()["field"] == "end"
    response = create(client_for(member), kind="classified", details={"mode": "sell", "item": "Vélo", "price_cents": -1})
    assert response.status_code == 422
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
    post = post_of(member, "help_request")
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


def test_loans_and_the_profile_over_rest(client_for, member, saint_malo, post_of):
    from django.utils import timezone

    neighbour = make_user("nina@example.org", name="Nina")
    make_membership(neighbour, saint_malo, state="verified")
    end = timezone.localdate().isoformat()
    offer = post_of(member, "loan_offer", details={"item": "Raclette", "start": end, "end": end})
    client_for(neighbour).post(f"/api/v1/feed/posts/{offer.pk}/responses/")
    bad = client_for(member).post(f"/api/v1/feed/posts/{offer.pk}/responder/",
                                  {"user_id": neighbour.id, "return_due": "2020-01-01"}, format="json")
    assert bad.status_code == 422 and bad.json()["code"] == "in_the_past"
    client_for(member).post(f"/api/v1/feed/posts/{offer.pk}/responder/", {"user_id": neighbour.id}, format="json")
    [loan] = client_for(neighbour).get("/api/v1/feed/loans/").json()
    assert (loan["item"], loan["lender"]["id"], loan["borrower"]["id"], loan["return_due"]) == ("Raclette", member.id, neighbour.id, end)
    assert client_for(neighbour).post(f"/api/v1/feed/loans/{loan['id']}/returned/").json()["code"] == "not_lender"
    returned = client_for(member).post(f"/api/v1/feed/loans/{loan['id']}/returned/")
    assert returned.status_code == 200 and returned.json()["returned_at"]
    profile = client_for(member).get(f"/api/v1/feed/members/{neighbour.id}/").json()
    assert (profile["person"]["display_name"], profile["loans_borrowed"], profile["loans_returned_on_time"]) == ("Nina", 1, 1)
    assert client_for(member).get(f"/api/v1/feed/members/{member.id}/").json()["loans_given"] == 1


def test_a_profile_is_for_neighbours_only(client_for, member, outsider):
    response = client_for(outsider).get(f"/api/v1/feed/members/{member.id}/")
    assert response.status_code == 404


def test_a_group_purchase_over_rest(client_for, member, saint_malo, post_of):
    from datetime import timedelta

    from django.utils import timezone

    neighbour = make_user("nina@example.org", name="Nina")
    make_membership(neighbour, saint_malo, state="verified")
    deadline = (timezone.now() + timedelta(days=3)).isoformat()
    post = post_of(member, "group_purchase", details={**VALID["group_purchase"], "deadline": deadline})
    committed = client_for(neighbour).put(f"/api/v1/feed/posts/{post.pk}/commitment/", {"quantity": 4}, format="json")
    assert committed.status_code == 200 and committed.json()["card"]["purchase"]["committed"] == 4
    too_much = client_for(neighbour).put(f"/api/v1/feed/posts/{post.pk}/commitment/", {"quantity": 41}, format="json")
    assert too_much.status_code == 409 and too_much.json()["remaining"] == 40
    negative = client_for(neighbour).put(f"/api/v1/feed/posts/{post.pk}/commitment/", {"quantity": -1}, format="json")
    assert negative.status_code == 422 and negative.json()["code"] == "invalid_quantity"
    paid = client_for(member).put(f"/api/v1/feed/posts/{post.pk}/commitments/{neighbour.id}/paid/", {"paid": True}, format="json")
    assert paid.json()["card"]["purchase"]["commitments"][0]["owes_cents"] == 0
    listed = client_for(neighbour).get("/api/v1/feed/posts/?kind=group_purchase").json()["posts"][0]
    assert listed["card"]["purchase"]["paid_quantity"] == 4


def test_the_map_shows_posts_in_cells_and_partners(client_for, member, outsider, saint_malo, dinard, post_of):
    from backend.feed.models import Partner
    from backend.neighbourhoods.domain import snap_to_grid
    from backend.trust.models import Membership

    post = post_of(member, "help_request")
    closed = post_of(member, "classified")
    client_for(member).post(f"/api/v1/feed/posts/{closed.pk}/status/", {"status": "closed"}, format="json")
    post_of(outsider, "help_request")
    home = Membership.objects.get(user=member)
    car = Partner.objects.create(name="Marguerite", category="car_sharing", latitude=48.6493, longitude=-2.0250,
                                 link="https://example.org/autopartage")
    car.neighbourhoods.add(saint_malo)
    Partner.objects.create(name="Ailleurs", category="shop", latitude=48.6493, longitude=-2.0251).neighbourhoods.add(dinard)
    Partner.objects.create(name="Fermé", category="shop", latitude=48.6493, longitude=-2.0252, active=False).neighbourhoods.add(saint_malo)

    response = client_for(member).get("/api/v1/feed/map/?bbox=-2.2,48.5,-1.9,48.8")
    assert response.status_code == 200
    features = response.json()["features"]
    posts = [f for f in features if f["properties"]["type"] == "post"]
    partners = [f for f in features if f["properties"]["type"] == "partner"]
    assert [f["properties"]["post_id"] for f in posts] == [post.pk]
    assert [f["properties"]["name"] for f in partners] == ["Marguerite"]
    longitude, latitude = posts[0]["geometry"]["coordinates"]
    assert (latitude, longitude) == snap_to_grid(home.latitude, home.longitude) != (home.latitude, home.longitude)
    assert "street" not in str(response.json()) and "Rue de Dinan" not in str(response.json())

    elsewhere = client_for(member).get("/api/v1/feed/map/?bbox=2.0,48.5,2.3,48.8").json()
    assert elsewhere["features"] == []
    for bbox, code in (("-1.9,48.5,-2.2,48.8", "invalid_bbox"), ("-3,48,-1,49", "bbox_too_large"), ("x", "invalid_bbox")):
        refused = client_for(member).get(f"/api/v1/feed/map/?bbox={bbox}")
        assert refused.status_code == 422 and refused.json()["code"] == code
    assert client_for(member).get("/api/v1/feed/map/").status_code == 400
