"""The data page (backend/privacy/views.py): public, French and English, its retention
table from the settings, nothing loaded from another origin."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_page_says_in_english_what_is_kept_from_the_settings(settings):
    settings.PRIVACY_EXPORT_DAYS = 5
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/data/")
    assert page.status_code == 200 and page["Content-Language"] == "en"
    html = page.content.decode()
    assert "Your data on Voisins" in html and "No advertising, ever." in html and "No resale" in html
    assert re.search(r'id="rule-exports"><th scope="row">The archive of your data, once ready</th><td>5 days</td>', html)
    assert re.search(r'id="rule-inactive_accounts">.*?<td>3 years</td>', html)
    assert re.search(r'id="rule-applications">.*?<td>183 days</td>', html)
    assert "for 5 days" in html


def test_the_page_speaks_french_when_asked_or_to_a_french_browser():
    for page in (Client().get("/data/?lang=fr"), Client(HTTP_ACCEPT_LANGUAGE="fr-FR").get("/data/")):
        html = page.content.decode()
        assert page["Content-Language"] == "fr" and '<html lang="fr">' in html
        assert "Vos données sur Voisins" in html and "Aucune publicité, jamais." in html
        assert re.search(r'id="rule-inactive_accounts">.*?<td>3 ans</td>', html)
        assert re.search(r'id="rule-proofs">.*?<td>supprimé aussitôt</td>', html)


def test_the_page_loads_nothing_from_another_origin():
    page = Client().get("/data/")
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "default-src 'self'" in policy
    html = page.content.decode()
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []
