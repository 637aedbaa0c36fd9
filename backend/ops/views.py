"""Probes and metrics, answered by `probes_middleware` before anything else runs, and the
last-resort error page. None of them is part of the REST API (no OpenAPI entry)."""

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from prometheus_client import CONTENT_TYPE_LATEST

from backend.common import metrics as metric_objects
from backend.common.busy import busy_refused, is_server_busy
from backend.common.errors import error_body
from backend.ops import selectors
from backend.ops.exposition import metrics_allowed, metrics_text

_READY = {"ok", "busy", "none"}


async def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and answers: no database, no Redis. A failure means restart it."""
    return JsonResponse({"status": "ok"})


async def readyz(request: HttpRequest) -> HttpResponse:
    """Whether to send this process traffic: PostgreSQL, the Redis cache and the channel
    layer all reachable. 503 otherwise, with what is not."""
    checks = await selectors.readiness()
    ready = all(state in _READY for state in checks.values())
    return JsonResponse({"status": "ready" if ready else "unready", "checks": checks}, status=200 if ready else 503)


async def metrics(request: HttpRequest) -> HttpResponse:
    """This process's metrics in Prometheus' text format (backend/common/metrics.py)."""
    if not metrics_allowed(client_ip=request.META.get("REMOTE_ADDR", ""),
                           authorization=request.headers.get("Authorization", "")):
        return JsonResponse(error_body("forbidden"), status=403)
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)


def busy_response() -> JsonResponse:
    retry_after = busy_refused()
    response = JsonResponse(error_body("server_busy", retry_after=retry_after), status=503)
    response["Retry-After"] = str(retry_after)
    return response


def server_error_response() -> JsonResponse:
    metric_objects.HTTP_SERVER_ERRORS.inc()
    return JsonResponse(error_body("server_error"), status=500)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an error no view caught (in a middleware, say). Called while the
    exception is being handled, so it can tell an exhausted pool from a bug."""
    exc = sys.exc_info()[1]
    if is_server_busy(exc):
        return busy_response()
    if request.path.startswith("/api/"):
        return server_error_response()
    return defaults.server_error(request)
