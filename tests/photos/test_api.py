"""photos_upload and photos_file: what is stored, what is refused (storing nothing), and
who reads an image through its signed links."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from jsonschema import Draft202012Validator
from PIL import Image

from backend.chat.protocol import REGISTRY
from backend.photos import domain
from backend.photos.models import Image as ImageRow
from tests.photos.conftest import avif, heic, heic_branded, jpeg, png_bomb, stored_files
from tests.photos.test_processing import assert_no_metadata

pytestmark = pytest.mark.django_db
IMAGE_SCHEMA = Draft202012Validator({"$ref": "image.json#/$defs/image"}, registry=REGISTRY)


def read(client, url: str):
    return client.get(url, HTTP_ACCEPT="image/avif,image/webp,image/*")


def test_an_upload_is_stored_without_metadata_and_read_back_by_its_owner(upload, member, client_for):
    response = upload(member, jpeg(orientation=6), client_id="photo-1")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert not list(IMAGE_SCHEMA.iter_errors(body))
    assert (body["width"], body["height"], body["content_type"]) == (40, 60, "image/jpeg")
    image = ImageRow.objects.get()
    assert stored_files() == sorted([image.name, image.thumbnail_name])
    # Read back from the storage itself: no EXIF, no GPS, no XMP, no IPTC, no comment.
    from backend.photos.services import photo_storage

    for name in (image.name, image.thumbnail_name):
        with photo_storage().open(name, "rb") as stored:
            assert_no_metadata(stored.read())
    client = client_for(member)
    full, thumbnail = read(client, body["url"]), read(client, body["thumbnail_url"])
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
    # Kept by no browser cache: a photo removed, hidden or deleted stops showing at once.
    assert full["Cache-Control"] == "private, no-store" and full["X-Content-Type-Options"] == "nosniff"
    assert thumbnail["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(b"".join(full.streaming_content))).size == (40, 60)
    assert thumbnail.status_code == 200


def test_the_same_client_id_returns_the_first_image_and_stores_nothing_more(upload, member):
    first = upload(member, jpeg(), client_id="again")
    files = stored_files()
    second = upload(member, heic(), client_id="again")
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert ImageRow.objects.count() == 1 and stored_files() == files


def test_heic_is_accepted(upload, member):
    response = upload(member, heic(), name="IMG_0001.HEIC")
    assert response.status_code == 201 and response.json()["content_type"] == "image/jpeg"
    # The other brands phones write, read from the ftyp box (not only the heic brand).
    for major, compatible in [(b"heix", (b"mif1", b"heix", b"miaf")), (b"mif1", (b"mif1", b"miaf", b"mif1")),
                              (b"hevc", (b"mif1", b"hevc", b"miaf"))]:
        response = upload(member, heic_branded(major, compatible), name="IMG_0002.HEIC")
        assert response.status_code == 201, (major, response.json())
    assert ImageRow.objects.count() == 4


def test_avif_is_refused(upload, member):
    """No AV1 decoder in pillow-heif (photos/domain.py). Its own test: a Pillow without AVIF
    skips it, and must not skip the HEIC checks with it."""
    response = upload(member, avif(), name="photo.avif")
    assert response.status_code == 415 and response.json()["code"] == "image_type_not_allowed"
    assert not ImageRow.objects.exists() and stored_files() == []


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"%PDF-1.4\n%fake document\n" * 20, 415, "image_type_not_allowed"),  # not an image, under an image name
        (b"just some text, named photo.jpg", 415, "image_type_not_allowed"),
        (b"GIF89a" + b"\x00" * 200, 415, "image_type_not_allowed"),
        (jpeg(Image.effect_noise((300, 200), 64).convert("RGB"), metadata=False)[:3000], 422, "image_unreadable"),
        (png_bomb(20_000, 20_000), 413, "image_too_many_pixels"),
    ],
    ids=["pdf", "text", "gif", "truncated-jpeg", "bomb"],
)
def test_bad_files_are_refused_with_a_code_and_nothing_is_stored(upload, member, data, status, code):
    response = upload(member, data, name="photo.jpg")
    assert response.status_code == status and response.json()["code"] == code, response.json()
    assert not ImageRow.objects.exists() and stored_files() == []


def test_an_oversize_file_is_refused(upload, member, settings):
    settings.PHOTOS_MAX_BYTES = 2 * 1024 * 1024
    big = jpeg(Image.effect_noise((2000, 1500), 100).convert("RGB"), metadata=False, quality=100)
    assert len(big) > settings.PHOTOS_MAX_BYTES
    response = upload(member, big)
    assert response.status_code == 413 and response.json()["code"] == "image_too_large"
    assert response.json()["max_mb"] == 2 and "2 MB" in response.json()["message"]
    assert not ImageRow.objects.exists() and stored_files() == []


def test_an_oversize_body_is_refused_from_its_content_length_before_it_is_parsed(
    client_for, member, settings, monkeypatch
):
    """A Content-Length past the limit (and the 64 KB a form adds) is refused before the
    multipart parser reads anything: through a device token, and through the pages'
    session, whose CSRF check would read the form first."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.http import HttpRequest, multipartparser
    from django.middleware.csrf import get_token
    from rest_framework.test import APIClient

    settings.PHOTOS_MAX_BYTES = 2 * 1024 * 1024

    def parse(self):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", parse)
    declared = str(settings.PHOTOS_MAX_BYTES + domain.MULTIPART_ALLOWANCE + 1)
    # The pages: a session, its CSRF cookie, and the token in the header, as api.js sends it.
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(member)
    page = HttpRequest()
    token = get_token(page)
    session.cookies[settings.CSRF_COOKIE_NAME] = page.META["CSRF_COOKIE"]
    for client, headers in ((client_for(member), {}), (session, {"HTTP_X_CSRFTOKEN": token})):
        form = {"file": SimpleUploadedFile("photo.jpg", jpeg()), "client_id": "big"}
        response = client.post("/api/v1/photos/", form, format="multipart", CONTENT_LENGTH=declared, **headers)
        assert response.status_code == 413, response.json()
        assert response.json()["code"] == "image_too_large" and response.json()["max_mb"] == 2
    assert not ImageRow.objects.exists() and stored_files() == []


