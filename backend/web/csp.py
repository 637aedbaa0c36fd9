"""The Content-Security-Policy of our pages: scripts, styles and fonts from this
server only, no inline script or style, no eval; the socket of this host; map tiles from
the configured tile server. Every page view of backend.web is wrapped in `with_csp`."""

from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def tiles_source(url_template: str) -> str | None:
    """The CSP source of a Leaflet tile URL template: its scheme and host, with `{s}`
    subdomains as a wildcard. None when no tiles are configured."""
    if not url_template:
        return None
    parts = urlsplit(url_template.replace("{s}.", "*."))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def photo_sources() -> list[str]:
    """Where photos are read from besides this server: their links answer with a redirect
    to the object storage when photos live in S3 (backend/photos), and the browser checks
    the redirect's target against img-src."""
    if not getattr(settings, "PHOTOS_S3_BUCKET", ""):
        return []
    endpoint = settings.STORAGES.get("photos", {}).get("OPTIONS", {}).get("endpoint_url")
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://*.{parts.netloc}"]
    return ["https://*.amazonaws.com"]


def content_security_policy(
    request: HttpRequest, *, img_src: Iterable[str] = (), frame_src: Iterable[str] = ()
) -> str:
    scheme = "wss" if request.is_secure() else "ws"
    tiles = tiles_source(getattr(settings, "WEB_MAP_TILES_URL", ""))
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *([tiles] if tiles else []), *photo_sources(), *img_src],
        "font-src": ["'self'"],
        "connect-src": ["'self'", f"{scheme}://{request.get_host()}"],
        "object-src": ["'none'"],
        "frame-src": [*frame_src] or ["'none'"],
        "worker-src": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def with_csp(view: Callable | None = None, **sources: Iterable[str]) -> Callable:
    """Decorates a page view: its answer carries our Content-Security-Policy (extra
    `img_src` / `frame_src` sources for a page that needs them, e.g. a document preview
    from `blob:` in the console)."""

    def decorate(inner: Callable) -> Callable:
        @wraps(inner)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = inner(request, *args, **kwargs)
            response["Content-Security-Policy"] = content_security_policy(request, **sources)
            response["Referrer-Policy"] = "same-origin"
            response["X-Content-Type-Options"] = "nosniff"
            return response

        return wrapped

    return decorate(view) if view is not None else decorate
