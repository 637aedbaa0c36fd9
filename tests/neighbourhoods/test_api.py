import pytest

from backend.neighbourhoods.models import Neighbourhood
from backend.neighbourhoods.services import neighbourhood_save
from tests.conftest import INSIDE_DINARD, INSIDE_SAINT_MALO, NOWHERE

pytestmark = pytest.mark.django_db


def _lookup(client, position):
    return client.get("/api/v1/neighbourhoods/lookup/", {"latitude": position[0], "longitude": position[1]})


def test_lookup_finds_the_circle_and_the_polygon(client_for, member, saint_malo, dinard):
    client = client_for(member)
    assert _lookup(client, INSIDE_SAINT_MALO).json() == {
        "id": saint_malo.id,
        "name": "Saint-Malo",
        "slug": "saint-malo",
        "country": "FR",
        "locale": "fr-FR",
    }
    assert _lookup(client, INSIDE_DINARD).json()["id"] == dinard.id


def test_lookup_outside_every_neighbourhood(client_for, member):
    response = _lookup(client_for(member), NOWHERE)
    assert response.status_code == 422
    assert response.json()["code"] == "no_neighbourhood"


def test_lookup_prefers_the_smallest_of_overlapping_areas(client_for, member, saint_malo):
    small = neighbourhood_save(
        neighbourhood=Neighbourhood(
            name="Intra-Muros", slug="intra-muros", country="FR",
            center_latitude=INSIDE_SAINT_MALO[0], center_longitude=INSIDE_SAINT_MALO[1], radius_m=100,
        )
    )
    assert _lookup(client_for(member), INSIDE_SAINT_MALO).json()["id"] == small.id


@pytest.mark.parametrize("query", [{"latitude": 91, "longitude": 0}, {"latitude": "north", "longitude": 0}, {}])
def test_lookup_bad_coordinates(client_for, member, query):
    response = client_for(member).get("/api/v1/neighbourhoods/lookup/", query)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"


def test_lookup_needs_an_account(client_for):
    assert _lookup(client_for(), INSIDE_SAINT_MALO).status_code == 401
