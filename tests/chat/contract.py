"""Every frame a test receives is validated against its schema in
frontend-contract/websocket/server/; with VOISINS_CAPTURE_EXAMPLES=1 the first frame of
each type (and the first message.new carrying a card) is written to
frontend-contract/websocket/examples/ (make contract)."""

import json
import os

from backend.chat.protocol import CONTRACT_DIR, validators

SERVER_VALIDATORS = validators("server")
EXAMPLES_DIR = CONTRACT_DIR / "examples"
_captured: set[str] = set()


def check_server_frame(frame: dict) -> dict:
    frame_type = frame.get("type")
    assert frame_type in SERVER_VALIDATORS, f"the server sent a frame of unknown type {frame_type!r}"
    errors = [error.message for error in SERVER_VALIDATORS[frame_type].iter_errors(frame)]
    assert not errors, f"{frame_type} frame does not match its schema: {errors}: {frame}"
    # A message that carries a post's card is an example of its own.
    message = frame.get("message")
    name = frame_type + (".card" if isinstance(message, dict) and message.get("card") else "")
    if os.environ.get("VOISINS_CAPTURE_EXAMPLES") and name not in _captured:
        _captured.add(name)
        EXAMPLES_DIR.mkdir(exist_ok=True)
        (EXAMPLES_DIR / f"{name}.json").write_text(json.dumps(frame, indent=2, ensure_ascii=False) + "\n")
    return frame
