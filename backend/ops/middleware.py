"""The two middlewares of operations (settings.MIDDLEWARE says where each sits)."""

import logging
from collections.abc import Callable

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_and_async_middleware
from django.utils.deprecation import MiddlewareMixin

from backend.common.busy import is_server_busy
from backend.ops import views

logger = logging.getLogger(__name__)

PROBES = {"/healthz": views.healthz, "/readyz": views.readyz, "/metrics": views.metrics}

@sync_and_async_middleware
def probes_middleware(get_response: Callable) -> Callable:
    """Answers /healthz, /readyz and /metrics before any other middleware: a probe or a
    scraper calls the process by its own address (which ALLOWED_HOSTS does not list),
    and a liveness answer must not wait on sessions or the database."""
    if iscoroutinefunction(get_response):
        async def middleware(request: HttpRequest) -> HttpResponse:
            view = PROBES.get(request.path_info)
            if view is not None:
                return await view(request)
            return await get_response(request)
    else:
        def middleware(request: HttpRequest) -> HttpResponse:  # type: ignore[misc]
            view = PROBES.get(request.path_info)
            if view is not None:
                return async_to_sync(view)(request)
            return get_response(request)
    return middleware

class ErrorsMiddleware(MiddlewareMixin):
    """What a view (DRF's included, when its handler declines) raised and nobody caught:
    an exhausted database pool answers 503 server_busy with Retry-After, anywhere; any
    other error under /api/ answers JSON server_error. Pages keep Django's error page."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_server_busy(exception):
            return views.busy_response()
        if request.path.startswith("/api/"):
            logger.error("unexpected error answering %s %s", request.method, request.path, exc_info=exception)
            return views.server_error_response()
        return None
