"""The sends of a whole server process waiting to be stored.

Every socket's message.send joins one queue; one task stores what has gathered, up to
BATCH at a time, in one call to `messages_post`, so under load the database work of
many sockets is shared. Each socket's sends keep their order, and each gets its own
answer."""

import asyncio
import logging
from collections import deque
from typing import Any, Protocol

from channels.db import database_sync_to_async

from backend.chat import services
from backend.common.errors import VoisinsError

logger = logging.getLogger(__name__)

BATCH = 100


class SendingSocket(Protocol):
    def on_posted(self, frame: dict[str, Any], result: services.Ack | VoisinsError) -> None: ...


class Outbox:
    def __init__(self) -> None:
        self.waiting: deque[tuple[SendingSocket, dict[str, Any], services.PostRequest]] = deque()
        self.poster: asyncio.Task | None = None

    def add(self, socket: SendingSocket, frame: dict[str, Any], request: services.PostRequest) -> None:
        self.waiting.append((socket, frame, request))
        if self.poster is None or self.poster.done():
            self.poster = asyncio.create_task(self._post())

    async def _post(self) -> None:
        while self.waiting:
            batch = [self.waiting.popleft() for _ in range(min(BATCH, len(self.waiting)))]
            try:
                results = await database_sync_to_async(services.messages_post)(
                    requests=[request for _, _, request in batch]
                )
            except Exception:
                logger.exception("storing messages failed")
                results = [VoisinsError("server_error")] * len(batch)
            for (socket, frame, _), result in zip(batch, results):
                socket.on_posted(frame, result)

    async def close(self) -> None:
        if self.poster is not None:
            self.poster.cancel()
            await asyncio.gather(self.poster, return_exceptions=True)
