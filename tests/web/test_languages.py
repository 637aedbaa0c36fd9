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


@pytest.mark.parametrize(("email", "locale", "viewport", "mine", "other"), [
    ("alice@example.org", "fr-FR", PHONE, ENGLISH, FRENCH),  # her language wins over her French browser
    ("nina@example.org", "en-GB", DESKTOP, FRENCH, ENGLISH),
], ids=["english-resident", "french-resident"])
def test_a_resident_sees_her_language_everywhere(nina, page_server, visit, email, locale, viewport, mine, other):
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
    resident.axe(f"the rooms in {language}")
    for tab in range(5):
        page.locator(".tab").nth(tab).click()
        page.wait_for_timeout(300)
        assert found(other, page_text(page)) == [], (tab, page_text(page))
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
