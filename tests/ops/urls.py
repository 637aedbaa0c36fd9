"""Views that fail on purpose, for tests/ops/test_middleware.py (ROOT_URLCONF there)."""

from django.db import OperationalError
from django.http import HttpResponse
from django.urls import include, path
from psycopg_pool import PoolTimeout
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


def pool_exhausted() -> OperationalError:
    # What Django raises when the pool has no connection in time: its own error, caused by psycopg_pool's.
    try:
        raise PoolTimeout("couldn't get a connection after 3.00 sec")
    except PoolTimeout as exc:
        error = OperationalError(str(exc))
        error.__cause__ = exc
        return error


def api_bug(request):
    raise RuntimeError("a bug")


def page_busy(request):
    raise pool_exhausted()


def page_bug(request):
    raise RuntimeError("a bug")


class DrfBug(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("a bug")


class DrfBusy(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise pool_exhausted()


def ok(request):
    return HttpResponse("ok")


urlpatterns = [
    path("api/bug/", api_bug),
    path("api/drf-bug/", DrfBug.as_view()),
    path("api/drf-busy/", DrfBusy.as_view()),
    path("page/busy/", page_busy),
    path("page/bug/", page_bug),
    path("", include("backend.urls")),
]
