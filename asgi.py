"""ASGI entry point served by uvicorn or daphne: `uvicorn asgi:application`."""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from backend.common import serverlogs  # noqa: E402

# No ticket in the server's logs, no traceback per invalid UTF-8 frame.
serverlogs.install()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from backend.chat.routing import websocket_urlpatterns  # noqa: E402
from backend.common.gate import RequestGate  # noqa: E402

application = ProtocolTypeRouter(
    {
        # At most HTTP_MAX_CONCURRENT Django requests (threads) at once; the others wait.
        "http": RequestGate(django_asgi_app),
        # The socket authenticates itself (ticket, or session cookie from an allowed
        # origin) so that a refused page gets a close code, and so that no middleware
        # wraps each frame it sends.
        "websocket": URLRouter(websocket_urlpatterns),
    }
)

# What is loaded by now (Django, the apps, their modules and classes) lives as long as
# the process: frozen out of the garbage collector's sight, its full collections no
# longer walk it all and pause the event loop for tens of milliseconds
# (docs/performance.md: p99 at 50 messages/s in one room 75-80 -> 20 ms). What is
# garbage already is collected first, not kept for ever.
gc.collect()
gc.freeze()
# What open sockets hold lives as long as they do: with 2,000 open, a full collection
# walked it all and stopped the loop for 80-300 ms every few seconds, the p99 of ten
# busy rooms (docs/performance.md). Young collections every 50,000 allocations instead
# of 700 let what a frame or a batch allocates die before it is promoted; full ones
# wait for 100 middle ones instead of 10 (and for the older generation to have grown by
# a quarter, as always), so that they stay rare but still come.
gc.set_threshold(50_000, 20, 100)
