"""The README's curl walk-through works as written, against a live server on a real
socket loaded with the demo data."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

README = Path(__file__).resolve().parent.parent / "README.md"


def _walkthrough() -> str:
    text = README.read_text()
    match = re.search(r"<!-- walkthrough:.*?-->\n```sh\n(.*?)```", text, flags=re.DOTALL)
    assert match, "README.md lost its walk-through block"
    return match.group(1)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_walkthrough(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    script = _walkthrough().replace("http://127.0.0.1:8000", live_server.url)
    result = subprocess.run(["bash", "-eu", "-o", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "pending"
    assert '"display_name":"Zoé"' in lines[1] and '"street":"Rue de Toulouse"' in lines[1]
    assert '"state":"verified"' in lines[2]
    assert lines[-1] == "verified"
