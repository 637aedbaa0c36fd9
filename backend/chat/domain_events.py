"""What chat decides and others react to (backend/common/domain_events.py): push
listens to these instead of being called."""

from dataclasses import dataclass
from datetime import datetime

from backend.chat.models import Message, Room


@dataclass(frozen=True)
class MessagesPosted:
    """A stored batch of new messages, of one room or several, in the transaction that
    stores them: (room, its new messages in order) for each room."""

    rooms: list[tuple[Room, list[Message]]]


@dataclass(frozen=True)
class ReadMarked:
    """Her read marker of a room moved forward to `seq`."""

    user_id: int
    room_id: int
    seq: int


@dataclass(frozen=True)
class CardMessageDeleted:
    """Its author deleted a message that carried a card (message_delete), in the
    transaction that deletes it: the feed deletes the post whose card it is, or refuses
    (a VoisinsError), and the message stays."""

    message_id: int
    author_id: int
    at: datetime
