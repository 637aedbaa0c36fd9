import os
import tempfile
from pathlib import Path

import pytest

from tests.push.fake_fcm import FakeFcm


@pytest.fixture(scope="session")
def fake_fcm():
    directory = Path(tempfile.mkdtemp(prefix="voisins-fcm-"))
    fake = FakeFcm(directory)
    # The SDK finds its service account (whose token_uri is the fake) where production does.
    os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = str(fake.credentials)
    yield fake
    fake.stop()


@pytest.fixture
def fcm(fake_fcm, settings):
    """The fcm backend, on the fake FCM server, with pushes decided at once."""
    from backend.push.backends import FcmBackend, backend

    fake_fcm.reset()
    settings.PUSH_BACKEND = "fcm"
    settings.PUSH_FCM_ENDPOINT = fake_fcm.url
    settings.PUSH_DELAY_SECONDS = 0
    backend.cache_clear()
    yield fake_fcm
    if backend.cache_info().currsize and isinstance(backend(), FcmBackend):
        backend().transport.close()  # its thread and connections
    backend.cache_clear()


@pytest.fixture
def phone():
    """Registers a device for a user: phone(user, token, platform="android")."""
    from backend.push.services import device_register

    def register(user, token, platform="android"):
        return device_register(user=user, token=token, platform=platform, app_version="1.0")

    return register
