"""Accounts' retention rules (registered in backend.common.retention)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from backend.common.retention import SWEEP, Rule


def _tokens(now: datetime) -> int:
    from backend.accounts import services

    return services.tokens_prune(now=now)


def _sessions(now: datetime) -> int:
    from backend.accounts import services

    return services.sessions_prune(now=now)


def rules() -> list[Rule]:
    # SESSION_COOKIE_AGE counts from the login (or the session's last change), not from
    # its last use: SESSION_SAVE_EVERY_REQUEST is off.
    return [
        Rule("api_tokens", _("A device's login (API token) not used since"), settings.API_TOKEN_TTL,
             "API_TOKEN_TTL_DAYS", SWEEP, _tokens),
        Rule("sessions", _("A browser's login (session), counted from the moment you logged in"),
             timedelta(seconds=settings.SESSION_COOKIE_AGE), "SESSION_COOKIE_AGE", SWEEP, _sessions),
        Rule("login_failures", _("Failed logins counted against guessing"), settings.LOGIN_FAILURE_WINDOW,
             "LOGIN_FAILURE_WINDOW", "Redis expiry"),
    ]
