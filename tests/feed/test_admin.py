import pytest

from backend.accounts.models import User
from backend.feed.models import Partner

pytestmark = pytest.mark.django_db


def partner_form(saint_malo, **fields):
    return {"name": "Marguerite", "category": "car_sharing", "offer": "Deux voitures", "link": "https://example.org/m",
            "latitude": "48.6488", "longitude": "-2.0243", "neighbourhoods": [saint_malo.id], "active": "on", **fields}


def test_staff_add_a_partner_to_the_map_of_a_neighbourhood(client, saint_malo):
    client.force_login(User.objects.create_superuser("root@example.org", "x", display_name="Root"))
    response = client.post("/admin/feed/partner/add/", partner_form(saint_malo))
    assert response.status_code == 302, response.content.decode()[:2000]
    partner = Partner.objects.get()
    assert (partner.category, list(partner.neighbourhoods.all())) == ("car_sharing", [saint_malo])


def test_a_position_off_the_globe_is_refused(client, saint_malo):
    client.force_login(User.objects.create_superuser("root@example.org", "x", display_name="Root"))
    response = client.post("/admin/feed/partner/add/", partner_form(saint_malo, latitude="123"))
    assert response.status_code == 200 and not Partner.objects.exists()


def test_residents_do_not_manage_partners(client, member, saint_malo):
    client.force_login(member)
    response = client.post("/admin/feed/partner/add/", partner_form(saint_malo))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Partner.objects.exists()
