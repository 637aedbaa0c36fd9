from datetime import datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import QuerySet
from django.utils import timezone

from backend.accounts.models import DeviceToken, User
from backend.common.personal_data import Section


def token_list(*, user: User) -> QuerySet[DeviceToken]:
    return DeviceToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-last_used_at")


def personal_data_export(user: User) -> Section:
    """Her account for her data export (backend.common.personal_data): her personal
    fields and preferences, and her signed-in devices (never their tokens)."""
    return Section(data={
        "email": user.email, "display_name": user.display_name, "language": user.language,
        "date_joined": user.date_joined, "last_login": user.last_login, "last_seen_at": user.last_seen_at,
        "signed_in_devices": [{"device_name": t.device_name, "created_at": t.created_at,
                               "last_used_at": t.last_used_at, "expires_at": t.expires_at}
                              for t in DeviceToken.objects.filter(user=user).order_by("created_at", "pk")],
    })


def inactive_users(*, seen_before: datetime) -> QuerySet[User]:
    """Accounts that can log in (people, not an organisation's voice), not erased, not yet
    warned, and not seen since `seen_before`."""
    return (User.objects.filter(erased_at=None, is_active=True, inactivity_warned_at=None, last_seen_at__lte=seen_before)
            .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX))


def warned_users(*, warned_before: datetime) -> QuerySet[User]:
    """Accounts warned of their erasure before `warned_before` that did not come back."""
    return User.objects.filter(erased_at=None, inactivity_warned_at__lte=warned_before)
