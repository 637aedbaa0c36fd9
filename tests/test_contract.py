"""frontend-contract/ is what the app developers read: it must say what the code does."""

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from backend.common.errors import ERRORS

CONTRACT = Path(__file__).resolve().parent.parent / "frontend-contract"


def test_committed_openapi_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    committed = (CONTRACT / "openapi.yaml").read_text()
    assert yaml.safe_load(generated.read_text()) == yaml.safe_load(committed), (
        "frontend-contract/openapi.yaml is stale: run `make contract` and commit it."
    )


def test_every_error_code_is_documented_with_its_status():
    readme = (CONTRACT / "README.md").read_text()
    documented = dict(re.findall(r"^\| `(\w+)` \| (\d{3}) \|", readme, flags=re.MULTILINE))
    assert documented == {code: str(spec.status) for code, spec in ERRORS.items()}


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_every_error_has_both_languages(code):
    spec = ERRORS[code]
    assert spec.en and spec.fr and spec.en != spec.fr
    assert re.findall(r"{(\w+)}", spec.en) == re.findall(r"{(\w+)}", spec.fr)
