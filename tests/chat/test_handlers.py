"""Chat carries the frames other apps add without importing them (HANDBOOK §3)."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.chat import handlers

CHAT = Path(__file__).resolve().parent.parent.parent / "backend" / "chat"


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


@pytest.mark.parametrize("path", sorted(CHAT.rglob("*.py")), ids=lambda path: path.relative_to(CHAT).as_posix())
def test_chat_imports_neither_feed_nor_moderation_nor_push(path):
    above = {m for m in _imported_modules(path) if m.split(".")[:2] in (["backend", "feed"], ["backend", "moderation"], ["backend", "push"])}
    assert not above, f"backend/chat/{path.name} imports {sorted(above)}: register through backend.chat.handlers instead"


def test_the_feed_and_moderation_register_their_frames():
    from backend.feed.api import post_create_frame
    from backend.moderation.selectors import watch_answer

    assert handlers.handler_for("post.create") is post_create_frame
    assert handlers.handler_for("watch") is watch_answer
    assert handlers.handler_for("message.send") is None  # chat's own


def test_a_frame_without_a_schema_in_the_contract_cannot_be_registered():
    with pytest.raises(ImproperlyConfigured):
        handlers.register("teleport", lambda user, frame: handlers.Answer({"type": "pong"}))


def test_a_frame_has_one_handler():
    with pytest.raises(ImproperlyConfigured):
        handlers.register("watch", lambda user, frame: handlers.Answer({"type": "pong"}))
