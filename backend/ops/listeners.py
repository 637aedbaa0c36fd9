"""What the ops app counts from the other apps' domain events (subscribed in
OpsConfig.ready)."""

from django.db import transaction

from backend.chat.domain_events import MessagesPosted
from backend.common import metrics


def messages_posted(event: MessagesPosted) -> None:
    # Counted once committed: a batch that rolls back stored nothing.
    count = sum(len(messages) for _, messages in event.rooms)
    transaction.on_commit(lambda: metrics.MESSAGES_STORED.inc(count))
