from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.accounts.models import DeviceToken
from backend.chat.models import Room


class Device(models.Model):
    """A phone or browser that receives pushes: its FCM registration token. One row per
    token: a token seen again under another user moves to her."""

    class Platform(models.TextChoices):
        ANDROID = "android"
        IOS = "ios"
        WEB = "web"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_devices")
    token = models.CharField(max_length=4096, unique=True)
    platform = models.CharField(max_length=10, choices=Platform.choices)
    app_version = models.CharField(max_length=40, blank=True)
    # How the device is signed in, so that logging out stops its pushes.
    auth_token = models.ForeignKey(DeviceToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    session_key = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)
    # Why it stopped: "logout", "unregistered", "invalid", "sender_id_mismatch".
    deactivated_reason = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user"], condition=Q(active=True), name="active_devices_by_user")]


class Preferences(models.Model):
    """What a user wants pushed. Her language is the account's (accounts.User.language)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_preferences")
    time_zone = models.CharField(max_length=64, default="Europe/Paris")
    # Quiet hours in her time zone: [start, end), across midnight when start > end;
    # none when either is empty.
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    previews = models.BooleanField(default=True, help_text="Show the message text in notifications.")
    muted_kinds = models.JSONField(default=list, blank=True, help_text="Kinds of post she gets no push for.")


class RoomMute(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField(null=True, blank=True, help_text="Empty: for good.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "room"], name="one_mute_per_room")]


class Delivery(models.Model):
    """One push of one event to one device: the record that makes a rerun of a task
    send nothing it already confirmed. A worker that dies mid-send leaves rows CLAIMED
    under its task's id; the task's next attempt sends them again (at-least-once, under
    the same collapse id: see backend.push.services._deliver)."""

    class State(models.TextChoices):
        CLAIMED = "claimed"  # being sent: a worker that died here may or may not have sent it
        SENT = "sent"
        RETRY = "retry"  # to send again after a transient error
        FAILED = "failed"
        DROPPED = "dropped"  # the device is gone (unregistered, invalid token)
        # Claimed by a task attempt whose worker died, and no longer due when the task ran
        # again (she read the room meanwhile): never sent.
        SKIPPED = "skipped"

    event = models.CharField(max_length=120)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices)
    # The FCM message without its token, to send it again on retry.
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "device"], name="one_delivery_per_event_and_device")]
        indexes = [models.Index(fields=["claim"])]
