"""The only place that writes accounts and tokens."""

import logging
import secrets
import time
from collections.abc import Callable
from datetime import date, datetime
from functools import partial

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import authenticate, logout
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from backend.accounts import domain
from backend.accounts.domain import TOKEN_PREFIX, normalize_email, token_digest, token_expiry_after_use
from backend.accounts.domain_events import AccountErased, InactivityWarned, SignedOut
from backend.accounts.models import DeviceToken, User
from backend.common import domain_events, events, ratelimit
from backend.common.errors import VoisinsError

logger = logging.getLogger(__name__)

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
        # Each of AUTH_PASSWORD_VALIDATORS' reasons, at the field, as validation_failed lists them.
        reasons = [{"code": error.code, "message": message} for error in exc.error_list for message in error]
        raise VoisinsError("weak_password", fields={"password": reasons}) from exc
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
        _seen(token.user, now)
    return token


def _seen(user: User, now: datetime) -> None:
    """Records her activity (the inactivity rule reads it), at most every API_TOKEN_SLIDE_EVERY;
    coming back cancels an inactivity warning."""
    if domain.seen_again(last_seen_at=user.last_seen_at, now=now, every=settings.API_TOKEN_SLIDE_EVERY) or (
        user.inactivity_warned_at is not None
    ):
        # An UPDATE waits for the lock of an erasure or a warning under way, which decide
        # on her row as they find it then (backend.privacy.services.inactive_account_erase).
        User.objects.filter(pk=user.pk, erased_at=None).update(last_seen_at=now, inactivity_warned_at=None)
        user.last_seen_at, user.inactivity_warned_at = now, None


def token_revoke(*, token: DeviceToken) -> None:
    user_id, token_id = token.user_id, token.pk
    with transaction.atomic():
        domain_events.emit(SignedOut(user_id=user_id, auth_token_id=token_id))
        token.delete()
        # Sockets opened with this token end too.
        events.publish_on_commit(events.user_group(user_id), control={"kind": "token.revoked", "token_id": token_id})


def session_end(*, request: HttpRequest) -> None:
    """Logs the session out, and ends the sockets that it opened."""
    user_id, session_key = request.user.pk, request.session.session_key
    if session_key:
        with transaction.atomic():
            domain_events.emit(SignedOut(user_id=user_id, session_key=session_key))
    logout(request)
    if session_key:
        events.publish_now(events.user_group(user_id), control={"kind": "session.ended", "session_key": session_key})


def _password_attempt(*, email: str, ip: str, check: Callable[[], User | None], refusal: str) -> User:
    """One password attempt, at most LOGIN_FAILURE_LIMIT failures per window per account
    and per IP (a login or an erasure's confirmation: the same throttle). A throttled
    attempt does not even look at the password; a wrong one counts and raises `refusal`."""
    checks = [(LOGIN_FAILURES_PER_ACCOUNT, email), (LOGIN_FAILURES_PER_IP, ip or "unknown")]
    now = time.time()
    retry_after = ratelimit.exceeded(checks, now)
    if retry_after is not None:
        raise VoisinsError("login_throttled", retry_after=retry_after)
    user = check()
    if user is None:
        for limit, identity in checks:
            ratelimit.hit(limit, identity, now)
        raise VoisinsError(refusal)
    cache.delete(LOGIN_FAILURES_PER_ACCOUNT.key(email, now))
    return user


def login_check(*, email: str, password: str, ip: str) -> User:
    """Checks a password (throttled: _password_attempt)."""
    email = normalize_email(email)
    user = _password_attempt(email=email, ip=ip, check=lambda: authenticate(username=email, password=password),
                             refusal="invalid_credentials")
    _seen(user, timezone.now())
    return user


def tokens_prune(*, now: datetime) -> int:
    """Deletes API tokens expired for good (API_TOKEN_TTL after their last use): they
    open nothing any more. Run by backend.privacy's retention task."""
    deleted, _ = DeviceToken.objects.filter(expires_at__lte=now).delete()
    return deleted


def sessions_prune(*, now: datetime) -> int:
    """Deletes sessions past their expiry (Django's clearsessions, on the retention timer)."""
    deleted, _ = Session.objects.filter(expire_date__lte=now).delete()
    return deleted


# Erasure


def account_erase(*, user: User, password: str, ip: str) -> None:
    """She erases her own account, confirming with her password: a wrong one changes
    nothing and counts as a failed login (the same throttle: _password_attempt)."""
    _password_attempt(email=user.email, ip=ip, check=lambda: user if user.check_password(password) else None,
                      refusal="wrong_password")
    user_erase(user=user)


def user_erase(
    *, user: User, cause: str = "requested", now: datetime | None = None, only_if: Callable[[User], bool] | None = None
) -> bool:
    """Erases her account, irreversibly, in one transaction: her personal fields become
    a tombstone (backend.accounts.domain), her tokens go, her sockets close
    (`account.erased`: backend.chat.consumers, close code 4410), and every app erases its
    own part on AccountErased. Her browser sessions end at once without being looked
    for: her password changes, so Django's session auth hash no longer matches and each
    of them is refused (and flushed) at its next request; their rows, which hold only
    her id, go with the expired ones (sessions_prune). `only_if`, given, decides on her
    row as it is under the lock (the inactivity rule: she may have come back meanwhile).
    False when she was already erased or `only_if` refuses (nothing changes)."""
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.erased_at is not None or (only_if is not None and not only_if(user)):
            return False
        # All of the field: 64 bits, so that two erased people do not share a label.
        pseudonym = secrets.token_hex(User._meta.get_field("pseudonym").max_length // 2)
        user.email = domain.erased_email(user_id=user.pk)
        user.display_name = domain.erased_display_name(pseudonym)
        user.set_unusable_password()
        user.language = settings.LANGUAGE_CODE
        user.is_active = user.is_staff = user.is_superuser = False
        user.last_login = user.inactivity_warned_at = None
        user.erased_at, user.pseudonym = now, pseudonym
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        DeviceToken.objects.filter(user=user).delete()
        # The admin's history of changes to her account named her.
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        ).update(object_repr=user.display_name)
        domain_events.emit(AccountErased(user_id=user.pk, pseudonym=pseudonym, at=now, cause=cause))
        events.publish_on_commit(events.user_group(user.pk), control={"kind": "account.erased"})
    return True


def user_inactivity_warn(*, user: User, now: datetime, erase_on: date, only_if: Callable[[User], bool]) -> bool:
    """Warns her, by email and push (InactivityWarned), that her account inactive for
    long will be erased on `erase_on` unless she logs in (backend.privacy's inactivity
    rule, `only_if`, decides on her row as it is under the lock). False if it refuses
    (she was warned already, or came back meanwhile)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.erased_at is not None or not only_if(user):
            return False
        user.inactivity_warned_at = now
        user.save(update_fields=["inactivity_warned_at"])
        domain_events.emit(InactivityWarned(user_id=user.pk, erase_on=erase_on.isoformat()))
        day = domain.day_text(erase_on, language=user.language)
        subject, body = domain.inactivity_email(
            language=user.language, display_name=user.display_name, erase_on=day, page=f"{settings.PUBLIC_URL}/data/"
        )
        transaction.on_commit(partial(_send_email, subject, body, user.email))
    return True


def _send_email(subject: str, body: str, to: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except Exception:  # the push says it too; the warning is not sent again
        logger.exception("could not send an inactivity warning")
