"""The little world of cities: Saint-Malo's town hall covers Saint-Malo, Dinard's
covers Dinard; each has an administrator and an agent who live in none of them."""

import pytest
from django.utils import timezone

from tests.conftest import INSIDE_SAINT_MALO, make_membership, make_user

# A housing operator's residence inside Saint-Malo (a circle of 60 m), away from
# INSIDE_SAINT_MALO; and a point of Saint-Malo outside it.
RESIDENCE_CENTRE = (48.6510, -2.0230)
IN_RESIDENCE = (48.6511, -2.0231)
POTHOLE = INSIDE_SAINT_MALO
NEAR_POTHOLE = (48.6491, -2.0251)  # about 13 m away


def make_organisation(name, *, neighbourhoods=(), kind="municipality", verified=True, alerts_per_day=3):
    from backend.cities import services

    organisation = services.organisation_create(
        name=name, slug=name.lower().replace(" ", "-").replace("'", ""), kind=kind,
        neighbourhood_ids=[n.pk for n in neighbourhoods], alerts_per_day=alerts_per_day,
    )
    if verified:
        organisation.verified_at = timezone.now()
        organisation.save(update_fields=["verified_at"])
    return organisation


def make_agent(organisation, user, role="agent"):
    from backend.cities.models import Agent

    return Agent.objects.create(organisation=organisation, user=user, role=role, added_at=timezone.now())


@pytest.fixture
def city(saint_malo):
    return make_organisation("Ville de Saint-Malo", neighbourhoods=[saint_malo])


@pytest.fixture
def other_city(dinard):
    return make_organisation("Ville de Dinard", neighbourhoods=[dinard])


@pytest.fixture
def admin(city):
    """Anne, administrator of Saint-Malo's town hall; she lives in no neighbourhood."""
    return make_agent(city, make_user("anne@ville-saint-malo.fr", name="Anne", language="fr"), role="admin")


@pytest.fixture
def agent(city):
    """Paul, agent of Saint-Malo's town hall; he lives in no neighbourhood."""
    return make_agent(city, make_user("paul@ville-saint-malo.fr", name="Paul"))


@pytest.fixture
def other_agent(other_city):
    """Bea, agent of Dinard's town hall."""
    return make_agent(other_city, make_user("bea@ville-dinard.fr", name="Bea"), role="admin")


@pytest.fixture
def nina(saint_malo):
    user = make_user("nina@example.org", name="Nina", language="fr")
    make_membership(user, saint_malo, state="verified")
    return user


@pytest.fixture
def housing(saint_malo):
    """A housing operator whose one residence is inside Saint-Malo."""
    from backend.cities import services
    from backend.cities.models import Residence

    operator = make_organisation("Emeraude Habitation", kind="housing_operator")
    services.residence_save(residence=Residence(
        organisation=operator, neighbourhood=saint_malo, name="Résidence des Corsaires",
        center_latitude=RESIDENCE_CENTRE[0], center_longitude=RESIDENCE_CENTRE[1], radius_m=60,
    ))
    return operator


@pytest.fixture
def report_of():
    """Creates a civic report through the service: report_of(user, at=POTHOLE, **fields)."""
    from backend.cities import services

    counter = iter(range(1, 10_000))

    def create(user, *, at=POTHOLE, category="roadway", description="Nid-de-poule devant l'école", **fields):
        fields.setdefault("client_id", f"r{next(counter)}")
        fields.setdefault("ignore_similar", True)
        return services.report_create(reporter=user, category=category, description=description, latitude=at[0],
                                      longitude=at[1], **fields).report

    return create


def image_of(user, n=1):
    """An uploaded photo of hers, attached nowhere yet (as photos_upload leaves it)."""
    from django.core.files.base import ContentFile

    from backend.photos.models import Image
    from backend.photos.services import photo_storage

    storage = photo_storage()
    name = storage.save(f"photos/{user.pk}-{n}.jpg", ContentFile(b"\xff\xd8\xff\xe0 a test image"))
    thumbnail = storage.save(f"photos/{user.pk}-{n}-thumbnail.jpg", ContentFile(b"\xff\xd8\xff\xe0 its thumbnail"))
    return Image.objects.create(
        owner=user, client_id=f"img-{user.pk}-{n}-{timezone.now().timestamp()}", name=name,
        thumbnail_name=thumbnail, content_type="image/jpeg", width=800, height=600,
        thumbnail_width=400, thumbnail_height=300, placeholder="#808080", size=1000, created_at=timezone.now(),
    )


# The fake FCM of the push tests (tests/push/fake_fcm.py), for what cities pushes. A
# server of our own: the push tests' fixtures live in their directory. firebase-admin
# keeps one app per process, bound to the first server it met: it is forgotten before
# and after each test here, so that both directories' tests run in one session.

from tests.push.conftest import phone  # noqa: E402, F401


def _forget_firebase() -> None:
    import firebase_admin

    from backend.push.backends import backend

    backend.cache_clear()
    try:
        firebase_admin.delete_app(firebase_admin.get_app("voisins"))
    except ValueError:  # none yet
        pass


@pytest.fixture(scope="session")
def city_fake_fcm():
    import tempfile
    from pathlib import Path

    from tests.push.fake_fcm import FakeFcm

    fake = FakeFcm(Path(tempfile.mkdtemp(prefix="voisins-fcm-cities-")))
    yield fake
    fake.stop()


@pytest.fixture
def fcm(city_fake_fcm, settings, monkeypatch):
    """The fcm backend, on the fake FCM server, with pushes decided at once."""
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(city_fake_fcm.credentials))
    city_fake_fcm.reset()
    settings.PUSH_BACKEND = "fcm"
    settings.PUSH_FCM_ENDPOINT = city_fake_fcm.url
    settings.PUSH_DELAY_SECONDS = 0
    _forget_firebase()
    yield city_fake_fcm
    _forget_firebase()
