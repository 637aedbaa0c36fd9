"""Each app's part of a member's data export (issue 15). `common` knows no app: an app
registers its exporter here in its AppConfig.ready(), and backend.privacy builds the
archive from every section registered, without reading any app's models itself.

An exporter takes the user and returns a Section: JSON-able data about her (her own
content; other people only by display name) and the files that go beside it (her photos)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any


@dataclass(frozen=True)
class ExportFile:
    name: str  # its path inside the archive, under the section's folder
    open: Callable[[], IO[bytes]]


@dataclass(frozen=True)
class Section:
    data: Any
    files: list[ExportFile] = field(default_factory=list)


_exporters: dict[str, Callable[[Any], Section]] = {}


def register(name: str, exporter: Callable[[Any], Section]) -> None:
    """`name` becomes <name>.json in the archive (and <name>/ for its files)."""
    _exporters[name] = exporter


def exporters() -> dict[str, Callable[[Any], Section]]:
    return dict(sorted(_exporters.items()))
