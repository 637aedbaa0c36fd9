"""The only place that writes accounts and tokens."""

import secrets
import time
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from backend.accounts.domain import TOKEN_PREFIX, normalize_email, token_digest, token_expiry_after_use
from backend.accounts.models import DeviceToken, User
from backend.common import events, ratelimit
from backend.common.errors import VoisinsError
from backend.push import services as push

LOGIN_FAILURES_PER_ACCOUNT = ratelimit.RateLimit(
    "login-account", settings.LOGIN_FAILURE_LIMIT, int(settings.LOGIN_FAILURE_WINDOW.total_seconds())
)
LOGIN_FAILURES_PER_IP = ratelimit.RateLimit(
    "login-ip", settings.LOGIN_FAILURE_LIMIT, int(settings.LOGIN_FAILURE_WINDOW.total_seconds())
)


def user_signup(*, email: str, password: str, display_name: str, language: str) -> User:
    email = normalize_email(email)
    candidate = User(email=email, display_name=display_name.strip(), language=language)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    if User.objects.filter(email=email).exists():
        raise VoisinsError("email_taken")
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError as exc:  # two sign-ups racing for one address
        raise VoisinsError("email_taken") from exc
    return candidate


def user_update(*, user: User, display_name: str | None = None, language: str | None = None) -> User:
    if display_name is not None:
        user.display_name = display_name.strip()
    if language is not None:
        user.language = language
    user.save(update_fields=["display_name", "language"])
    return user


def token_create(*, user: User, device_name: str = "") -> tuple[DeviceToken, str]:
    """Returns the token row and its secret, which is shown once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = DeviceToken.objects.create(
        user=user,
        digest=token_digest(raw),
        device_name=device_name.strip(),
        created_at=now,
        last_used_at=now,
        expires_at=now + settings.API_TOKEN_TTL,
    )
    return token, raw


def token_use(*, raw: str, now: datetime | None = None) -> DeviceToken | None:
    """The live token for this secret, its expiry slid forward; None if unknown or expired."""
    now = now or timezone.now()
    token = DeviceToken.objects.select_related("user").filter(digest=token_digest(raw)).first()
    if token is None or token.expires_at <= now or not token.user.is_active:
        return None
    new_expiry = token_expiry_after_use(
        now=now, last_used_at=token.last_used_at, ttl=settings.API_TOKEN_TTL, slide_every=settings.API_TOKEN_SLIDE_EVERY
    )
    if new_expiry is not None:
        DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now, expires_at=new_expiry)
        token.last_used_at, token.expires_at = now, new_expiry
    return token


def token_revoke(*, token: DeviceToken) -> None:
    user_id, token_id = token.user_id, token.pk
    with transaction.atomic():
        push.devices_sign_out(auth_token_id=token_id)
        token.delete()
        # Sockets opened with this token end too.
        events.publish_on_commit(events.user_group(user_id), control={"kind": "token.revoked", "token_id": token_id})


def session_end(*, request: HttpRequest) -> None:
    """Logs the session out, and ends the sockets that it opened."""
    user_id, session_key = request.user.pk, request.session.session_key
    if session_key:
        push.devices_sign_out(session_key=session_key)
    logout(request)
    if session_key:
        events.publish_now(events.user_group(user_id), control={"kind": "session.ended", "session_key": session_key})


def login_check(*, email: str, password: str, ip: str) -> User:
    """Checks a password, at most LOGIN_FAILURE_LIMIT failures per window per account and per IP.
    A throttled attempt does not even look at the password."""
    email = normalize_email(email)
    checks = [(LOGIN_FAILURES_PER_ACCOUNT, email), (LOGIN_FAILURES_PER_IP, ip or "unknown")]
    now = time.time()
    retry_after = ratelimit.exceeded(checks, now)
    if retry_after is not None:
        raise VoisinsError("login_throttled", retry_after=retry_after)
    user = authenticate(username=email, password=password)
    if user is None:
        for limit, identity in checks:
            ratelimit.hit(limit, identity, now)
        raise VoisinsError("invalid_credentials")
    cache.delete(LOGIN_FAILURES_PER_ACCOUNT.key(email, now))
    return user
