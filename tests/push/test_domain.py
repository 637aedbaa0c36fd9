"""Pure rules of pushes (backend/push/domain.py), without a database."""

from backend.push import domain


def notification(**overrides):
    fields = {"room_name": "Le quartier", "author": "Alice", "body_text": "Qui a une échelle ?", "card_title": None,
              "mentioned": False, "previews": True, "language": "fr"}
    return domain.message_notification(**{**fields, **overrides})


def test_a_message_shows_its_author_room_and_text():
    assert notification() == ("Alice · Le quartier", "Qui a une échelle ?")


def test_without_previews_the_text_stays_on_the_server():
    assert notification(previews=False) == ("Alice · Le quartier", "Nouveau message")


def test_a_mention_says_so_in_her_language():
    assert notification(mentioned=True, language="en")[0] == "Alice mentioned you"


def test_a_message_of_photos_only_says_photo():
    assert notification(body_text="")[1] == "📷 Photo"
    assert notification(body_text="", previews=False)[1] == "📷 Photo"


def test_a_card_shows_its_title_and_long_texts_are_cut():
    assert notification(card_title="Prêt de tondeuse", language="en")[1] == "New post: Prêt de tondeuse"
    assert len(notification(body_text="x" * 1000)[1]) == 240
