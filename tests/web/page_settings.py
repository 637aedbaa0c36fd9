"""The settings of the server processes of the page tests: production's, with the static
files collected once per test session into a directory of their own (the tests then
load the pages as production serves them: hashed names, compressed, by whitenoise)."""

import os
from pathlib import Path

from backend.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["WEB_STATIC_ROOT"])
