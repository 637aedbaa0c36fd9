from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Trim

from backend.neighbourhoods.models import Neighbourhood


class Room(models.Model):
    class Kind(models.TextChoices):
        DEFAULT = "default"
        TOPIC = "topic"
        DIRECT = "direct"

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="rooms")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=80)
    # Direct conversations only: the two participants, lower user id first.
    user_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The room's sequence number: bumped by every change to the room (a message, an
    # edit, a deletion, a reaction), so a client that sees a hole knows it missed one.
    last_seq = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["neighbourhood"], condition=Q(kind="default"), name="one_default_room_per_neighbourhood"
            ),
            # A neighbourhood's rooms (its default room and its topics; direct
            # conversations aside) have distinct names, whatever their case and the
            # spaces around them (domain.room_name_key).
            models.UniqueConstraint(
                F("neighbourhood"), Lower(Trim("name")), condition=~Q(kind="direct"), name="unique_room_name"
            ),
            models.UniqueConstraint(fields=["user_a", "user_b"], name="one_direct_room_per_pair"),
            models.CheckConstraint(
                condition=Q(kind="direct", user_a__isnull=False, user_b__isnull=False)
                | (~Q(kind="direct") & Q(user_a__isnull=True, user_b__isnull=True)),
                name="direct_rooms_have_two_participants",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    # `seq`: the room sequence number when the message was posted (its place in the room).
    # `changed_seq`: the room sequence number of its latest change; catch-up reads by it.
    seq = models.BigIntegerField()
    changed_seq = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    client_id = models.CharField(max_length=64)
    text = models.TextField()
    reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    mentions = models.JSONField(default=list)
    # A post of the feed shown in the room: the card as it is now (the feed keeps it
    # current); null for a plain message.
    card = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Moderation, which keeps the text for the audit: removed by a moderator (shown as
    # deleted), or hidden after enough reports until a moderator reviews it.
    removed_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="unique_message_seq"),
            models.UniqueConstraint(fields=["author", "client_id"], name="unique_client_id_per_author"),
        ]
        indexes = [models.Index(fields=["room", "changed_seq"])]


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user", "emoji"], name="one_reaction_per_emoji")]


class ReadMarker(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    # Messages with seq <= read_seq count as read.
    read_seq = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "room"], name="one_read_marker_per_room")]
