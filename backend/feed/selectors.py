"""Reads of the feed."""

from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from backend.accounts.models import User
from backend.chat.selectors import readable_neighbourhood_ids
from backend.common.errors import VoisinsError
from backend.common.personal_data import Section
from backend.feed import domain
from backend.feed.models import Commitment, Loan, Partner, Post, Response, Rsvp
from backend.photos import selectors as photo_selectors
from backend.photos.models import Image
from backend.trust.selectors import neighbourhood_access, may_moderate


def posts_with_counts() -> QuerySet[Post]:
    return (
        Post.objects.select_related("author", "responder", "message")
        .annotate(response_count=Count("responses", distinct=True), going_count=Count("rsvps", distinct=True))
        .prefetch_related(Prefetch("commitments", Commitment.objects.select_related("user").order_by("pk")))
    )


def post_for_reader(*, user: User, post_id: int) -> Post:
    """The post, with its counts, if she may read its neighbourhood; post_not_found
    otherwise (a post of another neighbourhood does not exist for her)."""
    post = posts_with_counts().filter(pk=post_id, deleted_at=None).first()
    access = neighbourhood_access(user=user, neighbourhood_id=post.neighbourhood_id) if post else None
    # A post its author deleted exists for nobody; one a moderator removed, for the moderators.
    if post is None or not access.can_read or (post.removed_at is not None and not access.is_moderator):
        raise VoisinsError("post_not_found")
    return post


def _hidden(post: Post) -> bool:
    """Removed by a moderator, or its card hidden after reports: residents see none of its photos."""
    return post.removed_at is not None or (post.message is not None and post.message.hidden_at is not None)


def post_images_visible(user: User, post_id: int) -> bool:
    """Who sees a post's photos (registered with photos by FeedConfig.ready): the readers
    of its neighbourhood while it is neither removed nor hidden; its moderators always."""
    post = Post.objects.select_related("message").filter(pk=post_id, deleted_at=None).first()
    if post is None:
        return False
    access = neighbourhood_access(user=user, neighbourhood_id=post.neighbourhood_id)
    return access.can_read and (access.is_moderator or not _hidden(post))


def posts_images(*, user: User, posts: list[Post]) -> dict[int, list[Image]]:
    """The photos of each post she may see, in one query (and one per neighbourhood
    with a hidden post, to ask whether she moderates it)."""
    images = photo_selectors.images_of(kind="post", object_ids=[post.pk for post in posts])
    moderates: dict[int, bool] = {}
    for post in posts:
        if images[post.pk] and _hidden(post):
            if post.neighbourhood_id not in moderates:
                moderates[post.neighbourhood_id] = may_moderate(user=user, neighbourhood_id=post.neighbourhood_id)
            if not moderates[post.neighbourhood_id]:
                images[post.pk] = []
    return images


def post_list(
    *,
    neighbourhood_id: int,
    kinds: list[str] | None = None,
    statuses: list[str] | None = None,
    text: str = "",
    before_id: int | None = None,
    limit: int = 20,
) -> list[Post]:
    """Newest first; `before_id` is the cursor (the id of the last post of the page before)."""
    posts = posts_with_counts().filter(neighbourhood_id=neighbourhood_id, removed_at=None, deleted_at=None)
    if kinds:
        posts = posts.filter(kind__in=kinds)
    if statuses:
        posts = posts.filter(status__in=statuses)
    if text:
        posts = posts.filter(Q(title__icontains=text) | Q(text__icontains=text))
    if before_id is not None:
        posts = posts.filter(pk__lt=before_id)
    return list(posts.order_by("-pk")[:limit])


def loans_of(*, user: User) -> list[Loan]:
    """Her loans, as lender or borrower, the ongoing ones first."""
    return list(
        Loan.objects.filter(Q(lender=user) | Q(borrower=user))
        .select_related("lender", "borrower")
        .order_by(F("returned_at").desc(nulls_first=True), "return_due", "pk")
    )


def loan_record(*, user: User) -> dict[str, int]:
    """What her profile shows: loans she gave, and of those she borrowed, how many came
    back on time."""
    given = Loan.objects.filter(lender=user).count()
    returned = Loan.objects.filter(borrower=user).exclude(returned_at=None)
    on_time = sum(
        domain.returned_on_time(return_due=due, returned_on=timezone.localdate(at))
        for due, at in returned.values_list("return_due", "returned_at")
    )
    return {"loans_given": given, "loans_borrowed": Loan.objects.filter(borrower=user).count(),
            "loans_returned_on_time": on_time, "loans_returned_late": returned.count() - on_time}


