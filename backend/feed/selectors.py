"""Reads of the feed."""

from django.db.models import Count, Q, QuerySet

from backend.accounts.models import User
from backend.common.errors import VoisinsError
from backend.feed.models import Post
from backend.trust.selectors import neighbourhood_access


def posts_with_counts() -> QuerySet[Post]:
    return Post.objects.select_related("author", "responder").annotate(
        response_count=Count("responses", distinct=True), going_count=Count("rsvps", distinct=True)
    )


def post_for_reader(*, user: User, post_id: int) -> Post:
    """The post, with its counts, if she may read its neighbourhood; post_not_found
    otherwise (a post of another neighbourhood does not exist for her)."""
    post = posts_with_counts().filter(pk=post_id).first()
    if post is None or not neighbourhood_access(user=user, neighbourhood_id=post.neighbourhood_id).can_read:
        raise VoisinsError("post_not_found")
    return post


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
    posts = posts_with_counts().filter(neighbourhood_id=neighbourhood_id)
    if kinds:
        posts = posts.filter(kind__in=kinds)
    if statuses:
        posts = posts.filter(status__in=statuses)
    if text:
        posts = posts.filter(Q(title__icontains=text) | Q(text__icontains=text))
    if before_id is not None:
        posts = posts.filter(pk__lt=before_id)
    return list(posts.order_by("-pk")[:limit])
