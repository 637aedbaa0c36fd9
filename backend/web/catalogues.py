"""Reading and completing the gettext catalogues of the pages (backend/web/locale), in
Python alone: the tests check them on machines without gettext, and `make messages`
fills the English msgstr from the msgid (the source strings are English)."""

import re
from dataclasses import dataclass, field
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAINS = ("django", "djangojs")
LANGUAGES = ("en", "fr")

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(text: str) -> str:
    body = text.strip()
    if not (body.startswith('"') and body.endswith('"')):
        raise ValueError(f"not a quoted string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body[1:-1])


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{escaped}"'
    parts = [f'"{line}\\n"' for line in lines[:-1]] + ([f'"{lines[-1]}"'] if lines[-1] else [])
    return '""\n' + "\n".join(parts)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def fuzzy(self) -> bool:
        return any(line.startswith("#,") and "fuzzy" in line for line in self.comments)

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid

    def render(self) -> str:
        lines = list(self.comments)
        if self.msgctxt is not None:
            lines.append(f"msgctxt {_quote(self.msgctxt)}")
        lines.append(f"msgid {_quote(self.msgid)}")
        if self.msgid_plural is not None:
            lines.append(f"msgid_plural {_quote(self.msgid_plural)}")
            for index, text in enumerate(self.msgstr):
                lines.append(f"msgstr[{index}] {_quote(text)}")
        else:
            lines.append(f"msgstr {_quote(self.msgstr[0] if self.msgstr else '')}")
        return "\n".join(lines)


def parse(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") first."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, started
        if started:
            entries.append(current)
        current, started = Entry(), False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#"):
            if started and target is not None:
                finish()
            current.comments.append(raw)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt":
            if started:
                finish()
            current.msgctxt, target, started = _unquote(rest), ("msgctxt", 0), True
        elif keyword == "msgid":
            if started and target is not None and target[0] != "msgctxt":
                finish()
            current.msgid, target, started = _unquote(rest), ("msgid", 0), True
        elif keyword == "msgid_plural":
            current.msgid_plural, target = _unquote(rest), ("msgid_plural", 0)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            while len(current.msgstr) <= index:
                current.msgstr.append("")
            current.msgstr[index], target = _unquote(rest), ("msgstr", index)
        elif line.startswith('"') and target is not None:
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
    finish()
    return [entry for entry in entries if not entry.obsolete]


def write(path: Path, entries: list[Entry]) -> None:
    path.write_text("\n\n".join(entry.render() for entry in entries) + "\n", encoding="utf-8")


def catalogue_path(language: str, domain: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def fill_english() -> int:
    """English msgstr = msgid (plural: the two msgids) where empty; returns how many."""
    filled = 0
    for domain in DOMAINS:
        path = catalogue_path("en", domain)
        entries = parse(path)
        for entry in entries[1:]:
            wanted = [entry.msgid, entry.msgid_plural] if entry.msgid_plural is not None else [entry.msgid]
            if not all(entry.msgstr) or len(entry.msgstr) < len(wanted) or entry.fuzzy:
                entry.msgstr = wanted
                entry.comments = [line for line in entry.comments if not (line.startswith("#,") and "fuzzy" in line)]
                filled += 1
        write(path, entries)
    return filled


def untranslated(language: str) -> list[str]:
    """The msgids of `language` with an empty or fuzzy translation."""
    missing = []
    for domain in DOMAINS:
        for entry in parse(catalogue_path(language, domain))[1:]:
            if entry.fuzzy or not entry.msgstr or not all(text.strip() for text in entry.msgstr):
                missing.append(f"{domain}: {entry.msgid}")
    return missing
