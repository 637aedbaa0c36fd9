"""Push's retention rules (registered in backend.common.retention)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from backend.common.retention import SWEEP, Rule


def _deliveries(now: datetime) -> int:
    from backend.push import services

    return services.deliveries_prune(now=now, after_days=settings.PRIVACY_PUSH_DELIVERIES_DAYS)


def rules() -> list[Rule]:
    return [
        Rule("devices", _("A phone's push registration and its token, not seen since"),
             timedelta(days=settings.PRIVACY_PUSH_DEVICES_DAYS), "PRIVACY_PUSH_DEVICES_DAYS",
             "backend.push.tasks.devices_prune"),
        Rule("push_deliveries", _("Record of each push sent (against sending it twice)"),
             timedelta(days=settings.PRIVACY_PUSH_DELIVERIES_DAYS), "PRIVACY_PUSH_DELIVERIES_DAYS", SWEEP,
             _deliveries),
    ]
