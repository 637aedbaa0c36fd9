"""Answers outside any view of ours: a URL that matches nothing."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings

from backend.common.errors import error_body


def _authenticated(request: HttpRequest) -> bool:
    """What DRF would decide before any view: does the request carry a valid credential?
    An invalid token raises AuthenticationFailed, as it would in a view."""
    drf_request = Request(request, authenticators=[auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES])
    return drf_request.user is not None and drf_request.user.is_authenticated


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Under /api/, the contract's JSON error whatever the URL (an id that is not a
    number included): not_authenticated first without a credential, as every endpoint
    answers, else not_found. Elsewhere Django's page."""
    if not request.path.startswith("/api/"):
        return page_not_found(request, exception)
    try:
        if not _authenticated(request):
            return JsonResponse(error_body("not_authenticated"), status=401, headers={"WWW-Authenticate": "Bearer"})
    except exceptions.AuthenticationFailed:
        return JsonResponse(error_body("invalid_token"), status=401, headers={"WWW-Authenticate": "Bearer"})
    return JsonResponse(error_body("not_found"), status=404)
