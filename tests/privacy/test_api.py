"""The export endpoints (backend/privacy/api.py): hers only, in its states; the
retention table; bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.privacy import services
from backend.privacy.models import ExportRequest
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_she_asks_for_her_data_and_downloads_it_once_ready(client_for, member):
    client = client_for(member)
    asked = client.post("/api/v1/privacy/exports/")
    assert asked.status_code == 202 and asked.json()["state"] == "building" and asked.json()["download_url"] is None
    again = client.post("/api/v1/privacy/exports/")
    assert again.status_code == 200 and again.json()["id"] == asked.json()["id"]
    archive_url = f"/api/v1/privacy/exports/{asked.json()['id']}/archive/"
    not_ready = client.get(archive_url)
    assert (not_ready.status_code, not_ready.json()["code"]) == (409, "export_not_ready")

    services.export_build(export_id=asked.json()["id"])
    ready = client.get(f"/api/v1/privacy/exports/{asked.json()['id']}/").json()
    assert ready["state"] == "ready" and ready["download_url"] == archive_url
    assert [e["id"] for e in client.get("/api/v1/privacy/exports/").json()] == [ready["id"]]
    download = client.get(archive_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert "attachment" in download["Content-Disposition"] and download["Cache-Control"] == "private, no-store"


def test_nobody_else_can_read_or_download_her_export(client_for, member):
    export, _ = services.export_request(user=member)
    services.export_build(export_id=export.pk)
    stranger = client_for(make_user("stranger@example.org"))
    assert stranger.get(f"/api/v1/privacy/exports/{export.pk}/").status_code == 404
    assert stranger.get(f"/api/v1/privacy/exports/{export.pk}/archive/").json()["code"] == "not_found"
    assert stranger.get("/api/v1/privacy/exports/").json() == []
    anonymous = client_for()
    assert anonymous.get(f"/api/v1/privacy/exports/{export.pk}/archive/").status_code == 401
    assert anonymous.post("/api/v1/privacy/exports/").status_code == 401
    assert ExportRequest.objects.count() == 1


def test_an_expired_link_answers_410(client_for, member):
    export, _ = services.export_request(user=member)
    services.export_build(export_id=export.pk)
    ExportRequest.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client_for(member).get(f"/api/v1/privacy/exports/{export.pk}/archive/")
    assert (expired.status_code, expired.json()["code"]) == (410, "export_expired")


def test_asking_again_within_a_day_of_a_ready_archive_returns_it_and_builds_nothing(client_for, member):
    client = client_for(member)
    first = client.post("/api/v1/privacy/exports/").json()
    services.export_build(export_id=first["id"])
    again = client.post("/api/v1/privacy/exports/")
    assert (again.status_code, again.json()["id"], again.json()["state"]) == (200, first["id"], "ready")
    assert ExportRequest.objects.count() == 1
    ExportRequest.objects.filter(pk=first["id"]).update(ready_at=timezone.now() - timedelta(days=1, seconds=1))
    tomorrow = client.post("/api/v1/privacy/exports/")
    assert tomorrow.status_code == 202 and tomorrow.json()["id"] != first["id"]


def test_an_archive_deleted_by_the_sweep_meanwhile_answers_410_not_500(client_for, member):
    export, _ = services.export_request(user=member)
    export = services.export_build(export_id=export.pk)
    services.export_storage().delete(export.file_name)  # the sweep, between her request's read and its open
    gone = client_for(member).get(f"/api/v1/privacy/exports/{export.pk}/archive/")
    assert (gone.status_code, gone.json()["code"]) == (410, "export_expired")


def test_a_ready_export_past_its_expiry_is_listed_as_expired_without_a_link(client_for, member):
    export, _ = services.export_request(user=member)
    services.export_build(export_id=export.pk)
    ExportRequest.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = client_for(member)
    listed = client.get("/api/v1/privacy/exports/").json()
    assert [(e["id"], e["state"], e["download_url"]) for e in listed] == [(export.pk, "expired", None)]
    assert client.get(f"/api/v1/privacy/exports/{export.pk}/").json()["state"] == "expired"


def test_the_retention_table_is_public_and_in_her_language(client_for):
    rules = client_for(HTTP_ACCEPT_LANGUAGE="fr").get("/api/v1/privacy/retention/").json()
    exports = next(rule for rule in rules if rule["key"] == "exports")
    assert exports == {"key": "exports", "what": "L'archive de vos données, une fois prête", "kept_seconds": 7 * 86400,
                       "setting": "PRIVACY_EXPORT_DAYS", "applied_by": "backend.privacy.tasks.retention_sweep"}
