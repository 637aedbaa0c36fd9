import pytest

from backend.photos import domain

SECRET = "s3cret"


def test_links_are_the_same_within_a_step_and_last_at_least_the_ttl():
    first = domain.link_expiry(now=1_000_000.0, ttl_seconds=3600)
    assert first % domain.LINK_STEP_SECONDS == 0 and 3600 <= first - 1_000_000 < 3600 + domain.LINK_STEP_SECONDS
    assert domain.link_expiry(now=1_000_000.0 + 60, ttl_seconds=3600) == first


def test_a_link_is_refused_when_altered_or_expired():
    signature = domain.link_signature(7, "full", 2000, secret=SECRET)
    assert domain.link_refusal(7, "full", "2000", signature, now=1000, secret=SECRET) is None
    assert domain.link_refusal(7, "full", "2000", signature, now=2000, secret=SECRET) == "image_link_expired"
    for image_id, variant, expires, sig in [
        (8, "full", "2000", signature),  # another image
        (7, "thumbnail", "2000", signature),  # another file
        (7, "full", "2600", signature),  # a longer life
        (7, "full", "2000", signature[:-1] + ("A" if signature[-1] != "A" else "B")),
        (7, "full", "-2000", signature),
        (7, "full", "", ""),
        (7, "original", "2000", domain.link_signature(7, "original", 2000, secret=SECRET)),
    ]:
        assert domain.link_refusal(image_id, variant, expires, sig, now=1000, secret=SECRET) == "image_link_invalid"
    other_key = domain.link_signature(7, "full", 2000, secret="another")
    assert domain.link_refusal(7, "full", "2000", other_key, now=1000, secret=SECRET) == "image_link_invalid"


@pytest.mark.parametrize(
    ("asked", "free", "attached", "refusal"),
    [
        ([1, 2], {1, 2}, set(), None),
        ([1, 2, 3], {1, 2, 3}, set(), "too_many_images"),
        ([1, 9], {1}, set(), "image_not_found"),  # someone else's, or gone
        ([1, 2], {1}, {2}, "image_already_attached"),
    ],
)
def test_attach_refusals(asked, free, attached, refusal):
    assert domain.attach_refusal(asked=asked, limit=2, owned_free=free, owned_attached=attached) == refusal


def test_upload_and_pixel_refusals():
    assert domain.upload_refusal(size=10, content_type="image/heic", max_bytes=100) is None
    assert domain.upload_refusal(size=101, content_type="image/jpeg", max_bytes=100) == "image_too_large"
    assert domain.upload_refusal(size=10, content_type=None, max_bytes=100) == "image_type_not_allowed"
    assert domain.upload_refusal(size=10, content_type="image/gif", max_bytes=100) == "image_type_not_allowed"
    assert domain.pixels_refusal(width=8064, height=6048, max_pixels=50_000_000) is None  # a 48 MP phone
    assert domain.pixels_refusal(width=20_000, height=20_000, max_pixels=50_000_000) == "image_too_many_pixels"
    assert domain.fit(4032, 3024, 2048) == (2048, 1536) and domain.fit(300, 200, 400) == (300, 200)


def ftyp(major: bytes, *compatible: bytes, size: int | None = None) -> bytes:
    """An ftyp box as a HEIF file starts, then a few bytes of what follows."""
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (size if size is not None else 8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00\x00\x00\x08meta"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (ftyp(b"heic", b"mif1", b"heic"), "image/heic"),  # an iPhone
        (ftyp(b"heix", b"mif1", b"heix"), "image/heic"),  # 10 bits
        (ftyp(b"mif1", b"mif1", b"heix"), "image/heic"),
        (ftyp(b"mif1", b"mif1", b"heic", b"miaf"), "image/heic"),  # Samsung
        (ftyp(b"mif1", b"mif1", b"miaf"), "image/heif"),  # no HEVC brand: libheif says what is inside
        (ftyp(b"heim", b"mif1"), "image/heic"),
        (ftyp(b"heis", b"mif1"), "image/heic"),
        (ftyp(b"hevc", b"mif1", b"heic"), "image/heic"),  # a burst or live photo: its first image
        (ftyp(b"hevx", b"msf1", b"hevx"), "image/heic"),
        (ftyp(b"avif", b"mif1", b"miaf", b"MA1B"), "image/avif"),
        (ftyp(b"avis", b"msf1", b"avif"), "image/avif"),
        (ftyp(b"mif1", b"mif1", b"avif", b"miaf"), "image/avif"),  # AV1 inside a generic brand
        (ftyp(b"msf1", b"msf1", b"hevc"), None),  # a sequence alone: libheif does not open it
        (ftyp(b"miaf", b"mif1", b"heic"), None),  # a major brand pillow-heif does not take
        (ftyp(b"isom", b"isom", b"avc1", b"mp41"), None),  # a video
        (ftyp(b"qt  ", b"qt  "), None),
        (ftyp(b"heic", size=12), None),  # a box too short for its own brands
        (b"\x00\x00\x00\x18ftyphei", None),  # cut short
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00", None),  # not ISO-BMFF at all
        (b"", None),
    ],
)
def test_heif_type_comes_from_the_ftyp_brands(head, expected):
    assert domain.heif_type(head) == expected


def test_ftyp_brands_reads_every_compatible_brand_within_the_box():
    assert domain.ftyp_brands(ftyp(b"mif1", b"mif1", b"miaf", b"heix")) == (b"mif1", [b"mif1", b"miaf", b"heix"])
    # What follows the box (here "meta") is not a brand, and a box cut by the head keeps what it has.
    assert domain.ftyp_brands(ftyp(b"heic", b"mif1", b"heic")[:22]) == (b"heic", [b"mif1"])
    large = (1).to_bytes(4, "big") + b"ftyp" + (32).to_bytes(8, "big") + b"heix" + b"\x00" * 4 + b"mif1heix"
    assert domain.ftyp_brands(large) == (b"heix", [b"mif1", b"heix"])  # a 64-bit size
    assert domain.heif_type(large) == "image/heic"


def test_a_content_length_too_large_is_refused_before_the_body_is_read():
    limit = 20 * 1024 * 1024
    assert domain.declared_size_refusal(content_length=str(limit + domain.MULTIPART_ALLOWANCE), max_bytes=limit) is None
    assert domain.declared_size_refusal(content_length=str(limit + domain.MULTIPART_ALLOWANCE + 1),
                                        max_bytes=limit) == "image_too_large"
    for unknown in (None, "", "chunked", "-"):  # measured once parsed instead
        assert domain.declared_size_refusal(content_length=unknown, max_bytes=limit) is None
