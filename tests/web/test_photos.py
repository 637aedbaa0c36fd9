"""Photos in the resident app: attached in the composer (a phone) and seen live by a
neighbour who opens the full image; a post with two photos from its form; a file that is
not an image refused at the field with nothing sent; expired links read again; a post
with photos deleted by its author, gone live for her neighbour with its links; the
camera on a phone, the progress of a larger photo, and more photos than a message takes."""

import re
from datetime import date, datetime, timedelta

import pytest

from tests.photos.conftest import jpeg
from tests.web.conftest import DESKTOP, PHONE, db_call
from tests.web.test_posts import card_in, fill_post

pytestmark = pytest.mark.django_db(transaction=True)


def photo(name: str, colour=(200, 60, 40), size=(320, 240)) -> dict:
    """A JPEG from a phone, with its GPS position in its EXIF."""
    from PIL import Image

    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg(Image.new("RGB", size, colour))}


def _open_room(visit_, name):
    from playwright.sync_api import expect

    visit_.page.click(f".room-link:has-text('{name}')")
    expect(visit_.page.locator("#room-title")).to_have_text(name)


def _uploaded(page, scope: str, count: int):
    from playwright.sync_api import expect

    expect(page.locator(f"{scope} .attached-photo")).to_have_count(count)
    expect(page.locator(f"{scope} .attached-photo progress")).to_have_count(0)
    expect(page.locator(f"{scope} .attached-photo img[src*='/thumbnail/']")).to_have_count(count)


def _image_count():
    from backend.photos.models import Image

    return Image.objects.count()


def test_a_photo_sent_in_a_room_is_seen_live_and_opened_full_size(world, page_server, visit):
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=PHONE).log_in("alice@example.org")
    bruno = visit(base, viewport=DESKTOP).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    _open_room(alice, "Le quartier")
    expect(b.locator("#room-title")).to_have_text("Le quartier")

    # Two photos chosen on a phone, one removed before sending.
    a.set_input_files(".composer input[type=file]:not([capture])", files=[photo("raclette.jpg"), photo("other.jpg", (20, 90, 200))])
    _uploaded(a, ".composer", 2)
    alice.axe("photos attached in the composer")
    a.get_by_role("button", name="Remove other.jpg").click()
    _uploaded(a, ".composer", 1)
    a.fill(".composer textarea", "The raclette machine, if anyone needs it")
    alice.no_horizontal_overflow()
    alice.screenshot("photo-composer-phone")
    a.press(".composer textarea", "Enter")
    expect(a.locator(".composer .attached-photo")).to_have_count(0)

    message = b.locator(".message:has-text('The raclette machine')")
    thumbnail = message.locator(".photos img")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_have_attribute("src", re.compile(r"^/api/v1/photos/\d+/thumbnail/\?expires=\d+&signature="))
    b.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    bruno.axe("a message with a photo")

    # The full image opens in a dialog, with its alternative text; Escape closes it.
    message.locator(".photo-link").click()
    lightbox = b.locator("dialog.lightbox")
    expect(lightbox).to_be_visible()
    full = lightbox.locator("img")
    expect(full).to_have_attribute("src", re.compile(r"^/api/v1/photos/\d+/full/\?"))
    expect(full).to_have_attribute("alt", "Photo 1 of 1: sent by Alice")
    b.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=full.element_handle())
    expect(lightbox.locator(".lightbox-close")).to_be_focused()
    bruno.axe("the full image")
    bruno.screenshot("photo-full-desktop")
    b.keyboard.press("Escape")
    expect(lightbox).to_have_count(0)
    expect(message.locator(".photo-link")).to_be_focused()

    # Her own message shows the photo too, and the removed one was never attached.
    expect(a.locator(".message:has-text('The raclette machine') .photos img")).to_have_count(1)
    alice.screenshot("photo-sent-phone")
    assert db_call(_image_count) == 2  # the removed one waits unattached, deleted after a day


def test_a_post_with_two_photos_from_its_form(world, page_server, visit):
    from playwright.sync_api import expect

    bruno = visit(page_server(), viewport=DESKTOP).log_in("bruno@example.org")
    b = bruno.page
    fill_post(b, "lost_found", "Grey cat found", {"mode": "found", "item": "A grey cat with a blue collar", "where": "Rue de Dinan",
                                                  "when": date.today().isoformat()})
    b.set_input_files("#field-image_ids", files=[photo("cat-front.jpg", (120, 120, 120)), photo("cat-collar.jpg", (30, 60, 160))])
    _uploaded(b, "#post-form", 2)
    expect(b.locator("#post-form .attached-photo img").first).to_have_attribute("alt", "cat-front.jpg")
    bruno.axe("a post form with two photos")
    b.click("#post-form button[type=submit]")

    card = card_in(b, "Grey cat found")
    expect(card.locator(".photos img")).to_have_count(2)
    card.locator(".photo-link").nth(1).click()
    lightbox = b.locator("dialog.lightbox")
    expect(lightbox.locator("figcaption")).to_have_text("Photo 2 of 2")
    expect(lightbox.locator("img")).to_have_attribute("alt", "Photo 2 of 2: Grey cat found")
    b.keyboard.press("ArrowRight")
    expect(lightbox.locator("figcaption")).to_have_text("Photo 1 of 2")
    b.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=lightbox.locator("img").element_handle())
    bruno.axe("a post's photo full size")
    bruno.screenshot("post-photo-full-desktop")
    lightbox.get_by_role("button", name="Close").click()
    expect(lightbox).to_have_count(0)
    bruno.axe("a card with two photos")
    bruno.screenshot("post-photos-desktop")


