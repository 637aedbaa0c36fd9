"""Area alert benchmark: an organisation's alert to the phones of 10,000 residents, sent
by the Procfile's worker (firebase-admin's messages, backend/push/fcm.py's transport) to
the fake FCM server of the tests (tests/push/fake_fcm.py), on this machine, in one run.

    .venv/bin/python bench/area_alert.py            # 10,000 residents, one device each
    .venv/bin/python bench/area_alert.py --quick    # 1,000

- publication to last push: a worker (manage.py db_worker, polling every 50 ms) is
  running and warm (one small alert sent first); the agent publishes the alert
  (backend.cities.services.alert_publish, committed); counted until the fake FCM receives
  the last of the 10,000 pushes. The baseline is firebase-admin's send_each alone, in
  batches of 500, from a process of its own, for as many tokens; the fake FCM's own
  ceiling is printed too (bench/fcm_baselines.py).
- decision cost per device: the push service's work for the same alert in this process
  with a backend that sends nothing, divided by the devices: choosing who (one query),
  the texts (once per language), and the Delivery records that make a rerun send
  nothing twice; then the choosing alone."""

import argparse
import os
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

def prepare(residents: int) -> tuple[int, int, int]:
    """Two neighbourhoods of one town hall: a big one whose `residents` verified
    residents have a device each (a third in English), and a small one with one, for the
    warm-up. Returns (agent id, big neighbourhood id, small neighbourhood id)."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.cities.models import Agent
    from backend.cities.services import organisation_create
    from backend.neighbourhoods.models import Neighbourhood
    from backend.neighbourhoods.services import neighbourhood_save
    from backend.push.models import Device
    from backend.trust.models import Membership

    call_command("migrate", verbosity=0)
    big = neighbourhood_save(neighbourhood=Neighbourhood(
        name="Bench", slug="bench", country="FR", center_latitude=48.65, center_longitude=-2.02, radius_m=2000))
    small = neighbourhood_save(neighbourhood=Neighbourhood(
        name="Warm-up", slug="warm-up", country="FR", center_latitude=47.0, center_longitude=-1.5, radius_m=500))
    password = make_password("bench-password-1")
    people = User.objects.bulk_create(
        User(email=f"resident{i}@example.org", display_name=f"Voisin {i}", password=password,
             language="en" if i % 3 == 0 else "fr") for i in range(residents + 1)
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        Membership(user=user, neighbourhood=big if i else small, state="verified", route="proof", street="Rue",
                   number="1", postcode="35400", city="Saint-Malo", latitude=48.65, longitude=-2.02, applied_at=now,
                   decided_at=now)
        for i, user in enumerate(people)
    )
    Device.objects.bulk_create(
        Device(user=user, token=f"tok-{user.pk}", platform="android" if user.pk % 2 else "ios", created_at=now,
               last_seen_at=now)
        for user in people
    )
    town_hall = organisation_create(name="Ville de Bench", slug="bench", kind="municipality",
                                    neighbourhood_ids=[big.pk, small.pk], alerts_per_day=100)
    town_hall.verified_at = now
    town_hall.save(update_fields=["verified_at"])
    agent_user = User.objects.create(email="agent@ville-bench.fr", display_name="Agent", password=password)
    agent = Agent.objects.create(organisation=town_hall, user=agent_user, role="admin", added_at=now)
    return agent.pk, big.pk, small.pk


def publish(agent_id: int, neighbourhood_id: int, title: str) -> tuple[int, float]:
    """Publishes an alert; returns (its id, the time of its commit)."""
    from datetime import timedelta

    from django.utils import timezone

    from backend.cities.models import Agent
    from backend.cities.services import alert_publish

    agent = Agent.objects.select_related("organisation", "user").get(pk=agent_id)
    alert = alert_publish(agent=agent, client_id=title, title=title, text="Rue de Toulouse, jusqu'à 18 h",
                          neighbourhood_ids=[neighbourhood_id], expires_at=timezone.now() + timedelta(hours=5)).item
    return alert.pk, time.time()


def decision_cost(neighbourhood_id: int, devices: int) -> tuple[float, float]:
    """(seconds per device for the whole service with a backend that sends nothing,
    seconds per device for choosing who and what alone)."""
    from unittest import mock

    from backend.push import services
    from backend.push.backends import Result

    class Nowhere:
        def send(self, pushes):
            return [Result() for _ in pushes]

    params = {"organisation": "Ville de Bench", "title": "Tempête", "text": "Restez chez vous"}
    with mock.patch.object(services, "backend", lambda: Nowhere()):
        started = time.perf_counter()
        sent = services.people_alert(user_ids=[], neighbourhood_ids=[neighbourhood_id], text_key="city_alert",
                                     params=params, data={"type": "city_alert", "alert_id": 0}, event="bench:decision")
        whole = time.perf_counter() - started
    assert sent == devices, sent
    with mock.patch.object(services, "_deliver", lambda event, plans, now: len(list(plans))):
        started = time.perf_counter()
        services.people_alert(user_ids=[], neighbourhood_ids=[neighbourhood_id], text_key="city_alert",
                              params=params, data={"type": "city_alert", "alert_id": 0}, event="bench:choose")
        choosing = time.perf_counter() - started
    return whole / devices, choosing / devices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    residents = 1000 if args.quick else 10_000
    workdir = Path(tempfile.mkdtemp(prefix="voisins-alert-bench-"))
    postgres, fake = PostgresServer(workdir / "postgres"), FakeFcm(workdir)
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings", "DATABASE_URL": postgres.url,
        "SECRET_KEY": "bench-only-secret", "LOG_LEVEL": "WARNING", "PUSH_BACKEND": "fcm",
        "PUSH_FCM_ENDPOINT": fake.url, "GOOGLE_APPLICATION_CREDENTIALS": str(fake.credentials),
    }
    os.environ.update(env)
    worker = None
    try:
        agent, big, small = prepare(residents)
        baseline = send_each_seconds(fake, env, residents, "city_alert")
        ceiling = ceiling_per_second(fake, residents)

        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.05"],
                                  cwd=ROOT, env=env)
        publish(agent, small, "warm-up")  # the worker's first push also starts firebase-admin
        fake.wait_for(1, timeout=60)
        fake.reset()
        _, committed = publish(agent, big, "Coupure d'eau")
        fake.wait_for(residents, timeout=600)
        last = max(fake.arrivals)
        first = min(fake.arrivals)
        assert len({m["token"] for m in fake.sent}) == residents
        per_device, choosing = decision_cost(big, residents)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait()
        fake.stop()
        postgres.stop()
        remove(workdir)
    print(f"\nArea alert benchmark, {os.cpu_count()} cores, {residents:,} residents' devices, fake FCM on 127.0.0.1")
    print(f"  the fake FCM's ceiling (bare aiohttp, 100 connections): {ceiling:,.0f} requests/s")
    print(f"  firebase-admin send_each alone (baseline), first to last request: {baseline:6.2f} s "
          f"({residents / baseline:,.0f} tokens/s)")
    print(f"  publication (commit) to the last push handed to FCM:             {last - committed:6.2f} s "
          f"({(last - committed) / baseline:.2f} x the baseline)")
    print(f"    of which commit to the first push (queue polling, decision, records): {first - committed:5.2f} s")
    print(f"  decision cost per device: {per_device * 1e6:,.0f} µs with its Delivery records, "
          f"{choosing * 1e6:,.1f} µs choosing who and what")


if __name__ == "__main__":
    main()
