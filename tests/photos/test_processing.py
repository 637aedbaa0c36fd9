"""backend/photos/processing.py: what is stored of a photo, pixel by pixel and byte by byte."""

import io
import time

import pytest
from PIL import Image

from backend.photos import processing
from tests.photos.conftest import (
    COMMENT, XMP, animated_webp, avif, halves, heic, heic_branded, jpeg, jpeg_segments, png, png_bomb,
    png_with_metadata, webp_chunks, webp_with_metadata,
)

LIMITS = {"max_pixels": 50_000_000, "long_side": 2048, "thumbnail_side": 400}
# What a clean JPEG may hold before its pixels: JFIF, tables, frame and Huffman tables.
PLAIN_SEGMENTS = {0xE0, 0xDB, 0xC0, 0xC1, 0xC2, 0xC4, 0xDD}


def run(data: bytes) -> processing.Processed:
    return processing.process(io.BytesIO(data), source_type=processing.sniff(data[:2048]), **LIMITS)


def assert_no_metadata(data: bytes) -> None:
    segments = jpeg_segments(data)
    assert {marker for marker, _ in segments} <= PLAIN_SEGMENTS, [hex(m) for m, _ in segments]
    for needle in (b"Exif", b"GPS", b"xmpmeta", b"iPhone", b"Apple", b"Photoshop", b"8BIM", b"Saint-Malo", COMMENT,
                   b"ICC_PROFILE"):
        assert needle not in data, needle
    stored = Image.open(io.BytesIO(data))
    assert not stored.getexif() and not stored.getexif().get_ifd(0x8825)
    assert not {"exif", "xmp", "comment", "icc_profile", "photoshop"} & set(stored.info)


def gps_of(data: bytes) -> dict:
    return dict(Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825))


def test_a_phone_photo_keeps_its_pixels_and_loses_every_metadata_block():
    original = jpeg()
    # What there was to remove: the position of the home, XMP, a comment, IPTC, the phone.
    assert gps_of(original)[2] == (48.0, 38.0, 57.0)
    assert b"xmpmeta" in original and COMMENT in original and b"8BIM" in original and b"iPhone" in original
    result = run(original)
    assert result.content_type == "image/jpeg" and result.source_type == "image/jpeg"
    assert_no_metadata(result.full.data)
    assert_no_metadata(result.thumbnail.data)


def test_orientation_is_applied_then_forgotten():
    result = run(jpeg(halves(), orientation=6))  # shown turned a quarter clockwise
    stored = Image.open(io.BytesIO(result.full.data)).convert("RGB")
    assert (result.full.width, result.full.height) == stored.size == (40, 60)
    red, blue = stored.getpixel((20, 10)), stored.getpixel((20, 50))
    assert red[0] > 150 > red[2] and blue[2] > 150 > blue[0]  # the left half is on top now
    assert stored.getexif().get(0x0112) is None


def test_a_heic_from_an_iphone_becomes_a_clean_jpeg():
    original = heic()
    assert processing.sniff(original[:2048]) == "image/heic" and gps_of(original)[4] == (2.0, 1.0, 30.0)
    result = run(original)
    assert result.source_type == "image/heic" and result.content_type == "image/jpeg"
    assert (result.full.width, result.full.height) == (60, 40)
    assert_no_metadata(result.full.data)
    turned = Image.open(io.BytesIO(run(heic(orientation=6)).full.data)).convert("RGB")
    assert turned.size == (40, 60) and turned.getpixel((20, 10))[0] > 150 > turned.getpixel((20, 50))[0]


@pytest.mark.parametrize(
    ("major", "compatible", "source_type"),
    [
        (b"heix", (b"mif1", b"heix", b"miaf"), "image/heic"),
        (b"mif1", (b"mif1", b"heix", b"miaf"), "image/heic"),
        (b"mif1", (b"mif1", b"miaf", b"mif1"), "image/heif"),
        (b"heim", (b"mif1", b"heim", b"miaf"), "image/heic"),
        (b"heis", (b"mif1", b"heis", b"miaf"), "image/heic"),
        (b"hevc", (b"mif1", b"hevc", b"miaf"), "image/heic"),
        (b"hevx", (b"mif1", b"hevx", b"miaf"), "image/heic"),
    ],
)
def test_every_heif_brand_pillow_heif_opens_is_taken_and_cleaned(major, compatible, source_type):
    original = heic_branded(major, compatible, orientation=6)
    assert processing.sniff(original[:2048]) == source_type
    result = run(original)
    assert result.source_type == source_type and result.content_type == "image/jpeg"
    assert (result.full.width, result.full.height) == (40, 60)  # turned as its EXIF says
    assert_no_metadata(result.full.data)
    assert_no_metadata(result.thumbnail.data)


def test_avif_is_refused_by_its_type():
    assert processing.sniff(avif()[:2048]) is None


def test_a_png_with_exif_xmp_and_text_chunks_comes_out_clean():
    original = png_with_metadata()
    assert all(chunk in original for chunk in (b"eXIf", b"iTXt", b"tEXt", b"zTXt", b"iCCP", b"xmpmeta", COMMENT))
    assert gps_of(original)[2] == (48.0, 38.0, 57.0)
    result = run(original)
    assert (result.source_type, result.content_type) == ("image/png", "image/jpeg")
    assert (result.full.width, result.full.height) == (40, 60)  # its EXIF orientation applied
    for stored in (result.full.data, result.thumbnail.data):
        assert_no_metadata(stored)
        assert b"Dinan" not in stored and b"Author" not in stored
    # With transparency it is stored as WebP: clean too.
    sticker = Image.new("RGBA", (30, 30), (0, 0, 0, 0))
    sticker.paste((250, 200, 0, 255), (10, 10, 20, 20))
    assert_clean_webp(run(png_with_metadata(sticker)).full.data)


