"""The image object of the contract (frontend-contract/websocket/image.json), with
fresh signed links. Links are not per reader: one object serves every reader of a
frame (encoded once), and the view that serves a link checks who asks."""

import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from backend.photos import domain
from backend.photos.models import Image


def link(image_id: int, variant: str, expires: int) -> str:
    """A path on this server (clients put the API's origin in front)."""
    signature = domain.link_signature(image_id, variant, expires, secret=settings.SECRET_KEY)
    path = reverse("photos-file", kwargs={"image_id": image_id, "variant": variant})
    return f"{path}?{urlencode({'expires': expires, 'signature': signature})}"


def _links(image_id: int, now: float | None) -> dict[str, Any]:
    expires = domain.link_expiry(now=time.time() if now is None else now, ttl_seconds=settings.PHOTOS_URL_TTL_SECONDS)
    return {
        "url": link(image_id, "full", expires),
        "thumbnail_url": link(image_id, "thumbnail", expires),
        "expires_at": _iso(expires),
    }


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()


def image_body(image: Image, *, now: float | None = None) -> dict[str, Any]:
    return {
        "id": image.pk,
        "width": image.width,
        "height": image.height,
        "thumbnail_width": image.thumbnail_width,
        "thumbnail_height": image.thumbnail_height,
        "placeholder": image.placeholder,
        "content_type": image.content_type,
        **_links(image.pk, now),
    }


def image_bodies(images: list[Image], *, now: float | None = None) -> list[dict[str, Any]]:
    return [image_body(image, now=now) for image in images]


def refreshed(bodies: list[dict[str, Any]] | None, *, now: float | None = None) -> list[dict[str, Any]]:
    """Image objects stored earlier (in a card) with links that are valid now."""
    return [{**body, **_links(body["id"], now)} for body in bodies or ()]
