"""The neighbourhood in the resident app: the posts list with its filters and search,
the map of posts and partners (Leaflet, here without tiles), and her settings."""

import re

import pytest

from tests.web.conftest import DESKTOP, PHONE, db_call
from tests.web.test_posts import SOON, posts  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def neighbourhood(posts, world):  # noqa: F811
    from backend.feed.models import Partner
    from backend.feed.services import post_status_set

    post_status_set(actor=world["Alice"], post_id=posts["help_request"].post.id, status="closed")
    partner = Partner.objects.create(name="Marcel car sharing", category="car_sharing", offer="Two cars at the station",
                                     link="https://example.org/marcel", latitude=48.6489, longitude=-2.0252)
    partner.neighbourhoods.add(world["neighbourhood"])
    return world


def test_the_posts_list_filters_and_searches(neighbourhood, page_server, visit):
    from playwright.sync_api import expect

    bruno = visit(page_server(), viewport=PHONE).log_in("bruno@example.org")
    b = bruno.page
    b.click(".tab:has-text('Posts')")
    titles = b.locator(".feed .card-title")
    expect(titles).to_have_text(["Raclette machine", "Street party", "Cancale oysters", "Water my plants"])
    bruno.axe("the posts list")
    b.select_option("#filter-kind", "event")
    expect(titles).to_have_text(["Street party"])
    b.select_option("#filter-kind", "")
    b.select_option("#filter-status", "closed")
    expect(titles).to_have_text(["Water my plants"])
    expect(b.locator(".feed .card .status")).to_have_text(["Closed"])
    b.select_option("#filter-status", "")
    b.fill("#filter-q", "oysters")
    expect(titles).to_have_text(["Cancale oysters"])
    b.fill("#filter-q", "nothing like this")
    expect(b.locator(".empty")).to_have_text("No post matches.")
    b.fill("#filter-q", "")
    expect(titles).to_have_count(4)
    bruno.no_horizontal_overflow()
    bruno.screenshot("posts-list-phone")
    b.locator(".feed li:has-text('Street party') a.in-room").click()
    expect(b.locator("#room-title")).to_have_text("Le quartier")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_map_shows_posts_and_partners_without_tiles(neighbourhood, page_server, visit, viewport):
    from playwright.sync_api import expect

    alice = visit(page_server(), viewport=viewport).log_in("alice@example.org")
    a = alice.page
    a.click(".tab:has-text('Map')")
    expect(a.locator(".leaflet-container")).to_be_visible()
    expect(a.locator(".hint", has_text="No map background is configured")).to_be_visible()
    expect(a.locator("#map-posts + ul li")).to_have_count(3)  # open and taken posts; the closed one is not shown
    expect(a.locator("#map-partners + ul li")).to_contain_text(["Marcel car sharing · Car sharing"])
    expect(a.locator("#map-partners + ul a")).to_have_attribute("href", "https://example.org/marcel")
    expect(a.locator("path.leaflet-interactive")).to_have_count(4)
    alice.axe("the map")
    a.locator("path.leaflet-interactive").last.click(force=True)
    expect(a.locator(".leaflet-popup-content")).to_be_visible()
    alice.no_horizontal_overflow()
    alice.screenshot(f"map-{'phone' if viewport is PHONE else 'desktop'}")
    a.locator("#map-posts + ul button:has-text('Street party')").click()
    expect(a.locator("#room-title")).to_have_text("Le quartier")


@pytest.fixture
def devices(world):
    from backend.accounts.services import token_create

    token_create(user=world["Alice"], device_name="Pixel 8")
    return world


def test_settings_are_saved_and_the_language_changes_the_page(devices, page_server, visit):
    from playwright.sync_api import expect

    from backend.accounts.models import DeviceToken
    from backend.push.models import RoomMute

    alice = visit(page_server(), viewport=PHONE).log_in("alice@example.org")
    a = alice.page
    a.click(".tab:has-text('Settings')")
    expect(a.locator("#push-form")).to_be_visible()
    alice.axe("the settings")
    a.select_option("#field-time_zone", "Europe/Lisbon")
    a.fill("#field-quiet_start", "22:00")
    a.click("#push-form button[type=submit]")
    expect(a.locator("#field-quiet_end-error")).to_have_text("Quiet hours need both a start and an end.")
    a.fill("#field-quiet_end", "07:30")
    a.uncheck("#push-form input[name=previews]")
    a.check("#push-form input[name=muted_kinds][value=event]")
    a.click("#push-form button[type=submit]")
    expect(a.locator(".toast", has_text="Saved.")).to_be_visible()

    a.select_option("#mute-" + str(devices["room"].id), "8h")
    expect(a.locator(".mutes li", has_text="Le quartier")).to_contain_text("muted until")
    expect(a.locator(".devices li")).to_contain_text(["Pixel 8"])
    a.click(".devices li:has-text('Pixel 8') button")
    expect(a.locator(".devices li")).to_have_count(0)
    alice.screenshot("settings-phone")

    a.reload()
    a.click(".tab:has-text('Settings')")
    expect(a.locator("#field-time_zone")).to_have_value("Europe/Lisbon")
    expect(a.locator("#field-quiet_end")).to_have_value("07:30")
    expect(a.locator("#push-form input[name=previews]")).not_to_be_checked()
    expect(a.locator("#push-form input[name=muted_kinds][value=event]")).to_be_checked()
    assert db_call(lambda: RoomMute.objects.filter(room=devices["room"]).exists())
    assert not db_call(lambda: DeviceToken.objects.filter(device_name="Pixel 8").exists())

    a.select_option("#account-form select[name=language]", "fr")
    a.click("#account-form button[type=submit]")
    expect(a.locator(".tab.active")).to_have_text("Réglages")
    expect(a.locator("html")).to_have_attribute("lang", "fr")
    expect(a.locator("h1")).to_have_text("Réglages")
    alice.axe("the settings in French")
    a.click("#logout")
    expect(a.locator("#auth-title")).to_have_text("Log in")  # logged out, the browser's language decides again
    a.goto(a.url.split("#")[0] + "#/settings")
    expect(a.locator("#login")).to_be_visible()
