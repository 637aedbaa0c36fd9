"""Staff read moderation here; it changes only through the moderation services."""

from django.contrib import admin

from backend.common.admin import ReadOnlyAdmin
from backend.moderation.models import Action, Report


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ["at", "neighbourhood", "kind", "actor", "subject", "reason"]
    list_filter = ["kind", "neighbourhood"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "neighbourhood", "category", "status", "reporter"]
    list_filter = ["status", "category", "neighbourhood"]
