"""Photos made in the tests with Pillow: a phone photo with its GPS position, XMP, a
comment and an IPTC block; HEIC; PNG with transparency; animated WebP; bombs. And the
S3 path on moto's standalone server."""

import io
import os
import struct
import zlib

import pytest
from PIL import Image, ImageCms

from tests import servers

GPS_IFD = 0x8825
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,38.95N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
COMMENT = b"chez nous, 12 rue de Dinan"
# An IPTC (Photoshop APP13) block naming the city.
IPTC = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0e\x1c\x02\x5a\x00\x0aSaint-Malo"


def phone_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 15 Pro"  # Model
    exif[0x0131] = "17.4"  # Software
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (48.0, 38.0, 57.0), 3: "W", 4: (2.0, 1.0, 30.0), 6: 12.5}
    return exif


def halves(size=(60, 40), left=(220, 30, 30), right=(30, 30, 220), mode="RGB") -> Image.Image:
    """Left half one colour, right half another: shows which way an image was turned."""
    image = Image.new(mode, size, right if mode == "RGB" else (*right, 255))
    image.paste(left if mode == "RGB" else (*left, 255), (0, 0, size[0] // 2, size[1]))
    return image


def jpeg(image: Image.Image | None = None, *, orientation: int = 1, metadata: bool = True, **save) -> bytes:
    image = image or halves()
    out = io.BytesIO()
    if metadata:
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        image.save(out, "JPEG", exif=phone_exif(orientation), xmp=XMP, comment=COMMENT, icc_profile=srgb, **save)
        data = out.getvalue()
        app13 = b"\xff\xed" + struct.pack(">H", len(IPTC) + 2) + IPTC
        return data[:2] + app13 + data[2:]
    image.save(out, "JPEG", **save)
    return out.getvalue()


def heic(image: Image.Image | None = None, *, orientation: int = 1) -> bytes:
    out = io.BytesIO()
    (image or halves()).save(out, "HEIF", exif=phone_exif(orientation).tobytes(), xmp=XMP, quality=80)
    return out.getvalue()


def heic_branded(major: bytes, compatible: tuple[bytes, bytes, bytes], *, orientation: int = 1) -> bytes:
    """A real HEIC written by pillow-heif (its ftyp box: heic, then mif1 heic miaf) with
    these brands written over its own, in place: the box keeps its size, so the offsets
    of what follows stay right, as a phone that writes these brands would have them."""
    data = heic(orientation=orientation)
    assert data[4:28] == b"ftypheic\x00\x00\x00\x00mif1heicmiaf", data[:28]
    return data[:8] + major + data[12:16] + b"".join(compatible) + data[28:]


def avif() -> bytes:
    """An AVIF written by Pillow's own AVIF plugin."""
    from PIL import features

    if not features.check("avif"):
        pytest.skip("this Pillow has no AVIF plugin")
    out = io.BytesIO()
    halves().save(out, "AVIF")
    return out.getvalue()


def png(image: Image.Image, **save) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **save)
    return out.getvalue()


def png_with_metadata(image: Image.Image | None = None) -> bytes:
    """A PNG as an editing app writes it: EXIF with the GPS position (eXIf), XMP (iTXt),
    text chunks (a comment, the author with her address, compressed), an ICC profile."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", COMMENT.decode())
    info.add_text("Author", "Marc, 12 rue de Dinan, Saint-Malo", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return png(image or halves(), pnginfo=info, exif=phone_exif(6), icc_profile=srgb)


def webp_with_metadata(image: Image.Image | None = None) -> bytes:
    """A WebP with EXIF (GPS), XMP and an ICC profile: its EXIF, XMP and ICCP chunks."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    (image or halves()).save(out, "WEBP", exif=phone_exif(6), xmp=XMP, icc_profile=srgb, quality=90)
    return out.getvalue()


def webp_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a WebP file (RIFF), in order."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP"
    chunks, at = [], 12
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])[0]
        chunks.append(kind)
        at += 8 + size + (size & 1)
    return chunks


