"""Frames written to the wire once per process, not once per recipient.

A frame the hub hands to a room is the same text for all of its sockets, and a server
sends it unmasked and uncompressed: the same bytes on every connection. Through the
ASGI send, the server encodes the text and builds the WebSocket frame again for each
recipient. Under uvicorn's sansio WebSocket protocol (the Procfile's server), a socket
whose connection is plainly open instead writes the bytes built once (`encoded`) to
its transport, which is all that send would have done; the frames of a stored batch go
in one write (`encoded_all`), one system call per socket instead of one per message. Any
other state (paused by the peer, closing, an extension negotiated) or another server
goes through the ASGI send."""

from typing import Any

from websockets.frames import Frame, Opcode
from websockets.protocol import State

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # uvicorn or its websockets implementation is not installed
    WebSocketsSansIOProtocol = None

_last_text: str | None = None
_last_wire = b""
_last_texts: list[str] | None = None
_last_wires = b""


def _frame(text: str) -> bytes:
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


def encoded(text: str) -> bytes:
    """The unmasked WebSocket text frame of `text`. The hub hands one str object to all
    the recipients of a frame in a row: built for the first, reused by the others."""
    global _last_text, _last_wire
    if text is not _last_text:
        _last_wire = _frame(text)
        _last_text = text
    return _last_wire


def encoded_all(texts: list[str]) -> bytes:
    """The frames of `texts` one after the other; like `encoded`, built for the first
    recipient of the list and reused by the others."""
    global _last_texts, _last_wires
    if texts is not _last_texts:
        _last_wires = b"".join(map(_frame, texts))
        _last_texts = texts
    return _last_wires


def direct_connection(send: Any) -> Any:
    """The server's connection behind an accepted socket's ASGI `send`, if frames may be
    written to it directly; else None."""
    connection = getattr(send, "__self__", None)
    if WebSocketsSansIOProtocol is None or type(connection) is not WebSocketsSansIOProtocol:
        return None
    if connection.conn.extensions:  # permessage-deflate: each frame is compressed per socket
        return None
    return connection


def _open(connection: Any) -> bool:
    """Whether uvicorn's send would neither wait nor refuse: the peer reads, the
    connection is open and not closing."""
    return (
        connection.writable.is_set()
        and not connection.close_sent
        and not connection.disconnected
        and connection.conn.state is State.OPEN
        and not connection.transport.is_closing()
    )


def write(connection: Any, text: str) -> bool:
    """Writes the frame as uvicorn's send would, if that send would neither wait nor
    refuse; else False."""
    if not _open(connection):
        return False
    connection.transport.write(encoded(text))
    return True


def write_all(connection: Any, texts: list[str]) -> bool:
    """Writes the frames in one piece (one system call, not one per frame), if uvicorn's
    send would neither wait nor refuse; else False and nothing written."""
    if not _open(connection):
        return False
    connection.transport.write(encoded_all(texts))
    return True
