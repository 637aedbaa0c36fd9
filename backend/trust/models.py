"""Who is a member of which neighbourhood, and why. Addresses and coordinates are
stored here and never leave this app except as a street name."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q

from backend.neighbourhoods.models import Neighbourhood


def private_storage() -> FileSystemStorage:
    # A callable, so that migrations do not record the machine's path.
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


class Membership(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        VERIFIED = "verified"
        REJECTED = "rejected"
        REVOKED = "revoked"

    class Route(models.TextChoices):
        PROOF = "proof", "Proof of address"
        VOUCH = "vouch", "Cooptation"
        LETTER = "letter", "Letter code"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, related_name="memberships")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    route = models.CharField(max_length=10, choices=Route.choices, null=True, blank=True)
    street = models.CharField(max_length=200)
    number = models.CharField(max_length=20)
    postcode = models.CharField(max_length=20)
    city = models.CharField(max_length=120)
    latitude = models.FloatField()
    longitude = models.FloatField()
    applied_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)

        # Moderation muted her here until then: her sends in the neighbourhood's rooms are
    # refused. On the membership so that the access check of every send reads it.
    muted_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state__in=["pending", "verified"]),
                name="one_open_membership_per_user",
            )
        ]
        indexes = [models.Index(fields=["neighbourhood", "state"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.neighbourhood_id} ({self.state})"


class ProofOfAddress(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"
        WITHDRAWN = "withdrawn", "Withdrawn (application decided otherwise)"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(storage=private_storage, upload_to="proofs/", blank=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    uploaded_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership"], condition=Q(state="pending"), name="one_pending_proof_per_membership"
            )
        ]


class Vouch(models.Model):
    voucher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vouches_given")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="vouches")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["voucher", "membership"], name="one_vouch_per_voucher")]
        indexes = [models.Index(fields=["voucher", "created_at"])]


class LetterCode(models.Model):
    """A one-time code posted to the applicant's address. Only a keyed hash is stored.
    Issuing a new code for the same application replaces the previous one."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="letter_codes")
    digest = models.CharField(max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    replaced = models.BooleanField(default=False)


class AuditEntry(models.Model):
    """Append-only: written by trust services, never updated. Read by the neighbourhood's
    moderators beside the moderation log, by staff, and by its subject (her history)."""

    class Action(models.TextChoices):
        APPLY = "apply"
        PROOF_UPLOAD = "proof_upload"
        APPROVE = "approve"
        REJECT = "reject"
        VOUCH = "vouch"
        VERIFY = "verify"
        CODE_ISSUED = "code_issued"
        CODE_FAILED = "code_failed"
        CODE_USED = "code_used"
        REVOKE = "revoke"
        REINSTATE = "reinstate"
        CHAIN_REVERIFY = "chain_reverify"  # back to pending: her only voucher was revoked
        MODERATOR_REMOVED = "moderator_removed"  # no longer a verified member there

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    route = models.CharField(max_length=10, choices=Membership.Route.choices, blank=True)
    membership = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="audit_entries")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.SET_NULL, null=True, related_name="+")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
