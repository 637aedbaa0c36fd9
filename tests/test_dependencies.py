"""Who may import whom (HANDBOOK §3): trust is the base that asks nobody; `common` is
shared by every app and knows none; chat carries the frames other apps add without
importing them; push listens to the deciding apps' events, nobody calls it. Read from
the source, so that a new import breaks here, not in review."""

import ast
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parent.parent / "backend"
APPS = sorted(p.name for p in BACKEND.iterdir() if (p / "apps.py").exists())

# app -> the apps it may import besides itself and `common`
ALLOWED = {
    "common": set(),
    "trust": {"accounts", "neighbourhoods"},
    "chat": set(APPS) - {"feed", "moderation", "push", "cities", "privacy", "demo"},
}


def imported_apps(path: Path) -> set[str]:
    """The backend apps a source file imports (at its top or inside a function)."""
    apps = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        apps.update(name.split(".")[1] for name in names if name.startswith("backend.") and name.count(".") >= 1)
    return apps


def _sources(app: str) -> list[Path]:
    return sorted((BACKEND / app).rglob("*.py"))


@pytest.mark.parametrize(
    "app, path",
    [(app, path) for app in ALLOWED for path in _sources(app)],
    ids=lambda value: value if isinstance(value, str) else value.relative_to(BACKEND).as_posix(),
)
def test_an_app_imports_only_what_lies_below_it(app, path):
    extra = imported_apps(path) - ALLOWED[app] - {app, "common"} - ({"settings", "urls"} if app == "common" else set())
    assert not extra, f"backend/{path.relative_to(BACKEND)} imports {sorted(extra)}: emit a domain event or register a handler instead"


@pytest.mark.parametrize("path", sorted(BACKEND.rglob("*.py")), ids=lambda path: path.relative_to(BACKEND).as_posix())
def test_nobody_calls_push(path):
    if path.is_relative_to(BACKEND / "push") or path.is_relative_to(BACKEND / "demo"):
        return  # push itself; the demo loader registers the demo's devices
    assert "push" not in imported_apps(path), f"backend/{path.relative_to(BACKEND)} imports push: emit an event it listens to"


def test_the_guard_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "example.py"
    source.write_text("def later():\n    from backend.push import services\n\nimport backend.feed.models\n")
    assert imported_apps(source) == {"push", "feed"}