def test_a_webp_with_exif_xmp_and_icc_comes_out_clean():
    original = webp_with_metadata()
    assert {b"EXIF", b"XMP ", b"ICCP"} <= set(webp_chunks(original)) and gps_of(original)[4] == (2.0, 1.0, 30.0)
    result = run(original)
    assert (result.source_type, result.content_type) == ("image/webp", "image/jpeg")
    assert (result.full.width, result.full.height) == (40, 60)
    assert_no_metadata(result.full.data)
    assert_no_metadata(result.thumbnail.data)
    sticker = Image.new("RGBA", (30, 30), (0, 0, 0, 0))
    sticker.paste((250, 200, 0, 255), (10, 10, 20, 20))
    transparent = run(webp_with_metadata(sticker))
    assert transparent.content_type == "image/webp"
    assert_clean_webp(transparent.full.data)
    assert_clean_webp(transparent.thumbnail.data)


def assert_clean_webp(data: bytes) -> None:
    assert set(webp_chunks(data)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}, webp_chunks(data)
    for needle in (b"Exif", b"GPS", b"xmpmeta", XMP[:20], b"iPhone", b"Apple", COMMENT, b"Dinan"):
        assert needle not in data, needle
    stored = Image.open(io.BytesIO(data))
    assert not stored.getexif() and not {"exif", "xmp", "icc_profile"} & set(stored.info)


def test_sizes_are_bounded_and_the_placeholder_is_the_average_colour():
    result = run(png(Image.new("RGB", (3000, 2000), (10, 120, 200))))
    assert (result.full.width, result.full.height) == (2048, 1365)  # resampled
    assert (result.thumbnail.width, result.thumbnail.height) == (400, 267)
    assert Image.open(io.BytesIO(result.full.data)).size == (2048, 1365)
    # Twice as large or more: reduced by a whole factor (a JPEG decodes at that scale).
    big = Image.new("RGB", (4000, 3000), (10, 120, 200))
    assert (run(png(big)).full.width, run(png(big)).full.height) == (2000, 1500)
    result = run(jpeg(big, metadata=False, quality=90))
    assert (result.full.width, result.full.height) == (2000, 1500)
    assert (result.thumbnail.width, result.thumbnail.height) == (400, 300)
    assert Image.open(io.BytesIO(result.thumbnail.data)).size == (400, 300)
    red, green, blue = (int(result.placeholder[i : i + 2], 16) for i in (1, 3, 5))
    assert abs(red - 10) < 6 and abs(green - 120) < 6 and abs(blue - 200) < 6
    small = run(jpeg(halves(), metadata=False))  # never enlarged
    assert (small.full.width, small.full.height) == (60, 40)


def test_transparency_is_kept_as_webp():
    sticker = Image.new("RGBA", (30, 30), (0, 0, 0, 0))
    sticker.paste((250, 200, 0, 255), (10, 10, 20, 20))
    result = run(png(sticker))
    assert result.content_type == "image/webp"
    stored = Image.open(io.BytesIO(result.full.data))
    assert stored.format == "WEBP" and stored.mode == "RGBA" and stored.getpixel((0, 0))[3] == 0
    assert not {"exif", "xmp", "icc_profile"} & set(stored.info)
    opaque = run(png(halves()))  # a PNG without transparency is a photo like any other
    assert opaque.content_type == "image/jpeg"


def test_an_animated_image_keeps_its_first_frame_only():
    result = run(animated_webp())
    assert result.frames == 2
    stored = Image.open(io.BytesIO(result.full.data))
    assert getattr(stored, "n_frames", 1) == 1 and stored.format == "JPEG"
    red, green, _ = stored.convert("RGB").getpixel((25, 25))
    assert green > 150 > red  # the first frame's green, not the second's purple


@pytest.mark.parametrize("size", [(20_000, 20_000), (10_000, 8_000)])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(size):
    bomb = png_bomb(*size)
    assert len(bomb) < 10_000
    started = time.monotonic()
    with pytest.raises(processing.Refused) as refused:
        run(bomb)
    assert refused.value.code == "image_too_many_pixels"
    assert time.monotonic() - started < 1


def test_a_truncated_jpeg_is_unreadable():
    whole = jpeg(Image.effect_noise((300, 200), 64).convert("RGB"), metadata=False)
    with pytest.raises(processing.Refused) as refused:
        run(whole[: len(whole) * 2 // 3])
    assert refused.value.code == "image_unreadable"


def test_a_file_that_only_starts_like_an_image_is_unreadable():
    with pytest.raises(processing.Refused) as refused:
        run(b"\x89PNG\r\n\x1a\n" + b"not really" * 50)
    assert refused.value.code == "image_unreadable"


def test_the_type_comes_from_the_content():
    assert processing.sniff(b"%PDF-1.4\n" + b"0" * 100) is None
    assert processing.sniff(b"GIF89a" + b"0" * 100) is None
    assert processing.sniff(b"hello, this is text") is None
    assert processing.sniff(jpeg()[:2048]) == "image/jpeg"
    assert processing.sniff(png(halves())[:2048]) == "image/png"
    assert processing.sniff(animated_webp()[:2048]) == "image/webp"
