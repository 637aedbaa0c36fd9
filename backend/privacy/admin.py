from django.contrib import admin

from backend.privacy.models import Erasure, ExportRequest, RetentionRun


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExportRequest)
class ExportRequestAdmin(ReadOnly):
    list_display = ["id", "user_id", "state", "requested_at", "ready_at", "expires_at", "size"]
    list_filter = ["state"]


@admin.register(Erasure)
class ErasureAdmin(ReadOnly):
    list_display = ["pseudonym", "cause", "at"]
    list_filter = ["cause"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnly):
    list_display = ["rule", "at", "count"]
    list_filter = ["rule"]
