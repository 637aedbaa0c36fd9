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


WEBSOCKET = CONTRACT / "websocket"


def _frame_names(direction: str) -> set[str]:
    return {path.name.removesuffix(".json") for path in (WEBSOCKET / direction).glob("*.json")}


def test_asyncapi_lists_exactly_the_frames_that_have_schemas():
    document = yaml.safe_load((CONTRACT / "asyncapi.yaml").read_text())
    messages = document["channels"]["socket"]["messages"]
    listed = {(m["payload"]["$ref"].split("/")[2], m["name"]) for m in messages.values()}
    assert listed == {("client", n) for n in _frame_names("client")} | {("server", n) for n in _frame_names("server")}


def test_every_server_frame_has_a_captured_example_that_matches_its_schema():
    from tests.chat.contract import SERVER_VALIDATORS

    examples = {path.name.removesuffix(".json"): path for path in (WEBSOCKET / "examples").glob("*.json")}
    expected = _frame_names("server") | {"message.new.card"}
    assert set(examples) == expected, "run `make contract` to capture the missing examples"
    for name, path in examples.items():
        frame = yaml.safe_load(path.read_text())
        frame_type = name.removesuffix(".card")
        assert frame["type"] == frame_type
        assert not list(SERVER_VALIDATORS[frame_type].iter_errors(frame))
    assert yaml.safe_load((WEBSOCKET / "examples" / "message.new.card.json").read_text())["message"]["card"]


def test_the_close_codes_of_the_contract_are_the_server_s():
    from backend.chat.protocol import CloseCode

    description = yaml.safe_load((CONTRACT / "asyncapi.yaml").read_text())["info"]["description"]
    ours = {value for name, value in vars(CloseCode).items() if name.isupper()}
    documented = {int(code) for code in re.findall(r"\b(4\d{3})\b", description)}
    assert documented == {code for code in ours if code >= 4000}
    # The standard codes the server closes with itself (1011, 1013), and those uvicorn
    # closes with for us (1007 invalid UTF-8, 1009 too large, 1012 restart).
    standard = {int(code) for code in re.findall(r"\b(10\d{2})\b", description)}
    assert {code for code in ours if code < 4000} | {1007, 1009, 1012} <= standard
