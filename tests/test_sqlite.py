"""The embedded default of `make run` is SQLite, and the send path's hottest reads are
SQL written by hand: on a migrated SQLite database with the demo data, in a process of
its own, they answer as the ORM does on PostgreSQL."""

import os
import subprocess
import sys

from tests.conftest import ROOT

CHECK = """
import django

django.setup()
from datetime import timedelta
from django.utils import timezone
from backend.accounts.models import User
from backend.chat import selectors, services
from backend.chat.models import Message, Room
from backend.trust.models import Membership
from tests.trust.access_check import mismatches

# access_map: SQLite returns a naive datetime, which the backend's converters make aware.
muted = Membership.objects.filter(state="verified").first()
Membership.objects.filter(pk=muted.pk).update(muted_until=timezone.now() + timedelta(hours=2))
User.objects.create_user("staff@example.org", "un-velo-bleu-42", is_staff=True)
people = set(User.objects.values_list("pk", flat=True))
print(len(people), mismatches(people, set(Membership.objects.values_list("neighbourhood_id", flat=True))))

# messages_post's look-up of (author, client id) pairs, and a resend's ack.
speaking = Membership.objects.filter(state="verified", muted_until__isnull=True).first()
services.rooms_ensure_default(neighbourhood_ids=[speaking.neighbourhood_id])
author, room = speaking.user, Room.objects.get(neighbourhood_id=speaking.neighbourhood_id, kind="default")
first = services.message_post(author=author, room_id=room.pk, text="Bonjour", client_id="sqlite-1")
again = services.message_post(author=author, room_id=room.pk, text="Bonjour", client_id="sqlite-1")
reads = selectors.posting_reads(pairs={(author.pk, "sqlite-1"), (author.pk, "sqlite-2"), (0, "sqlite-1")}, room_ids={room.pk})
print(first == again, Message.objects.filter(author=author, client_id="sqlite-1").count(),
      list(reads.sent) == [(author.pk, "sqlite-1")] and list(reads.rooms) == [room.pk] and reads.access[(author.pk, room.neighbourhood_id)].is_member)
"""


def test_the_hand_written_reads_answer_on_the_embedded_default_sqlite(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DJANGO_SETTINGS_MODULE": "backend.settings"}
    for command in (["manage.py", "migrate", "--noinput"], ["manage.py", "seed_demo"], ["-c", CHECK]):
        done = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=150)
        assert done.returncode == 0, done.stderr
    access, resend = done.stdout.strip().splitlines()[-2:]
    people, wrong = access.split(" ", 1)
    assert int(people) > 3 and wrong == "[]"
    assert resend == "True 1 True"
