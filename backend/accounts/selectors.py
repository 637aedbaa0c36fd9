from django.db.models import QuerySet
from django.utils import timezone

from backend.accounts.models import DeviceToken, User


def token_list(*, user: User) -> QuerySet[DeviceToken]:
    return DeviceToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-last_used_at")
