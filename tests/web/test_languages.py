"""French and English from one set of catalogues: the page follows her `language` once
logged in, the browser's Accept-Language before; no word of the other language leaks."""

import re

import pytest

from tests.conftest import make_membership
from tests.web.conftest import DESKTOP, PHONE, person
from tests.web.test_posts import posts  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

# Words of the page itself (not what people wrote) that must never show in the other language.
FRENCH = ["Réglages", "Envoyer", "Annonces", "Discussions", "Salons", "Je peux aider", "Chargement", "Quartier", "réponse",
          "Se connecter", "Publiée par", "Signaler", "Ouvert", "Aujourd'hui", "Carte", "Voisins vérifiés", "J'y vais"]
ENGLISH = ["Settings", "Send", "Posts", "Chats", "Rooms", "I can help", "Loading", "Neighbourhood", "answer", "Log in",
           "Posted by", "Report", "Open", "Today", "Map", "Verified neighbours", "I'm going"]
# The page's own words, outside what people wrote (messages, cards' titles, names, rooms).
CHROME = ("nav.tabs, .room-list .room-kind, .list-title, .room-head .head-link, .composer button, .composer textarea, "
          ".day, .card-head, .card-by, .card .details dt, .card-facts, .card-actions, .screen-title, label, h2")


def found(words, text):
    return [word for word in words if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)]


def page_text(page) -> str:
    """What the page says in <main> and the navigation, without the options of selects
    (time zones are names of places)."""
    return page.evaluate("""() => { const copy = document.querySelector('main').cloneNode(true);
        copy.querySelectorAll('select').forEach((s) => s.remove());
        return copy.innerText + ' ' + document.querySelector('nav.tabs').innerText; }""")


def chrome_text(page) -> str:
    return " | ".join(page.locator(CHROME).all_inner_texts()) + " " + page.locator(".composer textarea").get_attribute("placeholder")


@pytest.fixture
def nina(world, posts):  # noqa: F811
    """A French resident; the rest of the world is English."""
    user = person("nina@example.org", "Nina", language="fr")
    make_membership(user, world["neighbourhood"], state="verified", street="Rue Jacques Cartier")
    return user


# What people wrote (names, rooms, messages, posts' titles and texts): never the page's words.
USER_CONTENT = (".message .text, .quote-text, .card-title, .card-text, .room-name, #room-title, .author, .card-by a, "
                ".about, .whoami, .place, .screen-title, .people strong, .loans strong, .details dd, .composer textarea, .mutes label, select[name=room_id]")
# Every string the page shows by itself, as it shows it: text, labels for screen
# readers, placeholders, titles, the options of selects (time zones are names of places).
PAGE_STRINGS = """(skip) => {
  const seen = new Set();
  const add = (text) => { const clean = (text || '').replace(/\\s+/g, ' ').trim(); if (clean) seen.add(clean); };
  const mine = (element) => !element.closest(skip);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) if (mine(node.parentElement)) add(node.textContent);
  for (const element of document.body.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
    if (!mine(element)) continue;
    for (const name of ['aria-label', 'placeholder', 'title', 'alt']) add(element.getAttribute(name));
  }
  for (const option of document.querySelectorAll('#field-time_zone option')) seen.delete(option.textContent.trim());
  add(document.title);
  return [...seen];
}"""


def the_other_language(language):
    """The catalogues' strings of the other language that are not also words of this
    one: (strings of its catalogue that must never show, context for a failure)."""
    from backend.web import catalogues

    entries = [entry for domain in catalogues.DOMAINS
               for entry in catalogues.parse(catalogues.catalogue_path("fr", domain))[1:] if not entry.obsolete]
    english, french = set(), set()
    for entry in entries:
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        english.update(sources)
        french.update(text for text in entry.msgstr if text)
    if language == "fr":
        return english - french
    return french - english


def leaks(page, language):
    """The page's strings that belong to the other language: a whole string of the other
    catalogue, or one of its everyday words."""
    other = the_other_language(language)
    strings = page.evaluate(PAGE_STRINGS, USER_CONTENT)
    words = FRENCH if language == "en" else ENGLISH
    return sorted({text for text in strings if text in other} | {word for text in strings for word in found(words, text)})


