from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.chat.models import Message
from backend.feed.models import Post
from backend.neighbourhoods.models import Neighbourhood


class Report(models.Model):
    """A member's report of a message, a post or a member. One per reporter and thing:
    reporting it again changes nothing."""

    class Category(models.TextChoices):
        SPAM = "spam"
        HARASSMENT = "harassment"
        DANGEROUS = "dangerous"
        OTHER = "other"

    class Status(models.TextChoices):
        OPEN = "open"
        UPHELD = "upheld"  # a moderator acted on it
        DISMISSED = "dismissed"

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reports_received"
    )
    category = models.CharField(max_length=12, choices=Category.choices)
    text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(message__isnull=False) & Q(post__isnull=True) & Q(member__isnull=True))
                | (Q(message__isnull=True) & Q(post__isnull=False) & Q(member__isnull=True))
                | (Q(message__isnull=True) & Q(post__isnull=True) & Q(member__isnull=False)),
                name="report_has_one_target",
            ),
            models.UniqueConstraint(fields=["reporter", "message"], condition=Q(message__isnull=False), name="one_report_per_message"),
            models.UniqueConstraint(fields=["reporter", "post"], condition=Q(post__isnull=False), name="one_report_per_post"),
            models.UniqueConstraint(fields=["reporter", "member"], condition=Q(member__isnull=False), name="one_report_per_member"),
        ]
        indexes = [models.Index(fields=["neighbourhood", "status", "-id"])]


class Action(models.Model):
    """The moderation audit log: append-only (services only insert; the admin is
    read-only). Every action has a reason."""

    class Kind(models.TextChoices):
        REMOVE = "remove"
        RESTORE = "restore"
        MUTE = "mute"
        BAN = "ban"
        # A revocation through trust: kept here so that she can appeal it as a ban.
        REVOKE = "revoke"
        DISMISS = "dismiss"  # reports reviewed, nothing wrong
        APPEAL_GRANTED = "appeal_granted"
        APPEAL_DENIED = "appeal_denied"

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="moderation_actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Who it concerns, and what.
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    until = models.DateTimeField(null=True, blank=True, help_text="Mutes: when it ends.")
    reason = models.TextField()
    # The appeal an appeal decision answers.
    appeal = models.ForeignKey("Appeal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["neighbourhood", "-at"])]


class Appeal(models.Model):
    """The member concerned contests an action, once; another moderator or staff decides."""

    class Status(models.TextChoices):
        OPEN = "open"
        GRANTED = "granted"
        DENIED = "denied"

    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="appeal_made")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
