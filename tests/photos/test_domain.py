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