def test_a_file_that_is_not_an_image_is_refused_at_the_field_and_nothing_is_sent(world, page_server, visit):
    from playwright.sync_api import expect

    from backend.chat.models import Message

    alice = visit(page_server(), viewport=PHONE).log_in("alice@example.org")
    a = alice.page
    _open_room(alice, "Le quartier")
    fake = {"name": "holiday.jpg", "mimeType": "image/jpeg", "buffer": b"these are words, not a photo\n" * 20}
    a.set_input_files(".composer input[type=file]:not([capture])", files=[fake])
    error = a.locator(".composer .field-error")
    expect(error).to_have_text("holiday.jpg: The image must be a JPEG, PNG, WebP or HEIC file.")
    expect(a.locator(".composer input[type=file]:not([capture])")).to_have_attribute("aria-invalid", "true")
    expect(a.locator(".composer .attached-photo")).to_have_count(0)
    alice.axe("a file refused in the composer")
    alice.screenshot("photo-refused-phone")
    a.press(".composer textarea", "Enter")  # nothing to send
    a.wait_for_timeout(500)
    expect(a.locator(".message")).to_have_count(0)
    assert db_call(lambda: (Message.objects.count(), _image_count())) == (0, 0)

    # The post form says it at its field too.
    fill_post(a, "help_request", "Carry a sofa", {"what": "Up two floors"})
    a.set_input_files("#field-image_ids", files=[fake])
    expect(a.locator("#field-image_ids-error")).to_have_text("holiday.jpg: The image must be a JPEG, PNG, WebP or HEIC file.")
    alice.axe("a file refused in a post form")
    assert db_call(_image_count) == 0


def test_a_french_resident_reads_the_refusal_in_french(world, page_server, visit):
    from playwright.sync_api import expect

    from backend.accounts.models import User

    db_call(lambda: User.objects.filter(email="alice@example.org").update(language="fr"))
    alice = visit(page_server(), viewport=PHONE, locale="fr-FR").log_in("alice@example.org")
    a = alice.page
    _open_room(alice, "Le quartier")
    expect(a.locator(".composer .photo-add")).to_have_text("Ajouter des photos")
    a.set_input_files(".composer input[type=file]:not([capture])", files=[{"name": "chat.jpg", "mimeType": "image/jpeg",
                                                                          "buffer": b"%PDF-1.4 pas une photo"}])
    expect(a.locator(".composer .field-error")).to_have_text(
        "chat.jpg : L'image doit être un fichier JPEG, PNG, WebP ou HEIC.")
    alice.axe("a refusal in French")


def test_expired_links_are_read_again(world, page_server, visit):
    """A page whose links have expired (its clock two hours ahead) reads the message and
    the post again (chat_history, feed_post) before opening the full image."""
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    a = alice.page
    a.set_input_files(".composer input[type=file]:not([capture])", files=[photo("bike.jpg")])
    _uploaded(a, ".composer", 1)
    a.fill(".composer textarea", "Bike for sale")
    a.press(".composer textarea", "Enter")
    expect(a.locator(".message:has-text('Bike for sale') .photos img")).to_have_count(1)

    bruno = visit(base, viewport=DESKTOP)
    bruno.page.clock.install()
    bruno.log_in("bruno@example.org")
    b = bruno.page
    expect(b.locator(".message:has-text('Bike for sale') .photos img")).to_have_count(1)
    with b.expect_request(re.compile(r"/api/v1/chat/rooms/\d+/messages/\?before=\d+&limit=1$")):
        b.clock.set_system_time(datetime.now() + timedelta(hours=2))
        b.locator(".message:has-text('Bike for sale') .photo-link").click()
    expect(b.locator("dialog.lightbox img")).to_be_visible()


