"""Staff create, draw and verify organisations in the Django admin."""

import pytest
from django.core.exceptions import ValidationError

from backend.cities import services
from backend.cities.models import Organisation, Residence
from tests.cities.conftest import RESIDENCE_CENTRE
from tests.conftest import INSIDE_DINARD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    from backend.accounts.models import User

    client.force_login(User.objects.create_superuser("root@example.org", "x", display_name="Root"))
    return client


def test_staff_create_an_organisation_with_its_voice_and_verify_it(admin_client, saint_malo, member):
    from tests.cities.conftest import make_user

    first_admin = make_user("maire@example.org", name="Maire")
    response = admin_client.post("/admin/cities/organisation/add/", {
        "name": "Ville de Saint-Malo", "slug": "ville-de-saint-malo", "kind": "municipality",
        "neighbourhoods": [saint_malo.pk], "alerts_per_day": 3,
        "residences-TOTAL_FORMS": 0, "residences-INITIAL_FORMS": 0,
        "agents-TOTAL_FORMS": 1, "agents-INITIAL_FORMS": 0,
        "agents-0-user": first_admin.pk, "agents-0-role": "admin",
    })
    assert response.status_code == 302, response.content[:2000]
    organisation = Organisation.objects.get()
    assert organisation.voice.display_name == "Ville de Saint-Malo" and not organisation.voice.is_active
    assert list(organisation.neighbourhoods.all()) == [saint_malo]
    assert organisation.agents.get().user == first_admin and organisation.verified_at is None
    admin_client.post("/admin/cities/organisation/", {"action": "verify", "_selected_action": [organisation.pk]})
    organisation.refresh_from_db()
    assert organisation.verified_at is not None


def test_a_residence_lies_inside_its_neighbourhood(saint_malo):
    organisation = services.organisation_create(name="Emeraude Habitation", slug="emeraude", kind="housing_operator")
    outside = Residence(organisation=organisation, neighbourhood=saint_malo, name="Ailleurs",
                        center_latitude=INSIDE_DINARD[0], center_longitude=INSIDE_DINARD[1], radius_m=50)
    with pytest.raises(ValidationError):
        services.residence_save(residence=outside)
    with pytest.raises(ValidationError):
        services.residence_save(residence=Residence(organisation=organisation, neighbourhood=saint_malo, name="Rien"))
    inside = services.residence_save(residence=Residence(
        organisation=organisation, neighbourhood=saint_malo, name="Les Corsaires",
        center_latitude=RESIDENCE_CENTRE[0], center_longitude=RESIDENCE_CENTRE[1], radius_m=60))
    assert inside.min_latitude < RESIDENCE_CENTRE[0] < inside.max_latitude
