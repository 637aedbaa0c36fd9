import io

import pytest
from django.core.management import call_command

from backend.accounts.models import User
from backend.trust.models import AuditEntry, Membership

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_every_trust_route_once():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    states = {m.user.email: (m.state, m.route) for m in Membership.objects.select_related("user")}
    assert states == {
        "morgane@example.org": ("verified", "vouch"),
        "alice@example.org": ("verified", "proof"),
        "bruno@example.org": ("verified", "vouch"),
        "chloe@example.org": ("verified", "letter"),
        "dan@example.org": ("pending", None),
    }
    morgane = User.objects.get(email="morgane@example.org")
    assert morgane.moderated_neighbourhoods.get().slug == "saint-malo-intra-muros"
    assert User.objects.get(email="admin@example.org").is_staff
    assert "raclette-2014" in out.getvalue() and "dan@example.org" in out.getvalue()

    counts = (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count())
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert "already loaded" in again.getvalue()
    assert (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count()) == counts


def test_demo_residents_can_log_in(client):
    call_command("seed_demo", stdout=io.StringIO())
    response = client.post(
        "/api/v1/auth/login/", {"email": "bruno@example.org", "password": "raclette-2014"}, content_type="application/json"
    )
    assert response.status_code == 200
