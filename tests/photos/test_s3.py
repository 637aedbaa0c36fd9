"""The S3 path, on moto's standalone server: the same code as on disk, only the
storage's endpoint swapped. The bucket stays private; the view redirects an authorised
reader to a presigned URL that lasts a minute."""

import io
import urllib.request
from urllib.error import HTTPError

import pytest
from PIL import Image

from backend.photos import services
from backend.photos.models import Image as ImageRow
from tests.photos.conftest import heic, jpeg, s3_keys, stored_files
from tests.photos.test_processing import assert_no_metadata

pytestmark = pytest.mark.django_db(transaction=True)


def test_settings_make_an_s3_storage_from_the_environment(s3_server):
    options = s3_server.storage_setting["OPTIONS"]
    assert s3_server.storage_setting["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "voisins-photos" and options["endpoint_url"] == s3_server.url
    assert options["default_acl"] is None and options["querystring_auth"] and options["querystring_expire"] == 60


def test_upload_read_and_delete_through_s3(s3, upload, member, client_for):
    body = upload(member, heic()).json()
    image = ImageRow.objects.get(pk=body["id"])
    assert s3_keys(s3) == sorted([image.name, image.thumbnail_name]) and stored_files() == []
    stored = s3.get_object(Bucket=s3.bucket, Key=image.name)["Body"].read()
    assert_no_metadata(stored)
    response = client_for(member).get(body["url"])
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    target = response["Location"]
    assert target.startswith(s3.meta.endpoint_url) and "X-Amz-Expires=60" in target and "X-Amz-Signature=" in target
    with urllib.request.urlopen(target, timeout=10) as fetched:
        assert fetched.read() == stored
        assert fetched.headers["Cache-Control"] == "private, no-store"  # the object is kept by no browser either
    assert Image.open(io.BytesIO(stored)).size == (body["width"], body["height"])
    # The bucket is not public: without the signature, S3 refuses.
    with pytest.raises(HTTPError) as refused:
        urllib.request.urlopen(target.split("?")[0], timeout=10)
    assert refused.value.code == 403
    services.images_attach(owner=member, image_ids=[body["id"]], kind="post", object_id=1)
    services.images_delete(kind="post", object_ids=[1])
    assert s3_keys(s3) == []


def test_a_refused_upload_stores_nothing_in_the_bucket(s3, upload, member):
    assert upload(member, jpeg()[:500]).json()["code"] == "image_unreadable"
    assert s3_keys(s3) == []
