"""Service rules that need a real database: races between two requests at once."""

import threading

import pytest
from django.db import connection, transaction

from backend.common.errors import VoisinsError
from backend.trust import services
from backend.trust.models import Membership, Vouch
from tests.conftest import INSIDE_SAINT_MALO, make_membership, make_user


def _race(*calls):
    """Runs each call in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_a_vouch_waits_for_the_voucher_s_other_vouch_to_commit(saint_malo, member):
    for i in range(2):
        services.vouch_create(voucher=member, membership=make_membership(make_user(f"old{i}@example.org"), saint_malo))
    first, second = (make_membership(make_user(f"new{i}@example.org"), saint_malo) for i in range(2))
    outcome = {}

    def second_vouch():
        try:
            outcome["result"] = services.vouch_create(voucher=member, membership=second)
        except VoisinsError as exc:
            outcome["result"] = exc
        finally:
            connection.close()

    with transaction.atomic():
        services.vouch_create(voucher=member, membership=first)  # the third vouch, not yet committed
        racer = threading.Thread(target=second_vouch)
        racer.start()
        racer.join(timeout=0.5)
        assert racer.is_alive(), "the second vouch did not wait for the first to commit"
    racer.join(timeout=10)

    assert isinstance(outcome["result"], VoisinsError) and outcome["result"].code == "vouch_quota_exceeded"
    assert Vouch.objects.filter(voucher=member).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_applications_at_once_make_one_membership(saint_malo):
    zoe = make_user("zoe@example.org")
    apply = lambda: services.membership_apply(  # noqa: E731
        user=zoe, street="Rue", number="1", postcode="35400", city="Saint-Malo",
        latitude=INSIDE_SAINT_MALO[0], longitude=INSIDE_SAINT_MALO[1],
    )
    outcomes = _race(apply, apply)
    assert sorted(type(o).__name__ for o in outcomes) == ["Membership", "VoisinsError"]
    assert Membership.objects.filter(user=zoe).count() == 1
