"""The WebSocket protocol as frontend-contract/websocket/ defines it: client frames are
validated against those schemas, so the contract and the server cannot drift apart."""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

CONTRACT_DIR = Path(__file__).resolve().parent.parent.parent / "frontend-contract" / "websocket"

MAX_FRAME_BYTES = 64 * 1024
MAX_TEXT_LENGTH = 4000


class CloseCode:
    """Close codes of the contract (frontend-contract/asyncapi.yaml)."""

    # Standard codes (RFC 6455): the server could not serve the socket now; an error
    # frame before the close says why (server_busy with retry_after, or server_error).
    SERVER_ERROR = 1011
    TRY_AGAIN = 1013
    UNAUTHENTICATED = 4401
    ORIGIN_NOT_ALLOWED = 4403
    IDLE_TIMEOUT = 4408
    TOO_MANY_SOCKETS = 4409
    ACCOUNT_ERASED = 4410  # she erased her account: do not reconnect
    TOO_SLOW = 4503


# The shared schemas (common.json, post.json), by the names the frames' $refs use.
REGISTRY = Registry().with_resources(
    (path.name, Resource.from_contents(json.loads(path.read_text()))) for path in CONTRACT_DIR.glob("*.json")
)


def validators(direction: str) -> dict[str, Draft202012Validator]:
    """A validator per frame type of frontend-contract/websocket/<direction>/."""
    return {
        path.name.removesuffix(".json"): Draft202012Validator(json.loads(path.read_text()), registry=REGISTRY)
        for path in sorted((CONTRACT_DIR / direction).glob("*.json"))
    }


CLIENT_VALIDATORS = validators("client")


@dataclass(frozen=True)
class FrameError(Exception):
    code: str
    ref: str | None = None
    detail: str = ""


# A "ref" member as the contract writes it. Inside a JSON string its quotes would be
# escaped (\"ref\"), so a match is a member of some object of the frame.
_REF_MEMBER = re.compile(r'"ref"\s*:\s*"([A-Za-z0-9_.:-]{1,64})"')
_GLIMPSE = 1024


def _glimpsed_ref(raw: str | bytes) -> str | None:
    """The `ref` of a frame too large to parse, if it shows in its first or last KB
    (clients write it before or after the long text): a bounded look, no parsing."""
    head, tail = raw[:_GLIMPSE], raw[-_GLIMPSE:]
    if isinstance(raw, bytes):
        head, tail = head.decode(errors="ignore"), tail.decode(errors="ignore")
    found = _REF_MEMBER.search(head) or _REF_MEMBER.search(tail)
    return found.group(1) if found else None


def parse_client_frame(raw: str | bytes) -> dict[str, Any]:
    """The frame as a dict, or FrameError with the code of what is wrong."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_FRAME_BYTES:
        raise FrameError("frame_too_large", ref=_glimpsed_ref(raw), detail=f"{size} bytes; at most {MAX_FRAME_BYTES}")
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise FrameError("malformed_json", detail=str(exc)) from exc
    if not isinstance(frame, dict):
        raise FrameError("invalid_frame", detail="a frame is a JSON object")
    ref = frame.get("ref") if isinstance(frame.get("ref"), str) else None
    frame_type = frame.get("type")
    validator = CLIENT_VALIDATORS.get(frame_type) if isinstance(frame_type, str) else None
    if validator is None:
        raise FrameError("unknown_type", ref=ref, detail=f"type {frame_type!r}")
    error = next(iter(sorted(validator.iter_errors(frame), key=lambda e: list(e.path))), None)
    if error is not None:
        where = "/".join(str(part) for part in error.path) or "frame"
        raise FrameError("invalid_frame", ref=ref, detail=f"{where}: {error.message}")
    return frame


def encode(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()
