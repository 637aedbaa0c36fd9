"""What storing a batch of chat messages costs: `services.messages_post` (client-id and
room look-ups, the access check, the write limit in Redis, sequence numbers, the INSERT,
the push task, the publish on commit) against the floor, the same rows written by the
two statements per room that any store needs (sequence numbers, one INSERT) and the
commit, measured side by side in one run on the same database. Then the client-id
look-up once fifty authors have 400 messages each: by (author, client id) pairs, as
messages_post does, against authors and client ids matched apart, as it did before.

    .venv/bin/python bench/store.py

It starts its own PostgreSQL and Redis (as the tests do) and a database with one
neighbourhood of 600 verified members and ten rooms. Printed per batch size (messages,
rooms): wall and CPU milliseconds per batch for each, and their ratio. The live server
runs this in its database thread, so its CPU here is also time the event loop waits for
the GIL."""

import asyncio
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.realtime import PAD, prepare_database  # noqa: E402
from tests.servers import PostgresServer, RedisServer, remove  # noqa: E402

BATCHES = ((1, 1), (10, 1), (50, 1), (50, 10))
AUTHORS = 50
HISTORY = 400


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="voisins-bench-store-"))
    postgres, redis_server = PostgresServer(workdir / "postgres"), RedisServer(workdir)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "backend.settings", "DATABASE_URL": postgres.url, "REDIS_URL": redis_server.url,
        "SECRET_KEY": "bench-only", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING",
        "CHAT_WRITES_PER_WINDOW": "100000000", "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
    })
    try:
        room_ids, user_ids = prepare_database(users=600, rooms=10)
        run(room_ids, user_ids)
    finally:
        redis_server.stop()
        postgres.stop()
        remove(workdir)


def run(room_ids: list[int], user_ids: list[int]) -> None:
    from backend.accounts.models import User
    from backend.chat import services
    from backend.common import events

    # Published frames go out through a loop, as in a server process.
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    events.serve_from(loop)
    authors = list(User.objects.filter(pk__in=user_ids[:AUTHORS]))

    def requests(size: int, rooms: int) -> list[services.PostRequest]:
        return [
            services.PostRequest(author=authors[i % AUTHORS], room_id=room_ids[i % rooms], text=f"{i} {PAD}",
                                 client_id=uuid.uuid4().hex)
            for i in range(size)
        ]

    print(f"{'batch':>14}  {'messages_post':>22}  {'floor':>22}  ratio")
    for size, rooms in BATCHES:
        ours = _per_batch(lambda: services.messages_post(requests=requests(size, rooms)), size)
        floor = _per_batch(lambda: _floor(requests(size, rooms)), size)
        print(f"{size:>4} in {rooms:>2} rooms  {_ms(ours):>22}  {_ms(floor):>22}  {ours[0] / floor[0]:.2f} x")
    lookup(authors, room_ids[0], requests)


def lookup(authors: list, room_id: int, requests) -> None:
    """The client-id look-up of a batch of fifty authors, once each has HISTORY messages."""
    from backend.chat import selectors, services
    from backend.chat.models import Message

    while Message.objects.filter(author=authors[0]).count() < HISTORY:
        services.messages_post(requests=requests(100, 1))
    asked = [(request.author.pk, request.client_id) for request in requests(AUTHORS, 1)]

    def apart() -> None:
        list(Message.objects.filter(author_id__in={a for a, _ in asked}, client_id__in={c for _, c in asked}))

    as_pairs = _per_batch(lambda: selectors.posting_reads(pairs=set(asked), room_ids=set()), 50)
    baseline = _per_batch(apart, 50)
    print(f"client-id look-up, {AUTHORS} authors of {HISTORY} messages each: by pairs {_ms(as_pairs)},"
          f" authors and client ids apart {_ms(baseline)}")


def _floor(requests: list) -> None:
    """Sequence numbers (services' own statement) and one INSERT per room, in one
    transaction: what is left of a store with no checks, no push and no publish."""
    from django.db import connection, transaction
    from django.utils import timezone

    from backend.chat.models import Message
    from backend.chat.services import _advance_seq

    by_room: dict[int, list] = {}
    for request in requests:
        by_room.setdefault(request.room_id, []).append(request)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        for room_id, posted in sorted(by_room.items()):
            first = _advance_seq(room_id, len(posted)) - len(posted) + 1
            rows = ", ".join(["(%s, %s, %s, %s, %s, %s, '[]', %s)"] * len(posted))
            params = [value for offset, request in enumerate(posted) for value in (
                room_id, first + offset, first + offset, request.author.pk, request.client_id, request.text, now)]
            cursor.execute(
                f"INSERT INTO {Message._meta.db_table} (room_id, seq, changed_seq, author_id, client_id, text, mentions,"
                f" created_at) VALUES {rows}", params,
            )


def _per_batch(store, size: int) -> tuple[float, float]:
    """(wall ms, CPU ms) per batch, after a warm-up."""
    for _ in range(20):
        store()
    repeats = max(40, 800 // size)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeats):
        store()
    return (time.perf_counter() - wall) * 1000 / repeats, (time.process_time() - cpu) * 1000 / repeats


def _ms(figures: tuple[float, float]) -> str:
    return f"{figures[0]:.2f} ms (CPU {figures[1]:.2f})"


if __name__ == "__main__":
    main()
