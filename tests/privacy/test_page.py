"""The data page in Chromium (Playwright), as a person reads it on her phone: both
languages, every request to this server only, the CSP unbroken, accessible."""

from urllib.parse import urlsplit

import pytest

from tests.web.conftest import DESKTOP, page_server, static_root, visit  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_data_page_loads_nothing_from_another_origin_in_either_language(page_server, visit):  # noqa: F811
    base = page_server()
    requested: list[str] = []
    tab = visit(base, locale="fr-FR")
    tab.page.on("request", lambda request: requested.append(request.url))
    tab.open("/data/")
    assert tab.page.locator("h1").inner_text() == "Vos données sur Voisins"
    assert tab.page.locator("#rule-exports td").inner_text() == "7 jours"
    tab.axe("data page, fr")
    tab.no_horizontal_overflow()
    tab.screenshot("privacy-data-page-fr")

    tab.page.click("a[hreflang=en]")
    tab.page.wait_for_selector("html[lang=en]")
    assert tab.page.locator("h1").inner_text() == "Your data on Voisins"
    assert tab.page.locator("#rule-inactive_accounts td").inner_text() == "3 years"
    tab.axe("data page, en")
    assert requested and {urlsplit(url).netloc for url in requested} == {urlsplit(base).netloc}


def test_the_data_page_on_a_desktop(page_server, visit):  # noqa: F811
    tab = visit(page_server(), viewport=DESKTOP)
    tab.open("/data/")
    assert tab.page.locator("table").count() == 2
    tab.screenshot("privacy-data-page-desktop")
