"""Server frames as the contract (frontend-contract/websocket/server/) defines them,
built from models. The same message dicts serve REST history and socket frames."""

from typing import Any

from backend.accounts.models import User
from backend.chat import domain, selectors
from backend.chat.models import Message, Room


def person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "display_name": user.display_name}


def _quoted(message: Message) -> dict[str, Any]:
    deleted = message.deleted_at is not None
    return {
        "id": message.pk,
        "seq": message.seq,
        "author": person(message.author),
        "text": "" if deleted else message.text,
        "deleted": deleted,
    }


def message_body(message: Message, reactions: list[tuple[str, int]]) -> dict[str, Any]:
    deleted = message.deleted_at is not None
    return {
        "id": message.pk,
        "room_id": message.room_id,
        "seq": message.seq,
        "changed_seq": message.changed_seq,
        "author": person(message.author),
        "text": "" if deleted else message.text,
        "reply_to": _quoted(message.reply_to) if message.reply_to_id and message.reply_to else None,
        "mentions": message.mentions,
        "card": message.card,
        "reactions": [] if deleted else domain.reactions_summary(reactions),
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": deleted,
    }


def messages_body(messages: list[Message]) -> list[dict[str, Any]]:
    reactions = selectors.reactions_of(message_ids=[m.pk for m in messages])
    return [message_body(m, reactions.get(m.pk, [])) for m in messages]


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
