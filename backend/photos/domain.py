"""Pure rules of photos: what an upload may be, what an attachment may take, and the
signed links that read them. No ORM, no clock (callers pass `now`), no storage."""

import base64
import math
from collections.abc import Sequence

from django.utils.crypto import constant_time_compare, salted_hmac

# Accepted types, read from the content (never the name), and Pillow's name for each.
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/heic": "HEIF",
    "image/heif": "HEIF",
}
VARIANTS = ("full", "thumbnail")
UPLOADS_PER_WINDOW = 60
UPLOAD_WINDOW_SECONDS = 600
# A link stays the same for this long, so that clients and browsers cache what they read.
LINK_STEP_SECONDS = 900


def upload_refusal(*, size: int, content_type: str | None, max_bytes: int) -> str | None:
    if size > max_bytes:
        return "image_too_large"
    if content_type not in PILLOW_FORMATS:
        return "image_type_not_allowed"
    return None


def pixels_refusal(*, width: int, height: int, max_pixels: int) -> str | None:
    """Checked on the dimensions the file declares, before anything is decoded: a
    20,000 x 20,000 PNG of a few kilobytes would take 1.6 GB once decoded."""
    if width <= 0 or height <= 0:
        return "image_unreadable"
    if width * height > max_pixels:
        return "image_too_many_pixels"
    return None


def fit(width: int, height: int, longest: int) -> tuple[int, int]:
    """The size of an image of width x height shrunk (never enlarged) to at most
    `longest` on its long side, keeping its proportions."""
    if max(width, height) <= longest:
        return width, height
    scale = longest / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def attach_refusal(
    *, asked: Sequence[int], limit: int, owned_free: set[int], owned_attached: set[int]
) -> str | None:
    """Why images may not attach to an object: more than `limit`, one that is not hers
    (or does not exist), one already attached elsewhere."""
    if len(asked) > limit:
        return "too_many_images"
    if any(image_id not in owned_free | owned_attached for image_id in asked):
        return "image_not_found"
    if any(image_id in owned_attached for image_id in asked):
        return "image_already_attached"
    return None


# Signed links: /api/v1/photos/<id>/<variant>/?expires=<unix time>&signature=<mac>


def link_expiry(*, now: float, ttl_seconds: int, step_seconds: int = LINK_STEP_SECONDS) -> int:
    """When a link made now expires: at least `ttl_seconds` ahead, rounded up to a
    multiple of `step_seconds`, so that every link made within one step is the same."""
    return math.ceil((now + ttl_seconds) / step_seconds) * step_seconds


def link_signature(image_id: int, variant: str, expires: int, *, secret: str) -> str:
    mac = salted_hmac("voisins.photos.link", f"{image_id}:{variant}:{expires}", secret=secret, algorithm="sha256")
    return base64.urlsafe_b64encode(mac.digest()[:18]).decode()


def link_refusal(image_id: int, variant: str, expires: str, signature: str, *, now: float, secret: str) -> str | None:
    """Whether a link is the one we signed (image_link_invalid otherwise), and still
    valid (image_link_expired)."""
    if variant not in VARIANTS or not expires.isdigit() or len(expires) > 12:
        return "image_link_invalid"
    if not constant_time_compare(signature, link_signature(image_id, variant, int(expires), secret=secret)):
        return "image_link_invalid"
    if int(expires) <= now:
        return "image_link_expired"
    return None
