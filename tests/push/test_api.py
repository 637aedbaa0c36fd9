import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.services import token_create
from backend.chat.models import Room
from backend.chat.services import rooms_ensure_default
from backend.common.errors import ERRORS
from backend.push.models import Device, Preferences
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def signed_in(user) -> APIClient:
    client = APIClient()
    _, raw = token_create(user=user, device_name="phone")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_device_registers_refreshes_and_logs_out(member):
    phone = signed_in(member)
    response = phone.post("/api/v1/push/devices/", {"token": "fcm-1", "platform": "android", "app_version": "1.2"}, format="json")
    assert response.status_code == 200 and response.json()["active"]
    seen = Device.objects.get().last_seen_at
    phone.post("/api/v1/push/devices/", {"token": "fcm-1", "platform": "android", "app_version": "1.3"}, format="json")
    device = Device.objects.get()
    assert device.app_version == "1.3" and device.last_seen_at > seen
    assert phone.post("/api/v1/auth/logout/").status_code == 204
    device.refresh_from_db()
    assert (device.active, device.deactivated_reason) == (False, "logout")


def test_a_token_seen_under_another_user_moves_to_her(member, saint_malo):
    other = make_user("nina@example.org")
    signed_in(member).post("/api/v1/push/devices/", {"token": "shared-phone", "platform": "ios"}, format="json")
    signed_in(other).post("/api/v1/push/devices/", {"token": "shared-phone", "platform": "ios"}, format="json")
    device = Device.objects.get()
    assert device.user == other and device.active


def test_unregistering_stops_pushes_and_bad_input_changes_nothing(member):
    phone = signed_in(member)
    phone.post("/api/v1/push/devices/", {"token": "fcm-1", "platform": "android"}, format="json")
    bad = phone.post("/api/v1/push/devices/", {"token": "fcm-2", "platform": "blackberry"}, format="json")
    assert bad.status_code == 400 and Device.objects.count() == 1
    assert phone.post("/api/v1/push/devices/unregister/", {"token": "fcm-1"}, format="json").status_code == 204
    assert not Device.objects.get().active
    assert APIClient().post("/api/v1/push/devices/", {"token": "x", "platform": "ios"}, format="json").status_code == 401


def test_preferences(member):
    client = signed_in(member)
    assert client.get("/api/v1/push/preferences/").json() == {
        "time_zone": "Europe/Paris", "quiet_start": None, "quiet_end": None, "previews": True, "muted_kinds": []}
    changed = client.patch("/api/v1/push/preferences/", {"quiet_start": "22:00", "quiet_end": "07:30",
                                                         "muted_kinds": ["classified"]}, format="json")
    assert changed.status_code == 200 and changed.json()["quiet_end"] == "07:30:00"
    for body, code in (({"time_zone": "Mars/Olympus"}, "invalid_time_zone"), ({"quiet_start": "23:00"}, "quiet_hours_incomplete"),
                       ({"quiet_start": "23:00", "quiet_end": None}, "quiet_hours_incomplete"),
                       ({"quiet_start": None, "quiet_end": "07:00"}, "quiet_hours_incomplete"),
                       ({"muted_kinds": ["barter"]}, "validation_failed")):
        refused = client.patch("/api/v1/push/preferences/", body, format="json")
        assert refused.status_code == ERRORS[code].status and refused.json()["code"] == code
    preferences = Preferences.objects.get(user=member)
    assert (str(preferences.quiet_start), preferences.muted_kinds, preferences.time_zone) == ("22:00:00", ["classified"], "Europe/Paris")


def test_mutes(member, saint_malo, dinard):
    rooms_ensure_default(neighbourhood_ids=[saint_malo.id, dinard.id])
    room = Room.objects.get(neighbourhood=saint_malo)
    client = signed_in(member)
    until = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    assert client.put(f"/api/v1/push/mutes/{room.id}/", {"until": until}, format="json").status_code == 200
    assert [m["room_id"] for m in client.get("/api/v1/push/mutes/").json()] == [room.id]
    past = client.put(f"/api/v1/push/mutes/{room.id}/", {"until": "2020-01-01T00:00:00Z"}, format="json")
    assert past.status_code == 422 and past.json()["code"] == "in_the_past"
    other = client.put(f"/api/v1/push/mutes/{Room.objects.get(neighbourhood=dinard).id}/", {"until": None}, format="json")
    assert other.status_code == 403 and other.json()["code"] == "no_access"
    assert client.delete(f"/api/v1/push/mutes/{room.id}/").status_code == 204
    assert client.get("/api/v1/push/mutes/").json() == []


def test_logging_out_of_the_web_page_stops_its_browser_pushes(member):
    from django.test import Client

    from tests.conftest import PASSWORD

    browser = Client()
    assert browser.post("/api/v1/auth/session/", {"email": member.email, "password": PASSWORD},
                        content_type="application/json").status_code in (200, 204)
    browser.post("/api/v1/push/devices/", {"token": "web-push", "platform": "web"}, content_type="application/json")
    device = Device.objects.get()
    assert device.session_key and device.active
    browser.post("/api/v1/auth/logout/")
    device.refresh_from_db()
    assert (device.active, device.deactivated_reason) == (False, "logout")


def test_devices_not_seen_for_sixty_days_are_deleted_with_their_token(member):
    from backend.push.services import device_register, device_unregister, devices_prune

    fresh = device_register(user=member, token="fresh", platform="android")
    stale = device_register(user=member, token="stale", platform="android")
    stopped = device_register(user=member, token="stopped", platform="android")
    device_unregister(user=member, token="stopped")
    Device.objects.filter(pk__in=[stale.pk, stopped.pk]).update(last_seen_at=timezone.now() - timezone.timedelta(days=61))
    assert devices_prune(now=timezone.now(), after_days=60) == 2
    assert list(Device.objects.values_list("token", flat=True)) == ["fresh"] and Device.objects.get(pk=fresh.pk).active
