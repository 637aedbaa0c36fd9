"""The only place that writes accounts and tokens."""

import hashlib
import secrets
import time
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from backend.accounts.domain import (
    TOKEN_PREFIX,
    FailureWindow,
    login_retry_after,
    normalize_email,
    token_digest,
    token_expiry_after_use,
)
from backend.accounts.models import DeviceToken, User
from backend.common.errors import VoisinsError


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
    token.delete()


def _failure_keys(kind: str, identity: str) -> tuple[str, str]:
    base = f"login-failures:{kind}:{hashlib.sha256(identity.encode()).hexdigest()[:32]}"
    return f"{base}:count", f"{base}:resets-at"


def _failure_windows(keys: list[tuple[str, str]]) -> list[FailureWindow]:
    values = cache.get_many([key for pair in keys for key in pair])
    return [FailureWindow(failures=values.get(count, 0), resets_at=values.get(resets, 0.0)) for count, resets in keys]


def _failure_record(keys: list[tuple[str, str]], now: float) -> None:
    window = int(settings.LOGIN_FAILURE_WINDOW.total_seconds())
    for count_key, resets_key in keys:
        cache.add(resets_key, now + window, window)
        cache.add(count_key, 0, window)
        try:
            cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.set(count_key, 1, window)


def login_check(*, email: str, password: str, ip: str) -> User:
    """Checks a password, at most LOGIN_FAILURE_LIMIT failures per window per account and per IP.
    A throttled attempt does not even look at the password."""
    email = normalize_email(email)
    keys = [_failure_keys("account", email), _failure_keys("ip", ip or "unknown")]
    now = time.time()
    retry_after = login_retry_after(windows=_failure_windows(keys), limit=settings.LOGIN_FAILURE_LIMIT, now=now)
    if retry_after is not None:
        raise VoisinsError("login_throttled", retry_after=retry_after)
    user = authenticate(username=email, password=password)
    if user is None:
        _failure_record(keys, now)
        raise VoisinsError("invalid_credentials")
    cache.delete_many(list(keys[0]))
    return user
