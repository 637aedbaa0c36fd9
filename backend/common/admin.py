from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For models that change only through their services: staff read them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