def animated_webp() -> bytes:
    first, second = Image.new("RGB", (50, 50), (10, 200, 10)), Image.new("RGB", (50, 50), (200, 10, 200))
    out = io.BytesIO()
    first.save(out, "WEBP", save_all=True, append_images=[second], duration=100, loop=0)
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A PNG that declares width x height grey pixels, with the first rows' data only:
    a few kilobytes that would decode to width x height bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = zlib.compress(b"\x00" * (width + 1) * 64, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", rows)
        + chunk(b"IEND", b"")
    )


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """The segments of a JPEG up to its image data, as exiftool walks them: (marker, payload)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    segments, at = [], 2
    while at < len(data):
        assert data[at] == 0xFF, f"no marker at {at}"
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: pixels follow
            break
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        segments.append((marker, data[at + 4 : at + 2 + length]))
        at += 2 + length
    return segments


@pytest.fixture
def upload(client_for):
    """Uploads bytes as `user` through the API: upload(user, data, name="photo.jpg", client_id=...)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    counter = iter(range(1, 10_000))

    def send(user, data: bytes, *, name: str = "photo.jpg", client_id: str | None = None, client=None):
        client = client or client_for(user)
        file = SimpleUploadedFile(name, data, content_type="image/jpeg")
        return client.post("/api/v1/photos/", {"file": file, "client_id": client_id or f"up-{next(counter)}"},
                           format="multipart")

    return send


@pytest.fixture
def uploaded(upload):
    """An image id uploaded by `user`: uploaded(user, data=None)."""

    def make(user, data: bytes | None = None) -> int:
        response = upload(user, data or jpeg())
        assert response.status_code == 201, response.json()
        return response.json()["id"]

    return make


def stored_files() -> list[str]:
    """Every file in the photos storage on disk."""
    from django.conf import settings

    root = os.path.join(settings.PRIVATE_MEDIA_ROOT, "photos-store")  # as settings.py has it
    return sorted(
        os.path.relpath(os.path.join(folder, name), root) for folder, _, names in os.walk(root) for name in names
    )


S3_BUCKET, S3_REGION = "voisins-photos", "eu-west-3"


@pytest.fixture(scope="session")
def s3_server():
    """moto's server, with the bucket, and STORAGES["photos"] as backend/settings.py
    makes it from PHOTOS_S3_BUCKET, PHOTOS_S3_ENDPOINT_URL and PHOTOS_S3_REGION."""
    import json
    import subprocess
    import sys

    from django.conf import settings

    server = servers.S3Server()
    env = {**os.environ, "PHOTOS_S3_BUCKET": S3_BUCKET, "PHOTOS_S3_ENDPOINT_URL": server.url,
           "PHOTOS_S3_REGION": S3_REGION}
    code = "import json, backend.settings as s; print(json.dumps(s.STORAGES['photos']))"
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True,
                          text=True, check=True)
    server.storage_setting = json.loads(done.stdout)
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server, settings, monkeypatch):
    """The photos storage on S3 (moto's server; only the endpoint differs from AWS);
    boto3 finds its credentials where production does, in the environment. Yields a
    boto3 client, with the bucket's name as `bucket`, the bucket empty."""
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_server.url, region_name=S3_REGION)
    try:
        client.create_bucket(Bucket=S3_BUCKET, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
    except client.exceptions.BucketAlreadyOwnedByYou:
        for item in client.list_objects_v2(Bucket=S3_BUCKET).get("Contents", []):
            client.delete_object(Bucket=S3_BUCKET, Key=item["Key"])
    settings.STORAGES = {**settings.STORAGES, "photos": s3_server.storage_setting}
    client.bucket = S3_BUCKET
    yield client


def s3_keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=client.bucket).get("Contents", []))
