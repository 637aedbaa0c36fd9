from django.contrib import admin

from backend.photos.models import Image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    """Rows only: the pictures are read through the signed links, by those who may."""

    list_display = ["id", "owner", "attached_kind", "attached_id", "width", "height", "size", "created_at"]
    list_filter = ["attached_kind"]
    readonly_fields = [field.name for field in Image._meta.fields]

    def has_add_permission(self, request):
        return False