def profile_target(*, viewer: User, user_id: int) -> User:
    """Someone whose profile she may see: herself or a member of one of her neighbourhoods."""
    target = User.objects.filter(pk=user_id, is_active=True).first()
    if target is None:
        raise VoisinsError("not_found")
    if target.pk != viewer.pk and not set(readable_neighbourhood_ids(user=viewer)) & set(
        readable_neighbourhood_ids(user=target)
    ):
        raise VoisinsError("not_found")
    return target


def map_features(*, user: User, bbox: tuple[float, float, float, float]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the live posts of her neighbourhoods and of their
    partners within `bbox` (west, south, east, north). Post positions are grid cells,
    never addresses."""
    west, south, east, north = bbox
    neighbourhood_ids = readable_neighbourhood_ids(user=user)
    inside = Q(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
    posts = (
        Post.objects.filter(inside, neighbourhood_id__in=neighbourhood_ids, status__in=["open", "taken"], removed_at=None,
                            deleted_at=None)
        .order_by("-pk")
        .values("pk", "kind", "status", "title", "latitude", "longitude", "neighbourhood_id")[:MAP_LIMIT]
    )
    partners = (
        Partner.objects.filter(inside, active=True, neighbourhoods__in=neighbourhood_ids)
        .distinct()
        .order_by("name")
        .values("pk", "name", "category", "offer", "link", "latitude", "longitude")[:MAP_LIMIT]
    )
    features = [
        _feature(p["longitude"], p["latitude"], {"type": "post", "post_id": p["pk"], "kind": p["kind"],
                 "status": p["status"], "title": p["title"], "neighbourhood_id": p["neighbourhood_id"]})
        for p in posts
    ] + [
        _feature(p["longitude"], p["latitude"], {"type": "partner", "partner_id": p["pk"], "name": p["name"],
                 "category": p["category"], "offer": p["offer"], "link": p["link"]})
        for p in partners
    ]
    return {"type": "FeatureCollection", "features": features}


MAP_LIMIT = 500


def _feature(longitude: float, latitude: float, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": properties}


def personal_data_export(user: User) -> Section:
    """Her part of the feed for her data export (backend.common.personal_data): her
    posts, her answers and RSVPs, her loans and her shares of group purchases; other
    people by display name only."""
    def name(person: User | None) -> str | None:
        return person.display_name if person else None

    posts = Post.objects.filter(author=user).select_related("neighbourhood", "responder").order_by("created_at", "pk")
    responses = Response.objects.filter(responder=user).select_related("post__author").order_by("created_at", "pk")
    rsvps = Rsvp.objects.filter(user=user).select_related("post").order_by("created_at", "pk")
    loans = Loan.objects.filter(Q(lender=user) | Q(borrower=user)).select_related("lender", "borrower").order_by("created_at")
    shares = Commitment.objects.filter(user=user).select_related("post__author").order_by("updated_at", "pk")
    return Section(data={
        "posts": [{"id": p.pk, "neighbourhood": p.neighbourhood.name, "kind": p.kind, "title": p.title, "text": p.text,
                   "details": p.details, "status": p.status, "responder": name(p.responder),
                   "created_at": p.created_at, "expires_at": p.expires_at, "removed_by_moderators_at": p.removed_at,
                   "deleted_at": p.deleted_at}
                  for p in posts],
        "responses": [{"post_id": r.post_id, "post_title": r.post.title, "post_author": name(r.post.author),
                       "created_at": r.created_at} for r in responses],
        "rsvps": [{"post_id": r.post_id, "post_title": r.post.title, "created_at": r.created_at} for r in rsvps],
        "loans": [{"id": loan.pk, "post_id": loan.post_id, "item": loan.item,
                   "role": "lender" if loan.lender_id == user.pk else "borrower",
                   "with": name(loan.borrower if loan.lender_id == user.pk else loan.lender),
                   "return_due": loan.return_due, "created_at": loan.created_at, "returned_at": loan.returned_at}
                  for loan in loans],
        "purchase_shares": [{"post_id": c.post_id, "post_title": c.post.title, "organiser": name(c.post.author),
                             "quantity": c.quantity, "paid": c.paid, "updated_at": c.updated_at} for c in shares],
    })
