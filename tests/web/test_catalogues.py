"""Two languages from one set of gettext catalogues (backend/web/locale): every string
of the pages is marked, extracted, translated in both languages and compiled."""

import gettext
import re
from pathlib import Path

import pytest

from backend.web import catalogues

WEB = catalogues.LOCALE_DIR.parent
STRING = r'"((?:[^"\\]|\\.)*)"'
# gettext("…"), ngettext("…", "…", n), pgettext("context", "…") in our scripts; {% translate "…" %} in templates.
JS_CALLS = [
    (re.compile(rf"\bgettext\(\s*{STRING}\s*\)"), lambda m: (None, m.group(1))),
    (re.compile(rf"\bngettext\(\s*{STRING}\s*,\s*{STRING}"), lambda m: (None, m.group(1))),
    (re.compile(rf"\bpgettext\(\s*{STRING}\s*,\s*{STRING}\s*\)"), lambda m: (m.group(1), m.group(2))),
]
TEMPLATE_TAG = re.compile(r"{%\s*(?:translate|trans)\s+" + STRING)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def marked_strings() -> dict[str, set]:
    found = {"djangojs": set(), "django": set()}
    for script in (WEB / "static" / "web" / "js").rglob("*.js"):
        text = script.read_text()
        for pattern, key in JS_CALLS:
            for match in pattern.finditer(text):
                context, msgid = key(match)
                found["djangojs"].add((context, _unescape(msgid)))
    for template in (WEB / "templates").rglob("*.html"):
        for match in TEMPLATE_TAG.finditer(template.read_text()):
            found["django"].add((None, _unescape(match.group(1))))
    return found


@pytest.mark.parametrize("language", catalogues.LANGUAGES)
def test_every_string_is_translated(language):
    assert catalogues.untranslated(language) == []


@pytest.mark.parametrize("domain", catalogues.DOMAINS)
def test_every_marked_string_is_in_the_catalogues(domain):
    """Run `make messages` after adding strings: this fails until they are extracted."""
    for language in catalogues.LANGUAGES:
        known = {entry.key for entry in catalogues.parse(catalogues.catalogue_path(language, domain))[1:]}
        missing = marked_strings()[domain] - known
        assert not missing, f"{language}/{domain}.po lacks {sorted(missing, key=str)}"


@pytest.mark.parametrize("language", catalogues.LANGUAGES)
@pytest.mark.parametrize("domain", catalogues.DOMAINS)
def test_the_compiled_catalogues_match_their_sources(language, domain):
    """The .mo files are committed: `make messages` compiles them."""
    source = catalogues.catalogue_path(language, domain)
    with open(source.with_suffix(".mo"), "rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    for entry in catalogues.parse(source)[1:]:
        if entry.msgid_plural is not None:
            forms = [translations.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 5)]
            assert forms == [entry.msgstr[0], entry.msgstr[-1]], entry.msgid
        elif entry.msgctxt is not None:
            assert translations.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0], entry.msgid
        else:
            assert translations.gettext(entry.msgid) == entry.msgstr[0], entry.msgid


def test_french_is_french():
    """A few strings that must differ from English, so a copied catalogue is caught."""
    french = {entry.msgid: entry.msgstr for entry in catalogues.parse(catalogues.catalogue_path("fr", "djangojs"))[1:]}
    for msgid in ("Log in", "Send", "Settings", "I can help", "Neighbours"):
        assert french[msgid][0] != msgid


def test_the_placeholders_survive_translation():
    for language in catalogues.LANGUAGES:
        for domain in catalogues.DOMAINS:
            for entry in catalogues.parse(catalogues.catalogue_path(language, domain))[1:]:
                wanted = set(re.findall(r"%\(\w+\)s", entry.msgid + (entry.msgid_plural or "")))
                for text in entry.msgstr:
                    assert set(re.findall(r"%\(\w+\)s", text)) <= wanted, (language, entry.msgid, text)
                assert set(re.findall(r"%\(\w+\)s", entry.msgstr[-1])) >= set(re.findall(r"%\(\w+\)s", entry.msgid_plural or entry.msgid)) - {"%(n)s"}, (language, entry.msgid)


def test_the_catalogues_parse_round_trip(tmp_path):
    source = catalogues.catalogue_path("fr", "djangojs")
    entries = catalogues.parse(source)
    copy = Path(tmp_path) / "copy.po"
    catalogues.write(copy, entries)
    assert [e.render() for e in catalogues.parse(copy)] == [e.render() for e in entries]
