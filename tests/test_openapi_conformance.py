"""frontend-contract/openapi.yaml says exactly what the server does: Schemathesis runs
over the committed document against a live server (real PostgreSQL and Redis), once per
kind of caller, generating valid and invalid requests from the document and checking
every answer against it. Select it with `-m openapi`. The suite runs a fixed seed, so that
a red run is a regression anyone can replay; VOISINS_ST_SEED=random explores new
requests (each run prints its seed, which VOISINS_ST_SEED=<seed> replays), and
VOISINS_ST_EXAMPLES changes its size."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cities.conftest import make_agent, make_organisation
from tests.conftest import INSIDE_DINARD, make_membership, make_user

pytestmark = [pytest.mark.openapi, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "frontend-contract" / "openapi.yaml"
HOOKS = Path(__file__).resolve().parent / "openapi_hooks.py"
CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"
# Enough for each operation to get its boundary cases (the coverage phase) and a few
# random ones, in a few minutes for all identities on two cores.
MAX_EXAMPLES = int(os.environ.get("VOISINS_ST_EXAMPLES", "8"))
SEED = os.environ.get("VOISINS_ST_SEED", "5")
if SEED == "random":
    SEED = str(int(time.time()))
# Throwaway tokens for the operations that end a session (see tests/openapi_hooks.py).
THROWAWAY_TOKENS = 300


def _world(identity: str):
    """The little world each run starts from, and the person calling (None: anonymous)."""
    from backend.neighbourhoods.models import Neighbourhood
    from backend.neighbourhoods.services import neighbourhood_save

    saint_malo = neighbourhood_save(neighbourhood=Neighbourhood(
        name="Saint-Malo", slug="saint-malo", country="FR", locale="fr-FR",
        center_latitude=48.6493, center_longitude=-2.0257, radius_m=500,
    ))
    dinard = neighbourhood_save(neighbourhood=Neighbourhood(
        name="Dinard", slug="dinard", country="FR", locale="fr-FR",
        polygon=[[-2.07, 48.64], [-2.05, 48.64], [-2.05, 48.62], [-2.07, 48.62]],
    ))
    resident = make_user("member@example.org", name="Marc")
    make_membership(resident, saint_malo, state="verified", street="Rue de Dinan")
    outsider = make_user("outsider@example.org", name="Otto")
    make_membership(outsider, dinard, state="verified", street="Rue du Bac", at=INSIDE_DINARD)
    applicant = make_user("applicant@example.org", name="Ada")
    make_membership(applicant, saint_malo)
    moderator = make_user("moderator@example.org", name="Morgane")
    make_membership(moderator, saint_malo, state="verified", street="Rue Jacques Cartier")
    saint_malo.moderators.add(moderator)
    staff = make_user("staff@example.org", name="Sam", staff=True)
    city = make_organisation("Ville de Saint-Malo", neighbourhoods=[saint_malo])
    agent = make_user("anne@ville-saint-malo.fr", name="Anne", language="fr")
    make_agent(city, agent, role="admin")
    return {
        "anonymous": None, "applicant": applicant, "resident": resident,
        "moderator": moderator, "staff": staff, "agent": agent,
    }[identity]


@pytest.mark.parametrize("identity", ["anonymous", "applicant", "resident", "moderator", "staff", "agent"])
def test_the_server_answers_as_its_openapi_document_says(identity, serve, tmp_path):
    from backend.accounts.services import token_create

    user = _world(identity)
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)}
    if user is not None:
        token, raw = token_create(user=user, device_name="schemathesis")
        throwaway = [token_create(user=user, device_name="throwaway") for _ in range(THROWAWAY_TOKENS)]
        # auth_me_erase runs as a throwaway person (staff when the identity is) whose
        # password no request can give: every erasure is refused (wrong_password,
        # login_throttled) and the identity stays. Its success is tested in tests/accounts.
        person = make_user(f"throwaway-{identity}@example.org", staff=user.is_staff)
        person.set_unusable_password()
        person.save(update_fields=["password"])
        env |= {
            "VOISINS_ST_TOKEN": raw,
            "VOISINS_ST_TOKEN_ID": str(token.pk),
            "VOISINS_ST_THROWAWAY": json.dumps([[row.pk, secret] for row, secret in throwaway]),
            "VOISINS_ST_THROWAWAY_PERSON_TOKEN": token_create(user=person, device_name="throwaway")[1],
        }
    # The server's own log of each refusal would drown the report.
    base = serve(log=tmp_path / "server.log")
    command = [
        str(Path(sys.executable).with_name("st")), "--config-file", str(CONFIG), "run", str(DOCUMENT), "--url", base,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(MAX_EXAMPLES), "--seed", SEED,
        "--workers", "1", "--generation-database", "none",
        "--generation-with-security-parameters", "false",
        "--request-timeout", "10", "--no-color", "--continue-on-failure",
    ]
    started = time.monotonic()
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    # The failures, the warnings and the summary (the progress lines before them say nothing).
    report = run.stdout[run.stdout.find("=" * 10):] if "=" * 10 in run.stdout else run.stdout
    print(f"{identity}: seed {SEED}, {time.monotonic() - started:.0f} s\n{report}")
    assert run.returncode == 0, f"{identity} (seed {SEED}):\n{report}\n{run.stderr[-3000:]}"
