"""Pure rules of photos: what an upload may be, what an attachment may take, and the
signed links that read them. No ORM, no clock (callers pass `now`), no storage."""

import base64
import math
from collections.abc import Sequence

from django.utils.crypto import constant_time_compare, salted_hmac

# Accepted types, read from the content (never the name), and Pillow's name for each.
# Not AVIF (image/avif): the pillow-heif wheel we pin (1.8.1) has no AV1 decoder in its
# libheif (pillow_heif.libheif_info()["AVIF"] is empty; pillow-heif 1.x left AVIF to
# Pillow). Pillow 13 reads AVIF with its own plugin: taking it is adding
# "image/avif": "AVIF" here, with its tests (metadata, bench).
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


# A multipart body carries, besides the file, a few small fields (client_id), its
# boundaries and their headers: what a Content-Length may exceed the largest image by.
MULTIPART_ALLOWANCE = 64 * 1024


def declared_size_refusal(*, content_length: str | None, max_bytes: int) -> str | None:
    """Whether a request whose Content-Length says this cannot carry an image of at most
    `max_bytes`: refused before its body is parsed. Without a length (a chunked body) or
    with a malformed one, the size of the parsed file decides (upload_refusal)."""
    try:
        length = int(content_length or "")
    except ValueError:
        return None
    return "image_too_large" if length > max_bytes + MULTIPART_ALLOWANCE else None


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


# HEIF (ISO/IEC 23008-12) files start with an ftyp box: size, "ftyp", a major brand, a
# minor version, then compatible brands, 4 bytes each. Phones write heic (Apple), heix
# (10 bits), mif1 with heic or miaf, and the sequence brands (hevc, hevx, hevm, hevs)
# for bursts and live photos, whose first image pillow-heif reads. pillow-heif's opener
# looks at the major brand only; libheif then wants a brand it knows among the others.
HEVC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
AVIF_BRANDS = frozenset({b"avif", b"avis"})
# The major brands pillow-heif opens; msf1 (an image sequence) it claims but libheif
# does not open without a still image, so it is not taken.
HEIF_MAJOR_BRANDS = HEVC_BRANDS | {b"mif1"}


def ftyp_brands(head: bytes) -> tuple[bytes, list[bytes]] | None:
    """(major brand, compatible brands) of a file whose first box is an ftyp box, read
    from its first bytes `head`; None for any other file."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    size, start = int.from_bytes(head[:4], "big"), 8
    if size == 1:  # a 64-bit size follows the type
        if len(head) < 24:
            return None
        size, start = int.from_bytes(head[8:16], "big"), 16
    elif size == 0:  # the box runs to the end of the file
        size = len(head)
    if size < start + 8:
        return None
    end = min(size, len(head))
    major = head[start : start + 4]
    compatible = [head[at : at + 4] for at in range(start + 8, end - 3, 4)]
    return major, compatible


def heif_type(head: bytes) -> str | None:
    """The type of a HEIF file from its brands: image/heic (HEVC coded, what iPhones
    write), image/heif (mif1 without an HEVC brand), image/avif (AV1 coded); None when
    it is no HEIF file we can tell (another format, a video, a major brand pillow-heif
    does not open)."""
    brands = ftyp_brands(head)
    if brands is None:
        return None
    major, compatible = brands
    every = {major, *compatible}
    if major in AVIF_BRANDS or (every & AVIF_BRANDS and not every & HEVC_BRANDS):
        return "image/avif"
    if major not in HEIF_MAJOR_BRANDS:
        return None
    return "image/heic" if every & HEVC_BRANDS else "image/heif"
