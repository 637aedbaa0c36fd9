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


def test_seed_demo_loads_a_town_hall_with_its_agent_once():
    from backend.cities.models import Agent, Announcement, CivicReport, Consultation, Organisation

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    town_hall = Organisation.objects.get(slug="ville-de-saint-malo")
    assert town_hall.verified_at is not None
    assert sorted(town_hall.neighbourhoods.values_list("slug", flat=True)) == ["saint-malo-intra-muros", "saint-servan"]
    agent = Agent.objects.select_related("user").get(organisation=town_hall)
    assert (agent.user.email, agent.role) == ("mairie@example.org", "admin")
    assert not Membership.objects.filter(user=agent.user).exists()  # an agent is not a resident
    assert "mairie@example.org" in out.getvalue()
    assert sorted(CivicReport.objects.values_list("status", "organisation_id")) == [
        ("acknowledged", town_hall.pk), ("received", town_hall.pk)]
    counts = (Announcement.objects.count(), Consultation.objects.count(), CivicReport.objects.count())
    assert counts == (1, 1, 2)

    call_command("seed_demo", stdout=io.StringIO())
    assert (Announcement.objects.count(), Consultation.objects.count(), CivicReport.objects.count()) == counts
    assert Organisation.objects.count() == 1
