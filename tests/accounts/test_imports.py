"""Accounts is a base app (HANDBOOK §3): erasing an account or signing a device out
reaches every app through the events they subscribe to (AccountErased, SignedOut), never
through an import of theirs."""

import re
from pathlib import Path

ACCOUNTS = Path(__file__).resolve().parent.parent.parent / "backend" / "accounts"
ABOVE = re.compile(r"^\s*(?:from|import)\s+backend\.(chat|feed|trust|moderation|cities|photos|privacy|push)\b", re.MULTILINE)


def test_the_accounts_services_models_and_rules_import_none_of_the_apps_that_hold_her_data():
    offenders = {
        path.name: ABOVE.findall(path.read_text())
        for path in ACCOUNTS.glob("*.py")
        # api.py shows her trust summary in auth_me (a read that predates erasure).
        if path.name != "api.py" and ABOVE.findall(path.read_text())
    }
    assert offenders == {}
