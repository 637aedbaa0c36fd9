"""The database reads of the sockets opening in a server process, done together.

A socket needs two reads before its hello: who it is (the ticket's user, her API token
still live, her neighbourhoods) and, once it has joined its groups, her rooms with their
unread counts. Each socket asks; one task reads what has gathered, up to BATCH requests
in one database call: two queries answer every identity of a batch, and the rooms of a
batch share one thread hop and one pooled connection. One socket alone is read at once;
after a deploy, when every device reconnects together, the database sees a few calls
per batch instead of a few per socket (outbox.py does the same for sends)."""

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async

from backend.accounts.models import User
from backend.chat import frames, selectors, services
from backend.chat.models import Room
from backend.common.busy import is_server_busy

logger = logging.getLogger(__name__)

BATCH = 100
# Times a batch asks for a pooled connection (DB_POOL_TIMEOUT each) before its sockets
# are refused with server_busy.
BUSY_ATTEMPTS = 2


@dataclass(frozen=True)
class _Identity:
    user_id: int
    token_id: int | None


@dataclass(frozen=True)
class _Rooms:
    user: User
    neighbourhood_ids: tuple[int, ...]


def hello_rooms_of(readers: dict[int, list[int]]) -> dict[int, list[dict[str, Any]]]:
    """The rooms of hello for each reader ({user id: the neighbourhoods she reads}), with
    their unread counts: two queries whatever their number (and, once in the life of a
    neighbourhood, its default room is made)."""
    listed = selectors.readable_rooms_of(readers=readers)
    with_default = {room.neighbourhood_id for rooms in listed.values() for room, _ in rooms
                    if room.kind == Room.Kind.DEFAULT}
    missing = {n for neighbourhood_ids in readers.values() for n in neighbourhood_ids} - with_default
    if missing:
        services.rooms_ensure_default(neighbourhood_ids=sorted(missing))
        listed = selectors.readable_rooms_of(readers=readers)
    return {reader: [frames.room_body(room, unread=unread) for room, unread in rooms] for reader, rooms in listed.items()}


def hello_rooms(user: User, neighbourhood_ids: list[int] | tuple[int, ...]) -> list[dict[str, Any]]:
    return hello_rooms_of({user.pk: list(neighbourhood_ids)})[user.pk]


def read_batch(requests: list[_Identity | _Rooms]) -> list[Any]:
    """The answer to each request (a batch is read in one go: its requests fail together)."""
    answers: list[Any] = [None] * len(requests)
    identities = [(r.user_id, r.token_id) for r in requests if isinstance(r, _Identity)]
    if identities:
        users = selectors.socket_users(tickets=identities)
        neighbourhoods = selectors.readable_neighbourhood_ids_of(user_ids=sorted({u.pk for u in users.values()}))
        for index, request in enumerate(requests):
            if isinstance(request, _Identity):
                user = users.get((request.user_id, request.token_id))
                answers[index] = (user, neighbourhoods[user.pk]) if user is not None else None
    wanted = [(index, r) for index, r in enumerate(requests) if isinstance(r, _Rooms)]
    if wanted:
        # A reader's sockets in one batch may have read her neighbourhoods at different
        # moments: read the union, then give each socket the rooms of its own.
        readers: dict[int, set[int]] = {}
        for _, request in wanted:
            readers.setdefault(request.user.pk, set()).update(request.neighbourhood_ids)
        rooms = hello_rooms_of({reader: sorted(ids) for reader, ids in readers.items()})
        for index, request in wanted:
            own = set(request.neighbourhood_ids)
            answers[index] = [room for room in rooms[request.user.pk] if room["neighbourhood_id"] in own]
    return answers


class Arrivals:
    def __init__(self) -> None:
        self.waiting: deque[tuple[_Identity | _Rooms, asyncio.Future]] = deque()
        self.reader: asyncio.Task | None = None

    async def identity(self, *, user_id: int, token_id: int | None) -> tuple[User, list[int]] | None:
        """The ticket's user (active, her API token still live) and the neighbourhoods
        she reads; None when the ticket names nobody who may connect."""
        return await self._ask(_Identity(user_id, token_id))

    async def rooms(self, *, user: User, neighbourhood_ids: list[int]) -> list[dict[str, Any]]:
        """hello_rooms, read after this call began."""
        return await self._ask(_Rooms(user, tuple(neighbourhood_ids)))

    async def _ask(self, request: _Identity | _Rooms) -> Any:
        answer = asyncio.get_running_loop().create_future()
        self.waiting.append((request, answer))
        if self.reader is None or self.reader.done():
            self.reader = asyncio.create_task(self._read())
        result = await answer
        if isinstance(result, Exception):
            raise result
        return result

    async def _read(self) -> None:
        while self.waiting:
            batch = [self.waiting.popleft() for _ in range(min(BATCH, len(self.waiting)))]
            requests = [request for request, _ in batch]
            for attempt in range(1, BUSY_ATTEMPTS + 1):
                try:
                    answers = await database_sync_to_async(read_batch)(requests)
                    break
                except Exception as exc:  # noqa: BLE001: the database failed the whole batch
                    # A batch's sockets have each had a ticket already: worth another wait
                    # for a pooled connection before they are all told to come back.
                    if attempt < BUSY_ATTEMPTS and is_server_busy(exc):
                        continue
                    answers = [exc] * len(batch)
                    break
            for (_, future), answer in zip(batch, answers):
                if not future.done():  # its socket may have gone meanwhile
                    future.set_result(answer)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            await asyncio.gather(self.reader, return_exceptions=True)
