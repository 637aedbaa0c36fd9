"""Server frames as the contract (frontend-contract/websocket/server/) defines them,
built from models. The same message dicts serve REST history and socket frames."""

from typing import Any

from backend.accounts.models import User
from backend.chat import domain, selectors
from backend.chat.models import Message, Room
from backend.photos import frames as photo_frames
from backend.photos import selectors as photo_selectors


def person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "display_name": user.display_name}


def _shown(message: Message, full: bool) -> tuple[bool, bool, bool, bool]:
    """(deleted, removed, hidden, text shown) as one reader sees a message: `full` for
    the moderators of its neighbourhood, who still read what they removed or what
    reports hid; an author's own deletion takes the text for everyone."""
    removed = message.removed_at is not None
    hidden = message.hidden_at is not None and not removed
    deleted = message.deleted_at is not None or removed
    shown = message.deleted_at is None and (full or not (removed or hidden))
    return deleted, removed, hidden, shown


def _quoted(message: Message, full: bool = False) -> dict[str, Any]:
    deleted, _, hidden, shown = _shown(message, full)
    return {
        "id": message.pk,
        "seq": message.seq,
        "author": person(message.author),
        "text": message.text if shown else "",
        "deleted": deleted,
    }


def images_of(message: Message) -> list[dict[str, Any]]:
    """Its photos as image objects (backend.photos), with fresh links."""
    return photo_frames.image_bodies(photo_selectors.images_of(kind="message", object_ids=[message.pk])[message.pk])


def _card(card: dict[str, Any]) -> dict[str, Any]:
    """A stored card, its photos' links (if it has photos) made valid now: stored links expire."""
    return {**card, "images": photo_frames.refreshed(card["images"])} if card.get("images") else card


def message_body(
    message: Message, reactions: list[tuple[str, int]], *, full: bool = False, images: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """`images`: its photos as image objects (images_of), shown as its text is."""
    deleted, removed, hidden, shown = _shown(message, full)
    return {
        "id": message.pk,
        "room_id": message.room_id,
        "seq": message.seq,
        "changed_seq": message.changed_seq,
        "author": person(message.author),
        "text": message.text if shown else "",
        "reply_to": _quoted(message.reply_to, full) if message.reply_to_id and message.reply_to else None,
        "mentions": message.mentions,
        "card": _card(message.card) if shown and message.card else None,
        "images": (images or []) if shown else [],
        "reactions": domain.reactions_summary(reactions) if shown else [],
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": deleted,
        "removed": removed,
        "hidden": hidden,
    }


def messages_body(messages: list[Message], *, full: bool = False) -> list[dict[str, Any]]:
    reactions = selectors.reactions_of(message_ids=[m.pk for m in messages])
    images = photo_selectors.images_of(kind="message", object_ids=[m.pk for m in messages])
    return [
        message_body(m, reactions.get(m.pk, []), full=full, images=photo_frames.image_bodies(images[m.pk]))
        for m in messages
    ]


def room_body(room: Room, *, unread: int) -> dict[str, Any]:
    participants = [person(room.user_a), person(room.user_b)] if room.kind == Room.Kind.DIRECT else []
    return {
        "id": room.pk,
        "neighbourhood_id": room.neighbourhood_id,
        "kind": room.kind,
        "name": room.name,
        "participants": participants,
        "last_seq": room.last_seq,
        "unread": unread,
    }


def error(code: str, message: str, *, ref: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, "ref": ref, **extra}