def test_a_file_over_the_limit_within_the_forms_allowance_is_refused_once_parsed(upload, member, settings):
    """The check after parsing stays, for a body whose length its header does not say
    (chunked) or says within the allowance."""
    data = jpeg(Image.effect_noise((600, 400), 100).convert("RGB"), metadata=False, quality=100)
    settings.PHOTOS_MAX_BYTES = len(data) - 1
    response = upload(member, data)
    assert response.status_code == 413 and response.json()["code"] == "image_too_large"
    assert not ImageRow.objects.exists() and stored_files() == []


def test_a_missing_file_or_client_id(client_for, member):
    client = client_for(member)
    response = client.post("/api/v1/photos/", {"client_id": "x"}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "image_missing"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/api/v1/photos/", {"file": SimpleUploadedFile("a.jpg", jpeg())}, format="multipart")
    assert response.status_code == 400 and response.json()["fields"]["client_id"][0]["code"] == "required"
    assert not ImageRow.objects.exists()


def test_who_may_not_upload(upload, applicant, client_for):
    response = upload(applicant, jpeg())
    assert response.status_code == 403 and response.json()["code"] == "not_member"
    response = upload(None, jpeg(), client=client_for(None))
    assert response.status_code == 401
    assert not ImageRow.objects.exists() and stored_files() == []


def test_uploads_are_rate_limited(upload, member, monkeypatch):
    monkeypatch.setattr(domain, "UPLOADS_PER_WINDOW", 2)
    assert [upload(member, jpeg()).status_code for _ in range(3)] == [201, 201, 429]
    assert ImageRow.objects.count() == 2


def test_busy_processing_answers_503_and_stores_nothing(upload, member, settings):
    from backend.photos.services import _processing_slots

    settings.PHOTOS_PROCESSING_SLOTS, settings.PHOTOS_PROCESSING_WAIT_SECONDS = 1, 0.05
    slots = _processing_slots()
    slots.acquire()
    try:
        response = upload(member, jpeg())
    finally:
        slots.release()
    assert response.status_code == 503 and response.json()["code"] == "server_busy"
    assert response["Retry-After"] and not ImageRow.objects.exists()
    assert upload(member, jpeg()).status_code == 201


def _altered(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return parts.path + "?" + "&".join(f"{key}={value}" for key, value in query.items())


def test_links_expired_or_altered_are_refused(upload, member, client_for):
    body = upload(member, jpeg()).json()
    client = client_for(member)
    expires = int(parse_qs(urlsplit(body["url"]).query)["expires"][0])
    response = read(client, _altered(body["url"], expires=expires + 900))
    assert response.status_code == 403 and response.json()["code"] == "image_link_invalid"
    response = read(client, body["url"].replace("/full/", "/thumbnail/"))
    assert response.status_code == 403 and response.json()["code"] == "image_link_invalid"
    response = read(client, body["url"].replace(f"/{body['id']}/", f"/{body['id'] + 1}/"))
    assert response.status_code == 403 and response.json()["code"] == "image_link_invalid"
    response = read(client, _altered(body["url"], signature="A" * 24))
    assert response.status_code == 403 and response.json()["code"] == "image_link_invalid"
    from backend.photos.frames import link

    past = link(body["id"], "full", 1_000_000)  # signed by us, long expired
    response = read(client, past)
    assert response.status_code == 410 and response.json()["code"] == "image_link_expired"


def test_an_unattached_image_is_its_owners_alone(upload, member, saint_malo, client_for, outsider, applicant):
    from tests.conftest import make_membership, make_user

    neighbour = make_user("nina@example.org", name="Nina")
    make_membership(neighbour, saint_malo, state="verified")
    url = upload(member, jpeg()).json()["url"]
    for someone in (neighbour, outsider, applicant):
        response = read(client_for(someone), url)
        assert response.status_code == 404 and response.json()["code"] == "image_not_found"
    response = read(client_for(None), url)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
