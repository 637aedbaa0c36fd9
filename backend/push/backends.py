"""Where pushes go: `console` logs them (the embedded default, so make run shows who
would have been pushed), `fcm` sends them with firebase-admin's messaging.send_each."""

import logging
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Push:
    token: str
    platform: str
    payload: dict[str, Any]  # notification, data, collapse_key, badge: see backend.push.services
    user_id: int = 0  # for the console's log


@dataclass(frozen=True)
class Result:
    error: str | None = None  # the firebase_admin exception class, None when sent
    retry_after: float | None = None
    detail: str = ""


class Backend(Protocol):
    def send(self, pushes: list[Push]) -> list[Result]: ...


class ConsoleBackend:
    def send(self, pushes: list[Push]) -> list[Result]:
        # Logs say who and what kind, never the token nor the message text.
        for push in pushes:
            notification = push.payload.get("notification") or {}
            logger.info(
                "push to user %s (%s): %s, title %r, data %s", push.user_id, push.platform,
                "notification" if notification else "data only", notification.get("title", ""), push.payload.get("data"),
            )
        return [Result() for _ in pushes]


class FcmBackend:
    """The real firebase-admin code path. Credentials come from
    GOOGLE_APPLICATION_CREDENTIALS; PUSH_FCM_ENDPOINT, for tests and benchmarks only,
    sends to another host than fcm.googleapis.com."""

    def __init__(self) -> None:
        import firebase_admin
        from firebase_admin import credentials, messaging

        self.messaging = messaging
        if settings.PUSH_FCM_ENDPOINT:
            # The SDK has no option for its endpoint: it is this class attribute.
            messaging._MessagingService.FCM_URL = settings.PUSH_FCM_ENDPOINT.rstrip("/") + "/v1/projects/{0}/messages:send"
        try:
            self.app = firebase_admin.get_app("voisins")
        except ValueError:
            self.app = firebase_admin.initialize_app(credentials.ApplicationDefault(), name="voisins")
        if settings.PUSH_FCM_ENDPOINT:
            self._pool_like_fcm()

    def _pool_like_fcm(self) -> None:
        """Gives the other host the connection pool the SDK mounts for fcm.googleapis.com."""
        import requests
        from firebase_admin import _http_client

        service = self.messaging._get_messaging_service(self.app)
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=100, pool_maxsize=100, max_retries=_http_client.DEFAULT_RETRY_CONFIG
        )
        service._client.session.mount(settings.PUSH_FCM_ENDPOINT.rstrip("/"), adapter)

    def send(self, pushes: list[Push]) -> list[Result]:
        with warnings.catch_warnings():
            # firebase-admin 7.7 prefers installation ids (fid); apps give us registration
            # tokens, which FCM's v1 API still takes as `token`.
            warnings.filterwarnings("ignore", "Message.token is deprecated", DeprecationWarning)
            messages = [self._message(push) for push in pushes]
        response = self.messaging.send_each(messages, app=self.app)
        return [self._result(item) for item in response.responses]

    def _message(self, push: Push) -> Any:
        m, payload = self.messaging, push.payload
        notification = payload.get("notification")
        collapse = payload.get("collapse_key")
        # What the phone shows once: the collapse key, or the event's own tag (a push sent
        # twice after a worker crash replaces itself). Android's collapse_key stays the
        # room's only: FCM keeps at most four collapse keys per device.
        tag = collapse or payload.get("tag")
        aps = m.Aps(
            badge=payload.get("badge"),
            sound="default" if notification else None,
            content_available=None if notification else True,
        )
        apns_headers = {"apns-priority": "10" if notification else "5",
                        "apns-push-type": "alert" if notification else "background"}
        if tag:
            apns_headers["apns-collapse-id"] = tag
        return m.Message(
            token=push.token,
            data={key: str(value) for key, value in payload.get("data", {}).items()},
            notification=m.Notification(**notification) if notification else None,
            android=m.AndroidConfig(
                collapse_key=collapse, priority="high" if notification else "normal",
                notification=m.AndroidNotification(tag=tag) if notification and tag else None,
            ),
            apns=m.APNSConfig(headers=apns_headers, payload=m.APNSPayload(aps=aps)),
            webpush=m.WebpushConfig(notification=m.WebpushNotification(tag=tag)) if notification and tag else None,
        )

    @staticmethod
    def _result(item: Any) -> Result:
        if item.success:
            return Result()
        error = item.exception
        retry_after = None
        response = getattr(error, "http_response", None)
        if response is not None and response.headers.get("Retry-After"):
            try:
                retry_after = float(response.headers["Retry-After"])
            except ValueError:
                retry_after = None
        return Result(error=type(error).__name__, retry_after=retry_after, detail=str(error)[:200])


@cache
def backend() -> Backend:
    return FcmBackend() if settings.PUSH_BACKEND == "fcm" else ConsoleBackend()
