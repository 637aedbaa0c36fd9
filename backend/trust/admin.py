"""Staff read trust data here; every change goes through the API and its services,
so the admin is read-only for these models."""

from django.contrib import admin

from backend.common.admin import ReadOnlyAdmin
from backend.trust.models import AuditEntry, LetterCode, Membership, ProofOfAddress, Vouch


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VouchInline(ReadOnlyInline):
    model = Vouch
    fk_name = "membership"
    fields = ["voucher", "created_at"]


class ProofInline(ReadOnlyInline):
    model = ProofOfAddress
    fields = ["state", "content_type", "size", "uploaded_at", "reviewed_by", "reviewed_at", "reason"]


class LetterCodeInline(ReadOnlyInline):
    model = LetterCode
    fields = ["issued_by", "issued_at", "expires_at", "used_at", "failed_attempts", "replaced"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "neighbourhood", "state", "route", "applied_at", "decided_at"]
    list_filter = ["state", "route", "neighbourhood"]
    search_fields = ["user__email", "user__display_name", "street"]
    inlines = [VouchInline, ProofInline, LetterCodeInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "route", "actor", "subject", "neighbourhood", "reason"]
    list_filter = ["action", "route", "neighbourhood"]
    search_fields = ["actor__email", "subject__email", "reason"]
    date_hierarchy = "at"
