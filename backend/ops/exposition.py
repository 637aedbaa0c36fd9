"""Who may read the metrics, and how a worker serves them.

Metrics say how busy the service is and where it fails, which is worth hiding from the
internet: a scraper presents `Authorization: Bearer $METRICS_TOKEN`, or comes from an
address of METRICS_ALLOWED_IPS (addresses or networks, e.g. `10.0.0.0/8`). With neither
set, nobody may (a DEBUG process allows 127.0.0.1 and ::1)."""

import hmac
import ipaddress
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

logger = logging.getLogger(__name__)


def metrics_allowed(*, client_ip: str, authorization: str) -> bool:
    token = settings.METRICS_TOKEN
    if token and authorization.startswith("Bearer ") and hmac.compare_digest(
        authorization.removeprefix("Bearer ").strip().encode(), token.encode()
    ):
        return True
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_IPS:
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS holds %r, which is no address or network", allowed)
    return False


def metrics_text() -> bytes:
    return generate_latest(REGISTRY)


class _MetricsHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.split("?")[0] != "/metrics":
            self._answer(404, b"not found\n", "text/plain")
        elif not metrics_allowed(client_ip=self.client_address[0], authorization=self.headers.get("Authorization", "")):
            self._answer(403, b"forbidden\n", "text/plain")
        else:
            self._answer(200, metrics_text(), CONTENT_TYPE_LATEST)

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # a scrape every 15 s is not worth a log line


def metrics_serve(*, port: int, host: str = "0.0.0.0") -> ThreadingHTTPServer:
    """Serves GET /metrics of this process (a worker, which has no web server) from a
    daemon thread."""
    server = ThreadingHTTPServer((host, port), _MetricsHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
