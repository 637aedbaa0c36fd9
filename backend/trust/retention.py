"""Trust's retention rules (registered in backend.common.retention)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from backend.common.retention import SWEEP, Rule


def _applications(now: datetime) -> int:
    from backend.trust import services

    return services.applications_prune(now=now, after_days=settings.PRIVACY_APPLICATION_ADDRESS_DAYS)


def rules() -> list[Rule]:
    return [
        Rule("applications", _("Address and proof of an application rejected, or pending without a decision"),
             timedelta(days=settings.PRIVACY_APPLICATION_ADDRESS_DAYS), "PRIVACY_APPLICATION_ADDRESS_DAYS", SWEEP,
             _applications),
        Rule("proofs", _("Proof-of-address documents, once the application is decided"), timedelta(0), "",
             "backend.trust.services (at the decision)"),
    ]
