"""ASGI entry point served by uvicorn or daphne: `uvicorn asgi:application`."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from backend.chat.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origins are checked by the socket itself, so that a refused page gets close code 4403.
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
