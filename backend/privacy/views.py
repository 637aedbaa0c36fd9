"""The data page: what Voisins keeps, why, for how long, who sees it, and how to take it
or erase it. Public, server-rendered in French or English, loading nothing from another
origin (the pages' Content-Security-Policy, backend/web/csp.py); its retention table
comes from backend.common.retention (every app's rules), the same values the sweep applies."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from backend.common import retention
from backend.privacy import domain
from backend.web.csp import with_csp


@require_GET
@with_csp
def data_page(request: HttpRequest) -> HttpResponse:
    """`?lang=fr|en` chooses the language (the page's own switch); else hers once logged
    in, else the browser's Accept-Language."""
    supported = {code for code, _ in settings.LANGUAGES}
    user_language = getattr(request.user, "language", None) if request.user.is_authenticated else None
    language = domain.page_language(
        asked=request.GET.get("lang"), user=user_language,
        browser=translation.get_language_from_request(request), supported=supported,
    )
    with translation.override(language):
        rules = [{"rule": rule, "duration": domain.duration_parts(rule.kept)} for rule in retention.rules()]
        response = render(request, "privacy/data.html", {
            "page_language": language, "rules": rules, "export_days": settings.PRIVACY_EXPORT_DAYS,
            "other_language": "en" if language == "fr" else "fr",
        })
    response["Content-Language"] = language
    response["Vary"] = "Cookie, Accept-Language"
    return response
