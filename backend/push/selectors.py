from datetime import datetime

from django.db.models import Q

from backend.accounts.models import User
from backend.common.personal_data import Section
from backend.push.models import Device, Preferences, RoomMute


def mutes_of(*, user: User, now: datetime) -> list[RoomMute]:
    """Her mutes that still hold."""
    return list(RoomMute.objects.filter(user=user).filter(Q(until=None) | Q(until__gt=now)).order_by("room_id"))


def personal_data_export(user: User) -> Section:
    """Her part of push for her data export (backend.common.personal_data): her devices
    (never their tokens), her preferences and her muted rooms."""
    devices = Device.objects.filter(user=user).order_by("created_at", "pk")
    preferences = Preferences.objects.filter(user=user).first()
    mutes = RoomMute.objects.filter(user=user).select_related("room").order_by("room_id")
    return Section(data={
        "devices": [{"platform": d.platform, "app_version": d.app_version, "active": d.active,
                     "deactivated_reason": d.deactivated_reason or None, "created_at": d.created_at,
                     "last_seen_at": d.last_seen_at} for d in devices],
        "preferences": None if preferences is None else {
            "time_zone": preferences.time_zone, "quiet_start": preferences.quiet_start,
            "quiet_end": preferences.quiet_end, "previews": preferences.previews, "muted_kinds": preferences.muted_kinds,
        },
        "muted_rooms": [{"room": m.room.name, "until": m.until} for m in mutes],
    })
