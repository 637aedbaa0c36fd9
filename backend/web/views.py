"""The pages: one HTML shell per page, in the reader's language, that loads its ES
modules; everything after goes through the REST API and the WebSocket of
frontend-contract/. Also the two files those modules read: the JavaScript catalogue of
the page's language, and the contract's post.json (the post forms are built from it)."""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET
from django.views.i18n import JSONCatalog

from backend.web.csp import with_csp

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
POST_SCHEMA = Path(settings.BASE_DIR) / "frontend-contract" / "websocket" / "post.json"
YEAR = 365 * 24 * 3600


def page_language(request: HttpRequest) -> str:
    """Her `language` once logged in; before, the browser's Accept-Language (English
    when it names neither of ours)."""
    supported = {code for code, _ in settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "language", None) in supported:
        return user.language
    return translation.get_language_from_request(request)


@lru_cache(maxsize=8)
def catalogue_version(language: str) -> str:
    """Changes whenever the compiled catalogue changes, so the catalogue can be cached."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "djangojs.mo"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.exists() else "none"


def page_config(language: str) -> dict[str, str]:
    """What every page's modules read from the <body data-…> attributes."""
    return {
        "catalogue": reverse("web-catalogue", args=[language]) + f"?v={catalogue_version(language)}",
        "post-schema": reverse("web-post-schema") + f"?v={_post_schema()[1]}",
        "tiles": settings.WEB_MAP_TILES_URL,
        "tiles-attribution": settings.WEB_MAP_TILES_ATTRIBUTION,
        "leaflet-js": static("web/vendor/leaflet-1.9.4/leaflet.js"),
        "leaflet-css": static("web/vendor/leaflet-1.9.4/leaflet.css"),
    }


def render_page(
    request: HttpRequest, template: str, *, entry: str, context: dict | None = None, extra_config: dict | None = None
) -> HttpResponse:
    """Renders a page shell in the reader's language (the console uses it too)."""
    language = page_language(request)
    # Whether a session is open: the scripts then start with auth_me, else with the login.
    config = {**page_config(language), "signed-in": "1" if request.user.is_authenticated else "",
              **(extra_config or {})}
    with translation.override(language):
        response = render(request, template, {"page_language": language, "entry": entry, "config": config, **(context or {})})
    response["Content-Language"] = language
    response["Cache-Control"] = "no-cache"
    response["Vary"] = "Cookie, Accept-Language"
    return response


@require_GET
@with_csp
@ensure_csrf_cookie
def resident_app(request: HttpRequest) -> HttpResponse:
    """The resident app: sign-up and login, joining, rooms, posts, the neighbourhood's
    feed and map, settings (backend/web/static/web/js/resident/)."""
    return render_page(request, "web/resident.html", entry="web/js/resident/main.js")


@require_GET
@with_csp(frame_src=["blob:"])
@ensure_csrf_cookie
def moderation_console(request: HttpRequest) -> HttpResponse:
    """The moderators' console (backend/web/static/web/js/console/): the neighbourhoods
    she may watch (all of them for staff) are given to its scripts, since the contract
    names only their ids. A proof is previewed from a blob: URL (an <img>, or an <iframe>
    for a PDF), hence `frame-src blob:`."""
    from backend.moderation.selectors import console_neighbourhoods

    neighbourhoods = [{"id": item.pk, "name": item.name} for item in console_neighbourhoods(user=request.user)]
    return render_page(request, "web/console.html", entry="web/js/console/main.js",
                       extra_config={"neighbourhoods": json.dumps(neighbourhoods, ensure_ascii=False)})


@require_GET
@with_csp
@ensure_csrf_cookie
def city_console(request: HttpRequest) -> HttpResponse:
    """The organisations' console (backend/web/static/web/js/city/): everything it shows
    comes from cities_* for the organisations she acts for; anyone else is told whom it
    is for."""
    return render_page(request, "web/city.html", entry="web/js/city/main.js")


@require_GET
def catalogue(request: HttpRequest, language: str) -> HttpResponse:
    """The strings of our scripts in `language` (domain djangojs), as Django's
    JSONCatalog gives them; versioned by the page, so cached for a year."""
    if language not in {code for code, _ in settings.LANGUAGES}:
        raise Http404
    with translation.override(language):
        response = JSONCatalog.as_view(domain="djangojs", packages=["backend.web"])(request)
    if request.GET.get("v") == catalogue_version(language):
        response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["Content-Language"] = language
    return response


@lru_cache(maxsize=1)
def _post_schema() -> tuple[bytes, str]:
    body = json.dumps(json.loads(POST_SCHEMA.read_text()), separators=(",", ":")).encode()
    return body, hashlib.sha256(body).hexdigest()[:12]


@require_GET
def post_schema(request: HttpRequest) -> HttpResponse:
    """frontend-contract/websocket/post.json, as committed: the kinds of post and their
    fields, from which the pages build their post forms."""
    body, version = _post_schema()
    response = HttpResponse(body, content_type="application/json")
    if request.GET.get("v") == version:
        response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
