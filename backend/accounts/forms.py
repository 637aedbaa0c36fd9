from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from backend.accounts import services
from backend.common.errors import VoisinsError, error_message


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, under the same failure throttle as the API."""

    def clean(self):
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if email and password:
            ip = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
            try:
                self.user_cache = services.login_check(email=email, password=password, ip=ip)
            except VoisinsError as exc:
                language = getattr(self.request, "LANGUAGE_CODE", "en")
                raise forms.ValidationError(error_message(exc.code, language, **exc.params), code=exc.code) from exc
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
