from django.conf import settings
from django.db import models

from backend.neighbourhoods.domain import Area


class Neighbourhood(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. FR.")
    locale = models.CharField(max_length=10, default="fr-FR", help_text="e.g. fr-FR.")
    polygon = models.JSONField(
        null=True, blank=True, help_text="GeoJSON ring: [[longitude, latitude], …]. Leave empty for a circle."
    )
    center_latitude = models.FloatField(null=True, blank=True)
    center_longitude = models.FloatField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True, help_text="Radius in metres, for a circle.")
    # Derived from the area by services.neighbourhood_save, for an indexed pre-filter.
    min_latitude = models.FloatField(editable=False)
    min_longitude = models.FloatField(editable=False)
    max_latitude = models.FloatField(editable=False)
    max_longitude = models.FloatField(editable=False)
    moderators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="moderated_neighbourhoods")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["min_latitude", "max_latitude", "min_longitude", "max_longitude"])]

    def __str__(self) -> str:
        return self.name

    @property
    def area(self) -> Area:
        center = None
        if self.center_latitude is not None and self.center_longitude is not None:
            center = (self.center_latitude, self.center_longitude)
        polygon = tuple(tuple(point) for point in self.polygon) if self.polygon is not None else None
        return Area(polygon=polygon, center=center, radius_m=self.radius_m)
