"""A post as its card shows it (frontend-contract/websocket/post.json#/$defs/card)."""

from typing import Any

from backend.chat.frames import person
from backend.feed.models import Post


def card(post: Post, *, responses: int, going: int) -> dict[str, Any]:
    return {
        "post_id": post.pk,
        "neighbourhood_id": post.neighbourhood_id,
        "kind": post.kind,
        "status": post.status,
        "title": post.title,
        "text": post.text,
        "details": post.details,
        "author": person(post.author),
        "responder": person(post.responder) if post.responder_id else None,
        "responses": responses,
        "going": going,
        "expires_at": post.expires_at.isoformat(),
        "created_at": post.created_at.isoformat(),
    }
