"""Organisations (municipalities, inter-municipal bodies, housing operators), what they
publish to their neighbourhoods, and the civic reports residents send them.

An organisation never reads residents' rooms: it reaches them through what it publishes
(cards in rooms, written by its `voice` account) and hears them through what they send
it (reports, answers to consultations, replies to its cards)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.chat.models import Message
from backend.cities import domain
from backend.neighbourhoods.domain import Area
from backend.neighbourhoods.models import Neighbourhood


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality"
        INTERMUNICIPAL = "intermunicipal", "Inter-municipal body"
        HOUSING_OPERATOR = "housing_operator", "Housing operator"

    name = models.CharField(max_length=60, help_text="Shown to residents as the author of what it publishes.")
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Its area: whole neighbourhoods, and residences (Residence) within others.
    neighbourhoods = models.ManyToManyField(Neighbourhood, blank=True, related_name="organisations")
    # The account its cards and answers are written by in the rooms: never logs in, reads
    # nothing, holds no membership (like Zulip's bot users). Made by organisation_create.
    voice = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="voice_of")
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    alerts_per_day = models.PositiveSmallIntegerField(
        default=domain.DEFAULT_ALERTS_PER_DAY, help_text="Area alerts it may send per 24 hours."
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class Residence(models.Model):
    """A housing operator's residence: a named polygon or circle inside a neighbourhood.
    Reports positioned inside go to its organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="residences")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    polygon = models.JSONField(null=True, blank=True, help_text="GeoJSON ring: [[longitude, latitude], …].")
    center_latitude = models.FloatField(null=True, blank=True)
    center_longitude = models.FloatField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    # Derived by services.residence_save, for an indexed pre-filter.
    min_latitude = models.FloatField(editable=False)
    min_longitude = models.FloatField(editable=False)
    max_latitude = models.FloatField(editable=False)
    max_longitude = models.FloatField(editable=False)

    def __str__(self) -> str:
        return self.name

    @property
    def area(self) -> Area:
        center = None
        if self.center_latitude is not None and self.center_longitude is not None:
            center = (self.center_latitude, self.center_longitude)
        polygon = tuple(tuple(point) for point in self.polygon) if self.polygon is not None else None
        return Area(polygon=polygon, center=center, radius_m=self.radius_m)


class Agent(models.Model):
    """Someone who acts for an organisation, under its name. Being one makes nobody a
    resident: her access to rooms is her membership's, as for anyone."""

    class Role(models.TextChoices):
        ADMIN = "admin"  # manages agents and categories, and does what agents do
        AGENT = "agent"  # publishes and handles reports

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="agents")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_of")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], condition=Q(removed_at=None),
                                    name="one_active_agent_per_organisation_and_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} for {self.organisation_id} ({self.role})"


class ReportCategory(models.Model):
    """A category an organisation adds to the standard ones; its key is `c<id>`."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=60)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "report categories"

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return domain.custom_category_key(self.pk)


class Announcement(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_id = models.CharField(max_length=64)
    title = models.CharField(max_length=domain.TITLE_MAX)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField()
    neighbourhoods = models.ManyToManyField(Neighbourhood, through="AnnouncementCard", related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "client_id"], name="unique_announcement_client_id")]


class AnnouncementCard(models.Model):
    """The announcement's card in one neighbourhood's default room."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="cards")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.SET_NULL, null=True, related_name="+")


class AreaAlert(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="alerts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_id = models.CharField(max_length=64)
    title = models.CharField(max_length=domain.TITLE_MAX)
    text = models.TextField(blank=True)
    neighbourhoods = models.ManyToManyField(Neighbourhood, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "client_id"], name="unique_alert_client_id")]
        indexes = [models.Index(fields=["organisation", "created_at"]), models.Index(fields=["expires_at"])]


class Consultation(models.Model):
    class AnswerKind(models.TextChoices):
        CHOICES = "choices"
        FREE = "free"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="consultations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_id = models.CharField(max_length=64)
    question = models.CharField(max_length=domain.TITLE_MAX)
    text = models.TextField(blank=True)
    answer_kind = models.CharField(max_length=10, choices=AnswerKind.choices)
    choices = models.JSONField(default=list, blank=True)
    closes_at = models.DateTimeField()
    created_at = models.DateTimeField()
    neighbourhoods = models.ManyToManyField(Neighbourhood, through="ConsultationCard", related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "client_id"], name="unique_consultation_client_id")
        ]


class ConsultationCard(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="cards")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.SET_NULL, null=True, related_name="+")


class ConsultationAnswer(models.Model):
    """One per resident. Who answered is kept only to refuse a second answer: the
    organisation reads aggregates, never names."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="+")
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="one_answer_per_resident")]


class CivicReport(models.Model):
    Status = models.TextChoices("Status", [(status, status) for status in domain.STATUSES])

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, related_name="+")
    # Null: no organisation covers its position yet (kept, and adopted by the first one).
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=64)
    show_name = models.BooleanField(default=False, help_text="She agreed that the organisation sees her name.")
    category = models.CharField(max_length=40, help_text="A standard key, or c<id> of a ReportCategory.")
    custom_category = models.ForeignKey(ReportCategory, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    description = models.TextField()
    # Where the problem is, chosen on a map (not her address).
    latitude = models.FloatField()
    longitude = models.FloatField()
    status = models.CharField(max_length=12, choices=Status.choices, default="received")
    reason = models.TextField(blank=True, help_text="Why it was rejected or is a duplicate.")
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assignee = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned")
    created_at = models.DateTimeField()
    # First acknowledgement, and the latest resolution (cleared when reopened): the figures.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reporter", "client_id"], name="unique_civic_report_client_id")]
        indexes = [
            models.Index(fields=["organisation", "status", "-id"]),
            models.Index(fields=["neighbourhood", "status"]),
        ]

    def __str__(self) -> str:
        return f"report {self.pk} ({self.category}, {self.status})"


class ReportSupport(models.Model):
    """“Me too”: a neighbour who has the same problem follows the report."""

    report = models.ForeignKey(CivicReport, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="one_support_per_resident")]


class ReportNote(models.Model):
    """Internal: agents of its organisation read notes; residents never do."""

    report = models.ForeignKey(CivicReport, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()


class ReportChange(models.Model):
    """Each status change, for the history residents follow and the figures."""

    report = models.ForeignKey(CivicReport, on_delete=models.CASCADE, related_name="changes")
    previous = models.CharField(max_length=12, blank=True)
    status = models.CharField(max_length=12)
    reason = models.TextField(blank=True)
    # Agents see who; residents see only whether the organisation or the reporter did it.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_reporter = models.BooleanField(default=False)
    at = models.DateTimeField()
