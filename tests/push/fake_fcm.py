"""A local stand-in for the two Google endpoints firebase-admin calls: the OAuth token
endpoint of a service account (its token_uri) and FCM's messages:send. The SDK itself
runs unchanged; only its endpoint and the service account's token_uri point here.

What a token gets is programmed per token: a list of answers used in turn (the last
one repeats), 200 by default. A token in `hold` blocks its request until released."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PROJECT = "voisins-test"


def fcm_error(status: int, status_name: str, error_code: str | None = None) -> tuple[int, dict, dict]:
    details = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}] if error_code else []
    return status, {"error": {"code": status, "message": f"fake {status_name}", "status": status_name, "details": details}}, {}


UNREGISTERED = fcm_error(404, "NOT_FOUND", "UNREGISTERED")
INVALID = fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
SENDER_MISMATCH = fcm_error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH")
UNAVAILABLE = fcm_error(503, "UNAVAILABLE", "UNAVAILABLE")
APNS_AUTH = fcm_error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR")


def quota_exceeded(retry_after: int) -> tuple[int, dict, dict]:
    status, body, _ = fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED")
    return status, body, {"Retry-After": str(retry_after)}


class FakeFcm:
    def __init__(self, directory: Path) -> None:
        self.sent: list[dict] = []  # every messages:send request body, in arrival order
        self.answers: dict[str, list[tuple[int, dict, dict]]] = {}
        self.hold: set[str] = set()
        self.released = threading.Event()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/token":
                    self._answer(200, {"access_token": "fake-access-token", "expires_in": 3600, "token_type": "Bearer"})
                    return
                if self.path != f"/v1/projects/{PROJECT}/messages:send":
                    self._answer(404, {"error": {"code": 404, "message": "no such path", "status": "NOT_FOUND"}})
                    return
                if self.headers.get("Authorization") != "Bearer fake-access-token":
                    self._answer(*fcm_error(401, "UNAUTHENTICATED")[:2])
                    return
                message = json.loads(body)["message"]
                token = message["token"]
                with fake.lock:
                    fake.sent.append(message)
                    answers = fake.answers.get(token) or [(200, None, {})]
                    status, reply, headers = answers.pop(0) if len(answers) > 1 else answers[0]
                if token in fake.hold:
                    fake.released.wait(30)
                if reply is None:
                    reply = {"name": f"projects/{PROJECT}/messages/{len(fake.sent)}"}
                self._answer(status, reply, headers)

            def _answer(self, status: int, reply: dict, headers: dict | None = None) -> None:
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.credentials = directory / "service-account.json"
        self.credentials.write_text(json.dumps(self._service_account()))

    def _service_account(self) -> dict:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        return {
            "type": "service_account", "project_id": PROJECT, "private_key_id": "fake-key", "private_key": pem.decode(),
            "client_email": f"push@{PROJECT}.iam.gserviceaccount.com", "client_id": "1",
            "token_uri": f"{self.url}/token",
        }

    def reset(self) -> None:
        with self.lock:
            self.sent.clear()
            self.answers.clear()
            self.hold.clear()
            self.released.clear()

    def tokens_sent(self) -> list[str]:
        with self.lock:
            return [message["token"] for message in self.sent]

    def wait_for(self, count: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while len(self.sent) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"FCM got {len(self.sent)} requests, not {count}")
            time.sleep(0.02)

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