def test_a_post_with_photos_deleted_by_its_author_goes_for_everyone(world, page_server, visit):
    """Her post with two photos, deleted from its card after a confirmation: gone live
    from her neighbour's room, and its photo's link refused from then on."""
    from playwright.sync_api import expect

    base = page_server()
    alice = visit(base, viewport=DESKTOP).log_in("alice@example.org")
    bruno = visit(base, viewport=PHONE).log_in("bruno@example.org")
    a, b = alice.page, bruno.page
    _open_room(bruno, "Le quartier")
    fill_post(a, "classified", "Sofa to give", {"mode": "give", "item": "A blue sofa"})
    a.set_input_files("#field-image_ids", files=[photo("sofa.jpg"), photo("sofa-side.jpg", (30, 60, 160))])
    _uploaded(a, "#post-form", 2)
    a.click("#post-form button[type=submit]")

    seen = card_in(b, "Sofa to give")
    expect(seen.locator(".photos img")).to_have_count(2)
    thumbnail = seen.locator(".photos img").first.get_attribute("src")
    assert b.request.get(base + thumbnail).status == 200
    expect(seen.get_by_role("button", name="Delete the post")).to_have_count(0)  # hers alone

    mine = card_in(a, "Sofa to give")
    mine.get_by_role("button", name="Delete the post").click()
    dialog = a.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Delete this post?")
    expect(dialog).to_contain_text("It disappears for everyone, with its photos")
    alice.axe("confirming a post's deletion")
    alice.screenshot("post-delete-confirm-desktop")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(mine).to_be_visible()  # cancelled: nothing happened
    mine.get_by_role("button", name="Delete the post").click()
    dialog.get_by_role("button", name="Delete", exact=True).click()

    expect(a.locator(".toast", has_text="The post is deleted.")).to_be_visible()
    expect(card_in(a, "Sofa to give")).to_have_count(0)
    expect(card_in(b, "Sofa to give")).to_have_count(0)  # live, on her neighbour's phone
    expect(b.locator(".message .text.muted").filter(has_text="Message deleted")).to_have_count(1)
    response = b.request.get(base + thumbnail)
    assert response.status == 404 and response.json()["code"] == "image_not_found"
    assert db_call(_image_count) == 0
    bruno.axe("a deleted post")
    bruno.screenshot("post-deleted-phone")


def _touch(visit_):
    """A phone's touch screen: the page's `(pointer: coarse)` matches, as on a phone."""
    session = visit_.context.new_cdp_session(visit_.page)
    session.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    return session


def test_on_a_phone_the_composer_offers_the_camera(world, page_server, visit):
    from playwright.sync_api import expect

    alice = visit(page_server(), viewport=PHONE)
    _touch(alice)
    alice.log_in("alice@example.org")
    a = alice.page
    _open_room(alice, "Le quartier")
    camera = a.locator(".composer input[type=file][capture=environment]")
    expect(camera).to_have_count(1)
    expect(camera).to_have_attribute("accept", "image/*")
    expect(a.locator(".composer .photo-camera")).to_have_text("Take a photo")
    expect(a.locator(".composer .photo-camera")).to_be_visible()
    # What the camera gives goes the way of any chosen photo.
    camera.set_input_files(files=[photo("camera.jpg")])
    _uploaded(a, ".composer", 1)
    alice.axe("the composer on a phone")
    alice.screenshot("photo-camera-phone")


def test_a_larger_photo_shows_its_progress_while_it_uploads(world, page_server, visit):
    from PIL import Image
    from playwright.sync_api import expect

    from tests.photos.conftest import jpeg as jpeg_of

    alice = visit(page_server(), viewport=PHONE).log_in("alice@example.org")
    a = alice.page
    _open_room(alice, "Le quartier")
    large = {"name": "garden.jpg", "mimeType": "image/jpeg",
             "buffer": jpeg_of(Image.effect_noise((1600, 1200), 80).convert("RGB"), metadata=False, quality=95)}
    assert len(large["buffer"]) > 1_000_000
    network = alice.context.new_cdp_session(a)
    network.send("Network.enable")
    network.send("Network.emulateNetworkConditions",  # about 1 MB in 4 seconds
                 {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 256 * 1024})
    a.set_input_files(".composer input[type=file]:not([capture])", files=[large])
    bar = a.locator(".composer .attached-photo progress")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("aria-label", "Uploading garden.jpg")
    a.wait_for_function("bar => bar.value > 0 && bar.value < 1", arg=bar.element_handle())
    expect(a.locator(".composer [role=status]")).to_have_text("Uploading photos…")
    alice.axe("a photo uploading")
    alice.screenshot("photo-uploading-phone")
    network.send("Network.emulateNetworkConditions",
                 {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    _uploaded(a, ".composer", 1)
    expect(a.locator(".composer [role=status]")).to_have_text("")


def test_more_photos_than_a_message_takes_are_refused_with_the_pages_message(world, page_server, visit):
    from playwright.sync_api import expect

    alice = visit(page_server(), viewport=PHONE).log_in("alice@example.org")
    a = alice.page
    _open_room(alice, "Le quartier")
    files = [photo(f"photo-{n}.jpg", (40 * n, 90, 200 - 30 * n)) for n in range(1, 6)]
    a.set_input_files(".composer input[type=file]:not([capture])", files=files)
    expect(a.locator(".composer .field-error")).to_have_text("At most 4 photos.")
    _uploaded(a, ".composer", 4)  # the first four, the fifth left out
    expect(a.locator(".composer .photo-add")).to_have_class(re.compile(r"\bdisabled\b"))
    expect(a.locator(".composer input[type=file]:not([capture])")).to_be_disabled()
    alice.axe("too many photos")
    alice.screenshot("photo-too-many-phone")
    assert db_call(_image_count) == 4
