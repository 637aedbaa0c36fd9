"""Chat's retention rules (registered in backend.common.retention): Redis keys that expire on their own."""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from backend.common.retention import Rule


def rules() -> list[Rule]:
    return [
        Rule("tickets", _("One-time socket tickets"), timedelta(seconds=settings.CHAT_TICKET_TTL_SECONDS),
             "CHAT_TICKET_TTL_SECONDS", "Redis expiry"),
        Rule("write_limits", _("Messages counted against floods"), timedelta(seconds=settings.CHAT_WRITE_WINDOW_SECONDS),
             "CHAT_WRITE_WINDOW_SECONDS", "Redis expiry"),
    ]
