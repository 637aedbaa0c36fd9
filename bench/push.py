"""Push benchmark: our worker against firebase-admin alone, both sending to the fake FCM
server of the tests (tests/push/fake_fcm.py) on this machine, in one run.

    .venv/bin/python bench/push.py            # 5,000 tokens, 20 latency samples
    .venv/bin/python bench/push.py --quick    # 1,000 tokens, 5 samples

- tokens pushed per second: one message to a neighbourhood whose members have 5,000
  devices; the Procfile's worker (manage.py db_worker) decides and sends it. Counted
  from the first to the last request FCM receives. Beside it (bench/fcm_baselines.py),
  for as many tokens: firebase-admin's send_each alone, and the fake FCM's own ceiling
  (bare aiohttp requests), so that the fake is shown not to be the limit.
- commit-to-request latency: a running worker, PUSH_DELAY_SECONDS=0 (production waits
  10 s on purpose), one message at a time to a room where one device is offline: from
  the message's commit to FCM receiving its push (after one warm-up message)."""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fcm_baselines import ceiling_per_second, send_each_seconds  # noqa: E402
from tests.push.fake_fcm import FakeFcm  # noqa: E402
from tests.servers import PostgresServer, remove  # noqa: E402

def prepare(devices: int) -> tuple[int, int, int]:
    """A neighbourhood whose members have `devices` devices, two each, and one more member
    with one device and a direct conversation with the author: (big room, direct room, author)."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.chat.models import Room
    from backend.neighbourhoods.models import Neighbourhood
    from backend.neighbourhoods.services import neighbourhood_save
    from backend.push.models import Device
    from backend.trust.models import Membership

    call_command("migrate", verbosity=0)
    neighbourhood = neighbourhood_save(neighbourhood=Neighbourhood(
        name="Bench", slug="bench", country="FR", center_latitude=48.65, center_longitude=-2.02, radius_m=800))
    password = make_password("bench-password-1")
    people = User.objects.bulk_create(
        User(email=f"bench{i}@example.org", display_name=f"Voisin {i}", password=password) for i in range(devices // 2 + 2)
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        Membership(user=user, neighbourhood=neighbourhood, state="verified", route="proof", street="Rue", number="1",
                   postcode="35400", city="Saint-Malo", latitude=48.65, longitude=-2.02, applied_at=now, decided_at=now)
        for user in people
    )
    author, lonely, members = people[0], people[1], people[2:]
    Device.objects.bulk_create(
        Device(user=user, token=f"tok-{user.pk}-{k}", platform="android", created_at=now, last_seen_at=now)
        for user in members for k in range(2)
    )
    Device.objects.create(user=lonely, token="lonely", platform="ios", created_at=now, last_seen_at=now)
    big = Room.objects.create(neighbourhood=neighbourhood, kind="topic", name="Tout le quartier")
    direct = Room.objects.create(neighbourhood=neighbourhood, kind="direct", name="Deux", user_a=author, user_b=lonely)
    return big.pk, direct.pk, author.pk


def post(room_id: int, author_id: int, text: str) -> float:
    """Posts and returns the time of the commit."""
    from backend.accounts.models import User
    from backend.chat.services import message_post

    message_post(author=User.objects.get(pk=author_id), room_id=room_id, text=text, client_id=f"{text}-{time.time()}")
    return time.time()


def throughput(fake: FakeFcm, count: int) -> float:
    arrivals = sorted(fake.arrivals)
    assert len(arrivals) == count, f"FCM received {len(arrivals)} pushes, expected {count}"
    return count / (arrivals[-1] - arrivals[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    devices, samples = (1000, 5) if args.quick else (5000, 20)
    workdir = Path(tempfile.mkdtemp(prefix="voisins-push-bench-"))
    postgres, fake = PostgresServer(workdir / "postgres"), FakeFcm(workdir)
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings", "DATABASE_URL": postgres.url,
        "SECRET_KEY": "bench-only-secret", "LOG_LEVEL": "WARNING", "PUSH_BACKEND": "fcm",
        "PUSH_FCM_ENDPOINT": fake.url, "PUSH_DELAY_SECONDS": "0", "GOOGLE_APPLICATION_CREDENTIALS": str(fake.credentials),
        "CHAT_WRITES_PER_WINDOW": "100000",
    }
    os.environ.update(env)
    try:
        big, direct, author = prepare(devices)
        baseline = devices / send_each_seconds(fake, env, devices, "message")
        ceiling = ceiling_per_second(fake, devices)

        post(big, author, "bonjour")
        subprocess.run([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"], cwd=ROOT, env=env,
                       check=True)
        ours = throughput(fake, devices + 1)  # the lonely member reads the big room too
        fake.reset()

        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.05"],
                                  cwd=ROOT, env=env)
        latencies = []
        try:
            post(direct, author, "warm-up")  # the worker's first push also starts firebase-admin
            fake.wait_for(1)
            for n in range(1, samples + 1):
                committed = post(direct, author, f"message {n}")
                fake.wait_for(n + 1)
                latencies.append((fake.arrivals[n] - committed) * 1000)
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait()
    finally:
        fake.stop()
        postgres.stop()
        remove(workdir)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(f"\nPush benchmark, {os.cpu_count()} cores, {devices:,} tokens, fake FCM server on 127.0.0.1")
    print(f"  the fake FCM's ceiling (bare aiohttp, 100 connections): {ceiling:>8,.0f} requests/s")
    print(f"  firebase-admin send_each alone (baseline):               {baseline:>8,.0f} tokens/s")
    print(f"  our worker (decision, records, backend/push/fcm.py):     {ours:>8,.0f} tokens/s "
          f"({ours / baseline:.2f} x send_each, {ours / ceiling:.2f} x the fake's ceiling)")
    print(f"  commit-to-request latency, worker polling every 50 ms: p50 {quantiles[49]:.0f} ms, "
          f"p99 {quantiles[98]:.0f} ms ({samples} messages)")


if __name__ == "__main__":
    main()
