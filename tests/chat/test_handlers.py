"""Chat carries the frames other apps register, without importing them (HANDBOOK §3;
its imports are checked in tests/test_dependencies.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.chat import handlers


def test_the_feed_and_moderation_register_their_frames():
    from backend.feed.api import post_create_frame
    from backend.moderation.selectors import watch_answer

    assert handlers.handler_for("post.create") is post_create_frame
    assert handlers.handler_for("watch") is watch_answer
    assert handlers.handler_for("message.send") is None  # chat's own


def test_a_frame_without_a_schema_in_the_contract_cannot_be_registered():
    with pytest.raises(ImproperlyConfigured):
        handlers.register("teleport", lambda user, frame: handlers.Answer({"type": "pong"}))


def test_a_frame_has_one_handler():
    with pytest.raises(ImproperlyConfigured):
        handlers.register("watch", lambda user, frame: handlers.Answer({"type": "pong"}))