@pytest.mark.parametrize(("email", "locale", "viewport", "mine", "other"), [
    ("alice@example.org", "fr-FR", PHONE, ENGLISH, FRENCH),  # her language wins over her French browser
    ("nina@example.org", "en-GB", DESKTOP, FRENCH, ENGLISH),
], ids=["english-resident", "french-resident"])
def test_a_resident_sees_her_language_everywhere(nina, world, page_server, visit, email, locale, viewport, mine, other):
    """Every screen she can open: each tab (Settings too), the kinds of post and a post
    form with its errors, a neighbour's profile and the report dialog."""
    from playwright.sync_api import expect

    resident = visit(page_server(), viewport=viewport, locale=locale).log_in(email)
    page = resident.page
    if viewport is PHONE:
        page.click(".room-link >> nth=0")
    expect(page.locator(".card").first).to_be_visible()
    language = "en" if mine is ENGLISH else "fr"
    expect(page.locator("html")).to_have_attribute("lang", language)
    text = chrome_text(page)
    assert found(other, text) == [], text
    assert found(mine, text), text
    assert leaks(page, language) == [], "the rooms"
    resident.axe(f"the rooms in {language}")

    tabs = page.locator(".tab")
    expect(tabs).to_have_count(6)  # Chats, Posts, Map, Street, Neighbours, Settings
    for index in range(6):
        tabs.nth(index).click()
        expect(page.locator("main [role=status]", has_text=re.compile("Loading|Chargement"))).to_have_count(0)
        page.wait_for_timeout(300)
        name = tabs.nth(index).inner_text()
        assert found(other, page_text(page)) == [], (name, page_text(page))
        assert leaks(page, language) == [], name
    expect(page.locator("#push-form")).to_be_visible()  # the last tab: Settings, with all its forms

    screens = {"the kinds of post": "#/new", "a post form": "#/new/group_purchase", "a post form with choices": "#/new/classified",
               "her membership": "#/join", "a neighbour's profile": f"#/people/{world['Bruno'].id}"}
    for what, route in screens.items():
        page.goto(page.url.split("#")[0] + route)
        expect(page.locator("main [role=status]", has_text=re.compile("Loading|Chargement"))).to_have_count(0)
        expect(page.locator("main")).to_be_visible()
        if route.startswith("#/new/"):
            expect(page.locator("#post-form")).to_be_visible()
            page.click("#post-form button[type=submit]")  # nothing filled in: every rule said
            expect(page.locator("#field-title-error")).to_be_visible()
        assert found(other, page_text(page)) == [], (what, page_text(page))
        assert leaks(page, language) == [], what
    page.locator(".profile-screen .actions button").last.click()  # "Report this member"
    expect(page.locator("#report-dialog")).to_be_visible()
    dialog_text = page.locator("#report-dialog").inner_text()
    assert found(other, dialog_text) == [] and found(mine, dialog_text + " " + text), dialog_text
    assert leaks(page, language) == [], "the report dialog"
    resident.axe(f"the report dialog in {language}")
    resident.screenshot(f"language-{language}")


@pytest.mark.parametrize(("locale", "title", "error"), [
    ("fr-FR,fr", "Se connecter", "Adresse e-mail ou mot de passe incorrect."),
    ("en-GB,en", "Log in", "Wrong email or password."),
    ("de-DE,de", "Log in", "Wrong email or password."),
])
def test_before_login_the_browser_s_language_decides(world, page_server, visit, locale, title, error):
    from playwright.sync_api import expect

    page = visit(page_server(), viewport=PHONE, locale=locale).open("/").page
    expect(page.locator("#auth-title")).to_have_text(title)
    page.fill("#login input[name=email]", "alice@example.org")
    page.fill("#login input[name=password]", "not the one")
    page.click("#login button[type=submit]")
    expect(page.locator(".form-error")).to_have_text(error)
