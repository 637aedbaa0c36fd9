from django.conf import settings
from django.db import models
from django.db.models import Q


class ExportRequest(models.Model):
    """Her request for her data, and the archive the worker built for it: a zip in the
    private `exports` directory (backend.privacy.services.export_storage), downloadable
    by her only, until `expires_at`."""

    class State(models.TextChoices):
        BUILDING = "building"
        READY = "ready"
        EXPIRED = "expired"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.BUILDING)
    requested_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(state="building"), name="one_export_building_per_user")
        ]
        indexes = [models.Index(fields=["expires_at"], condition=Q(state="ready"), name="ready_exports_by_expiry")]


class Erasure(models.Model):
    """The record that an account was erased, and why: nothing about her but the
    pseudonym her tombstone shows (accounts.User.pseudonym)."""

    class Cause(models.TextChoices):
        REQUESTED = "requested"  # she asked (auth_me_erase)
        INACTIVE = "inactive"  # inactive for PRIVACY_INACTIVE_ACCOUNT_DAYS, warned, did not come back

    pseudonym = models.CharField(max_length=16)
    cause = models.CharField(max_length=10, choices=Cause.choices)
    at = models.DateTimeField()


class RetentionRun(models.Model):
    """What each retention rule deleted, each time it ran: nothing is deleted silently."""

    rule = models.CharField(max_length=40)
    at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField()
