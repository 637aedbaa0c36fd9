from datetime import datetime

from django.db.models import Q

from backend.accounts.models import User
from backend.push.models import RoomMute


def mutes_of(*, user: User, now: datetime) -> list[RoomMute]:
    """Her mutes that still hold."""
    return list(RoomMute.objects.filter(user=user).filter(Q(until=None) | Q(until__gt=now)).order_by("room_id"))
