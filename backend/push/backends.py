"""Where pushes go: `console` logs them (the embedded default, so make run shows who
would have been pushed), `fcm` sends them to FCM (backend/push/fcm.py)."""

import logging
import threading
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import orjson
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
    """firebase-admin builds, validates and encodes each message and holds the service
    account's credentials (GOOGLE_APPLICATION_CREDENTIALS); backend/push/fcm.py sends
    them. PUSH_FCM_ENDPOINT, for tests and benchmarks only, sends to another host than
    fcm.googleapis.com."""

    def __init__(self) -> None:
        import firebase_admin
        from firebase_admin import credentials, messaging

        from backend.push.fcm import FcmTransport

        self.messaging = messaging
        try:
            self.app = firebase_admin.get_app("voisins")
        except ValueError:
            self.app = firebase_admin.initialize_app(credentials.ApplicationDefault(), name="voisins")
        self.credential = self.app.credential.get_credential()
        self.token_lock = threading.Lock()
        host = settings.PUSH_FCM_ENDPOINT.rstrip("/") or "https://fcm.googleapis.com"
        self.transport = FcmTransport(
            url=f"{host}/v1/projects/{self.app.project_id}/messages:send", access_token=self.access_token,
            connections=settings.PUSH_FCM_CONNECTIONS, timeout=settings.PUSH_FCM_TIMEOUT_SECONDS,
        )

    def access_token(self, refresh_now: bool) -> str:
        """The OAuth token of the service account, refreshed by google-auth when it is
        about to expire (or when FCM refused it)."""
        from google.auth.transport.requests import Request

        with self.token_lock:
            if refresh_now or not self.credential.valid:
                self.credential.refresh(Request())
            return self.credential.token

    def send(self, pushes: list[Push]) -> list[Result]:
        # The pushes of one event mostly share their payload: each distinct one is built,
        # validated and encoded once, then given each token.
        encoded: dict[bytes, dict[str, Any]] = {}
        messages = []
        for push in pushes:
            key = orjson.dumps(push.payload, option=orjson.OPT_SORT_KEYS)
            if key not in encoded:
                encoded[key] = self._encoded(push.payload)
            messages.append({"message": {**encoded[key], "token": push.token}})
        return self.transport.send(messages)

    def _encoded(self, payload: dict[str, Any]) -> dict[str, Any]:
        with warnings.catch_warnings():
            # firebase-admin 7.7 prefers installation ids (fid); apps give us registration
            # tokens, which FCM's v1 API still takes as `token`.
            warnings.filterwarnings("ignore", "Message.token is deprecated", DeprecationWarning)
            # encode_message is the SDK's own validation and JSON form of a Message (the
            # version is pinned); a placeholder token is replaced by each device's.
            return self.messaging._MessagingService.encode_message(self._message(payload, token="-"))

    def _message(self, payload: dict[str, Any], *, token: str) -> Any:
        m = self.messaging
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
            token=token,
            data={key: str(value) for key, value in payload.get("data", {}).items()},
            notification=m.Notification(**notification) if notification else None,
            android=m.AndroidConfig(
                collapse_key=collapse, priority="high" if notification else "normal",
                notification=m.AndroidNotification(tag=tag) if notification and tag else None,
            ),
            apns=m.APNSConfig(headers=apns_headers, payload=m.APNSPayload(aps=aps)),
            webpush=m.WebpushConfig(notification=m.WebpushNotification(tag=tag)) if notification and tag else None,
        )


@cache
def backend() -> Backend:
    return FcmBackend() if settings.PUSH_BACKEND == "fcm" else ConsoleBackend()
