"""Photos' retention rules (registered in backend.common.retention)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from backend.common.retention import Rule


def rules() -> list[Rule]:
    return [
        Rule("unattached_photos", _("Photos uploaded but never sent"), settings.PHOTOS_UNATTACHED_TTL,
             "PHOTOS_UNATTACHED_SECONDS", "backend.photos.tasks.photos_sweep"),
    ]
