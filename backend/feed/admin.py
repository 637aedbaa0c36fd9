from django.contrib import admin
from django.db import models

from backend.common.admin import ReadOnlyAdmin
from backend.feed.models import Partner, Post


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "active"]
    list_filter = ["category", "active", "neighbourhoods"]
    search_fields = ["name", "offer"]
    filter_horizontal = ["neighbourhoods"]
    # A link typed without a scheme is https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    """To look, not to edit: posts change through the feed's services, which keep their
    cards current."""

    list_display = ["title", "kind", "status", "neighbourhood", "author", "created_at", "expires_at"]
    list_filter = ["kind", "status", "neighbourhood"]
    search_fields = ["title", "text"]
