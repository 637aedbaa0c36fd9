"""Publishing to the sockets of every server process, through the channel layer.

Services call `publish_on_commit`, so nobody hears of a change that rolled back. A
frame is encoded once by the publisher; each process's hub hands the same text to
every local socket. If a publish fails, clients still get the change when they
catch up from their cursor."""

import asyncio
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

import orjson
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

EVENT_TYPE = "hub.event"


def neighbourhood_group(neighbourhood_id: int) -> str:
    return f"nbh.{neighbourhood_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def encode(frame: dict[str, Any]) -> bytes:
    return orjson.dumps(frame)


def publish_on_commit(group: str, **event: Any) -> None:
    transaction.on_commit(partial(publish_now, group, **event))


def tell_on_commit(user_ids: Iterable[int], frame: dict[str, Any]) -> None:
    """One frame to every socket of these people, once the transaction commits."""
    encoded = encode(frame)
    for user_id in user_ids:
        publish_on_commit(user_group(user_id), frame=encoded)


_server_loop: asyncio.AbstractEventLoop | None = None


def serve_from(loop: asyncio.AbstractEventLoop) -> None:
    """Called by the process hub: publishes from database threads go to this loop."""
    global _server_loop
    _server_loop = loop


def publish_now(group: str, **event: Any) -> None:
    message = {"type": EVENT_TYPE, "group": group, **event}
    loop = _server_loop
    if loop is not None and loop.is_running():
        # From a database thread of the server: hand the publish to the event loop
        # without waiting for Redis, so the thread goes on with the next write.
        loop.call_soon_threadsafe(_spawn_publish, group, message)
        return
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception:  # the change is committed; clients catch up from their cursor
        logger.exception("could not publish to %s", group)


def _spawn_publish(group: str, message: dict[str, Any]) -> None:
    task = asyncio.ensure_future(get_channel_layer().group_send(group, message))
    task.add_done_callback(partial(_log_failure, group))


def _log_failure(group: str, task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("could not publish to %s", group, exc_info=task.exception())


async def publish_async(group: str, **event: Any) -> None:
    try:
        await get_channel_layer().group_send(group, {"type": EVENT_TYPE, "group": group, **event})
    except Exception:
        logger.exception("could not publish to %s", group)
