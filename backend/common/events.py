"""Publishing to the sockets of every server process, through the channel layer.

Services call `publish_on_commit`, so nobody hears of a change that rolled back. A
frame is encoded once by the publisher; each process's hub hands the same text to
every local socket. If a publish fails, clients still get the change when they
catch up from their cursor."""

import logging
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


def publish_now(group: str, **event: Any) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group, {"type": EVENT_TYPE, "group": group, **event})
    except Exception:  # the change is committed; clients catch up from their cursor
        logger.exception("could not publish to %s", group)


async def publish_async(group: str, **event: Any) -> None:
    try:
        await get_channel_layer().group_send(group, {"type": EVENT_TYPE, "group": group, **event})
    except Exception:
        logger.exception("could not publish to %s", group)
