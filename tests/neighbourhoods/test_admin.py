import pytest

from backend.accounts.models import User
from backend.neighbourhoods.models import Neighbourhood

pytestmark = pytest.mark.django_db


def test_staff_create_a_neighbourhood_and_name_its_moderators_in_the_admin(client, moderator):
    admin_user = User.objects.create_superuser("root@example.org", "x", display_name="Root")
    client.force_login(admin_user)
    response = client.post(
        "/admin/neighbourhoods/neighbourhood/add/",
        {
            "name": "Paramé", "slug": "parame", "country": "FR", "locale": "fr-FR", "polygon": "null",
            "center_latitude": "48.66", "center_longitude": "-1.98", "radius_m": "800",
            "moderators": [moderator.id],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    parame = Neighbourhood.objects.get(slug="parame")
    assert list(parame.moderators.all()) == [moderator]
    assert parame.min_latitude < 48.66 < parame.max_latitude


def test_the_admin_refuses_an_area_that_is_both_or_neither(client):
    client.force_login(User.objects.create_superuser("root@example.org", "x", display_name="Root"))
    response = client.post(
        "/admin/neighbourhoods/neighbourhood/add/",
        {"name": "Nowhere", "slug": "nowhere", "country": "FR", "locale": "fr-FR", "polygon": "null"},
    )
    assert response.status_code == 200
    assert "either a polygon or a centre" in response.content.decode()
    assert not Neighbourhood.objects.filter(slug="nowhere").exists()
