from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from backend.chat.models import Message, Room
from backend.feed import domain
from backend.neighbourhoods.models import Neighbourhood


class Post(models.Model):
    Kind = models.TextChoices("Kind", [(kind, kind) for kind in domain.KINDS])
    Status = models.TextChoices("Status", [(status, status) for status in domain.STATUSES])

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="posts")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="posts")
    # The card message in `room`; set in the transaction that creates the post.
    message = models.OneToOneField(Message, on_delete=models.SET_NULL, null=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    client_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    title = models.CharField(max_length=domain.TITLE_MAX)
    text = models.TextField(blank=True)
    details = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default="open")
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Where the map shows it: the grid cell of the author's address (trust's
    # fuzzed_position), never the address.
    latitude = models.FloatField()
    longitude = models.FloatField()
    # Group purchases, once the deadline passed: "reached" or "not_reached".
    outcome = models.CharField(max_length=12, blank=True)
    # Removed by a moderator: out of the feed and the map, kept for the audit.
    removed_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its author: gone for everyone, its words, place and photos with it; the
    # row stays for what others keep of it (a returned loan, shares of a closed purchase).
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["author", "client_id"], name="unique_post_client_id")]
        indexes = [
            models.Index(fields=["neighbourhood", "-id"]),
            models.Index(fields=["status", "expires_at"], condition=Q(status="open"), name="open_posts_by_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.kind}, {self.status})"


class Response(models.Model):
    """Someone answered the post (“I can help”, “I'm interested”): a direct conversation
    with the author, opened by a quote of the card."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="responses")
    responder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "responder"], name="one_response_per_person")]


class Rsvp(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="one_rsvp_per_person")]


class Loan(models.Model):
    """Made when the author of a loan offer or request chooses who borrows or lends."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="loan")
    lender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loans_given")
    borrower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loans_taken")
    item = models.CharField(max_length=200)
    return_due = models.DateField()
    # The conversation of the two, where reminders and the return are written.
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["return_due"], condition=Q(returned_at=None, reminded_at=None), name="loans_to_remind")]


class Commitment(models.Model):
    """A neighbour's share of a group purchase."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="commitments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    paid = models.BooleanField(default=False)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="one_commitment_per_person")]


class Partner(models.Model):
    """A partner place or offer shown on the map of its neighbourhoods; staff manage them."""

    class Category(models.TextChoices):
        CAR_SHARING = "car_sharing", "Car sharing"
        FARM = "farm", "Community-supported farm"
        SHOP = "shop", "Shop"
        STORAGE = "storage", "Storage"
        OTHER = "other", "Other"

    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices)
    offer = models.CharField(max_length=300, blank=True, help_text="What it offers the neighbours.")
    link = models.URLField(blank=True)
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    neighbourhoods = models.ManyToManyField(Neighbourhood, related_name="partners")
    active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name
