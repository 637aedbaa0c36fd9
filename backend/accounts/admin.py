from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from backend.accounts.domain import normalize_email
from backend.accounts.forms import ThrottledAdminAuthenticationForm
from backend.accounts.models import DeviceToken, User

admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.site_header = "Voisins"


class UserCreateForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "display_name", "language"]

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("An account already uses this email address.")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreateForm
    form = UserEditForm
    ordering = ["email"]
    list_display = ["email", "display_name", "language", "is_staff", "is_active"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "language"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "display_name", "language", "password1", "password2"]})]


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "device_name", "created_at", "last_used_at", "expires_at"]
    readonly_fields = ["user", "digest", "device_name", "created_at", "last_used_at", "expires_at"]

    def has_add_permission(self, request):
        return False
