"""A photo as we store it: checked within bounds before anything is decoded, turned
upright, reduced to its first frame, converted to sRGB, re-encoded at a bounded size
with a thumbnail, and nothing else: no EXIF (GPS, maker notes), XMP, IPTC, comment
nor ICC profile reaches the stored files, because they are written from pixels only.

Pure: bytes in, bytes out (no ORM, no storage)."""

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from PIL import Image, ImageCms

from backend.photos import domain

JPEG_QUALITY = 82
WEBP_QUALITY = 82
_SRGB = ImageCms.createProfile("sRGB")


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Rendition:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Processed:
    full: Rendition
    thumbnail: Rendition
    content_type: str  # of both renditions: image/jpeg, or image/webp when it has transparency
    placeholder: str  # its average colour, #rrggbb
    source_type: str  # what was uploaded
    frames: int  # frames of the upload; only the first is kept


def sniff(head: bytes) -> str | None:
    """The type read from the first bytes of the file, if it is one we accept. HEIF and
    HEIC by their ftyp box's brands (domain.heif_type): `filetype` knows the heic major
    brand only, not heix, mif1 or the sequence brands that phones write too."""
    if domain.ftyp_brands(head) is not None:
        mime = domain.heif_type(head)
    else:
        kind = filetype.guess(head)
        mime = kind.mime if kind is not None else None
    return mime if mime in domain.PILLOW_FORMATS else None


def process(stream: BinaryIO, *, source_type: str, max_pixels: int, long_side: int, thumbnail_side: int) -> Processed:
    """Raises Refused(image_too_many_pixels | image_unreadable) on a file that is not a
    photo we can safely decode."""
    try:
        with warnings.catch_warnings():
            # Pillow warns (then refuses) past its own bound; ours, lower, is checked below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(stream, formats=[domain.PILLOW_FORMATS[source_type]])
    except Image.DecompressionBombError as exc:
        raise Refused("image_too_many_pixels") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise Refused("image_unreadable") from exc
    with image:
        refusal = domain.pixels_refusal(width=image.width, height=image.height, max_pixels=max_pixels)
        if refusal:
            raise Refused(refusal)
        frames = getattr(image, "n_frames", 1)
        try:
            upright = _decode_upright(image, long_side)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            # A truncated or corrupt file: Pillow never fills in what is missing.
            raise Refused("image_unreadable") from exc
    full = upright
    thumbnail = _bounded(full, thumbnail_side)
    content_type = "image/webp" if full.mode == "RGBA" else "image/jpeg"
    return Processed(
        full=_encode(full, content_type),
        thumbnail=_encode(thumbnail, content_type),
        content_type=content_type,
        placeholder=_average_colour(thumbnail),
        source_type=source_type,
        frames=frames,
    )


# EXIF orientation -> the transposition that shows the image upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _decode_upright(image: Image.Image, long_side: int) -> Image.Image:
    """The first frame, decoded (a JPEG at a reduced scale when it is large), within
    `long_side`, turned as its orientation says, in sRGB, RGB or RGBA. Scaling comes
    first, so that turning and colour conversion work on the smaller image."""
    if image.format == "JPEG":
        # JPEG decodes at 1/2, 1/4 or 1/8 of its size for a fraction of the cost: the
        # smallest scale that keeps 3/4 of `long_side` (a 12 MP photo: 2016 px, no
        # resampling). Sides as stored: turning comes after and keeps the long side.
        image.draft("RGB", domain.fit(image.width, image.height, long_side * 3 // 4))
    image.load()
    icc_profile = image.info.get("icc_profile")
    orientation = image.getexif().get(0x0112, 1)
    mode = "RGBA" if _has_alpha(image) else "RGB"
    if image.mode != mode:
        image = image.convert(mode)
    # Other formats decode whole: first an integer reduction (a box average, cheap) as
    # far as 3/4 of `long_side`, as JPEG's scaled decoding does, then Lanczos if needed.
    factor = max(image.size) // (long_side * 3 // 4)
    if factor >= 2:
        image = image.reduce(factor)
    if max(image.size) > long_side:
        image = image.resize(domain.fit(image.width, image.height, long_side), Image.Resampling.LANCZOS)
    if orientation in _UPRIGHT:
        image = image.transpose(_UPRIGHT[orientation])
    if mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            image = ImageCms.profileToProfile(image, source, _SRGB, outputMode=image.mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unusable profile: the pixels as they are
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _bounded(image: Image.Image, longest: int) -> Image.Image:
    if max(image.size) <= longest:
        return image
    bounded = image.copy()
    bounded.thumbnail((longest, longest), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return bounded


def _encode(image: Image.Image, content_type: str) -> Rendition:
    # Written from the pixels alone: no info carried over (EXIF, XMP, ICC, comments).
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if content_type == "image/jpeg":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        clean.save(out, "WEBP", quality=WEBP_QUALITY)
    return Rendition(out.getvalue(), image.width, image.height)


def _average_colour(image: Image.Image) -> str:
    red, green, blue = image.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    return f"#{red:02x}{green:02x}{blue:02x}"
