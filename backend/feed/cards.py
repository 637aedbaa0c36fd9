"""A post as its card shows it (frontend-contract/websocket/post.json#/$defs/card)."""

from typing import Any

from backend.chat.frames import person
from backend.feed.models import Commitment, Post


def card(
    post: Post, *, responses: int, going: int, commitments: list[Commitment], images: list[dict[str, Any]]
) -> dict[str, Any]:
    """`images`: image objects (backend.photos.frames), [] when the reader may not see them."""
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
        "purchase": _purchase(post, commitments) if post.kind == "group_purchase" else None,
        "images": images,
        "expires_at": post.expires_at.isoformat(),
        "created_at": post.created_at.isoformat(),
    }


def _purchase(post: Post, commitments: list[Commitment]) -> dict[str, Any]:
    price = post.details["unit_price_cents"]
    return {
        "committed": sum(c.quantity for c in commitments),
        "paid_quantity": sum(c.quantity for c in commitments if c.paid),
        "outcome": post.outcome or None,
        "commitments": [
            {
                "person": person(c.user),
                "quantity": c.quantity,
                "amount_cents": c.quantity * price,
                "paid": c.paid,
                "owes_cents": 0 if c.paid else c.quantity * price,
            }
            for c in commitments
        ],
    }
