"""Who imports whom (HANDBOOK §3): cities sits above the base apps and chat; nobody
imports cities but push, which listens to its domain events and shows its texts, and the
demo loader, which sits above every app and loads its data through their services."""

import re
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent.parent / "backend"
IMPORT = re.compile(r"^\s*(?:from|import)\s+backend\.cities(?:\.(\w+))?", re.MULTILINE)


def test_only_push_hears_of_cities_and_only_through_its_seam():
    offenders = {}
    for path in BACKEND.rglob("*.py"):
        if "cities" in path.parts or "demo" in path.parts:
            continue
        imported = set(IMPORT.findall(path.read_text()))
        allowed = {"domain", "domain_events"} if path.parts[-2] == "push" else set()
        if imported - allowed:
            offenders[str(path.relative_to(BACKEND))] = sorted(imported - allowed)
    assert offenders == {}
