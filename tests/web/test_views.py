"""The page shells and the files their scripts read (backend/web/views.py), without a
browser: the Content-Security-Policy and no inline script, the language of the page,
the JSON catalogue, the contract's post.json."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from backend.web import csp
from tests.conftest import make_user

WEB = Path(settings.BASE_DIR) / "backend" / "web"


class _Inventory(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.inline_handlers, self.style_attributes, self.style_elements, self.data = [], [], [], 0, []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
            self._in_script = True
        if tag == "style":
            self.style_elements += 1
        self.inline_handlers += [name for name in attributes if name.startswith("on")]
        if "style" in attributes:
            self.style_attributes.append(tag)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.data.append(data)


def test_the_page_has_a_strict_csp_and_no_inline_script(client, db):
    response = client.get("/")
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "ws://testserver" in policy["connect-src"]
    page = _Inventory()
    page.feed(response.content.decode())
    assert page.scripts and all(script.get("src") for script in page.scripts), page.scripts
    assert page.data == [] and page.inline_handlers == [] and page.style_attributes == [] and page.style_elements == 0


def test_no_template_of_the_pages_holds_a_script_or_a_style():
    for template in (WEB / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert "<style" not in text and " style=" not in text and not re.search(r"\son\w+=", text), template


def test_our_scripts_never_write_html():
    """Text is rendered as text: no innerHTML, no eval, no HTML injection by Preact."""
    for script in (WEB / "static" / "web" / "js").rglob("*.js"):
        text = script.read_text()
        for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "dangerouslySetInnerHTML", "eval(",
                          "new Function", "document.write"):
            assert forbidden not in text, f"{script.name}: {forbidden}"


def test_map_tiles_are_allowed_by_the_policy(rf, settings):
    settings.WEB_MAP_TILES_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    policy = csp.content_security_policy(rf.get("/"))
    assert "img-src 'self' data: blob: https://*.tile.example.org" in policy
    assert csp.tiles_source("") is None and csp.tiles_source("javascript:alert(1)") is None


def test_photos_from_object_storage_are_allowed_by_the_policy(rf, settings):
    assert "amazonaws" not in csp.content_security_policy(rf.get("/"))
    settings.PHOTOS_S3_BUCKET = "voisins-photos"
    settings.STORAGES = {**settings.STORAGES, "photos": {"OPTIONS": {"endpoint_url": "https://s3.example.net"}}}
    assert "https://s3.example.net https://*.s3.example.net" in csp.content_security_policy(rf.get("/"))
    settings.STORAGES = {**settings.STORAGES, "photos": {"OPTIONS": {}}}
    assert "https://*.amazonaws.com" in csp.content_security_policy(rf.get("/"))


@pytest.mark.parametrize(("accept", "language"), [("fr-FR,fr;q=0.9", "fr"), ("en-GB,en;q=0.8", "en"), ("de-DE", "en")])
def test_before_login_the_browser_s_language_decides(client, db, accept, language):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in response.content.decode()
    assert f"/web/i18n/{language}.json?v=" in response.content.decode()


def test_once_logged_in_her_language_decides(client, db):
    user = make_user("nina@example.org", language="fr")
    client.force_login(user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "fr"
    assert "Chargement de Voisins" in response.content.decode()


def test_the_catalogue_of_the_scripts_is_served_and_cached_by_version(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    url = re.search(r'data-catalogue="([^"]+)"', page).group(1).replace("&amp;", "&")
    response = client.get(url)
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    catalog = response.json()["catalog"]
    assert catalog["Log in"] == "Se connecter"
    assert catalog["%(n)s answer"] == ["%(n)s réponse", "%(n)s réponses"]
    assert client.get("/web/i18n/de.json").status_code == 404


def test_the_post_schema_is_the_contract_s(client, db):
    page = client.get("/").content.decode()
    url = re.search(r'data-post-schema="([^"]+)"', page).group(1)
    served = client.get(url)
    assert "immutable" in served["Cache-Control"]
    committed = json.loads((Path(settings.BASE_DIR) / "frontend-contract" / "websocket" / "post.json").read_text())
    assert served.json() == committed


def test_the_page_sets_the_csrf_cookie(client, db):
    assert "csrftoken" in client.get("/").cookies


@pytest.mark.parametrize("accept, language", [("fr-FR,fr;q=0.9", "fr"), ("en-GB", "en")])
def test_the_organisations_console_is_a_page_of_ours(client, db, accept, language):
    response = client.get("/city/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200 and "csrftoken" in response.cookies
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["frame-src"] == "'none'"
    page = _Inventory()
    page.feed(response.content.decode())
    assert len(page.scripts) == 1 and "web/js/city/main" in page.scripts[0]["src"]
    assert page.data == [] and page.inline_handlers == [] and page.style_attributes == []
    assert f'<html lang="{language}">' in response.content.decode()
    assert response["Content-Language"] == language
