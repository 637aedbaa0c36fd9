"""Photos as stored: re-encoded without metadata, in the `photos` storage (a private
directory, or an S3 bucket), never under a public URL."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Image(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Her id for the upload: sending it again returns the first image.
    client_id = models.CharField(max_length=64)
    # Names in the `photos` storage of the image (at most PHOTOS_LONG_SIDE px on its long
    # side) and of its thumbnail; both of `content_type`.
    name = models.CharField(max_length=120)
    thumbnail_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    thumbnail_width = models.PositiveIntegerField()
    thumbnail_height = models.PositiveIntegerField()
    placeholder = models.CharField(max_length=7, help_text="Its average colour, #rrggbb.")
    size = models.PositiveIntegerField(help_text="Bytes stored, image and thumbnail.")
    created_at = models.DateTimeField()
    # What it is attached to: a kind another app registered (backend/photos/attachments.py)
    # and the id of its object; empty until attached. An image attaches once.
    attached_kind = models.CharField(max_length=20, blank=True)
    attached_id = models.BigIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    attached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "client_id"], name="unique_image_client_id"),
            models.CheckConstraint(
                condition=Q(attached_kind="", attached_id=None) | (~Q(attached_kind="") & Q(attached_id__isnull=False)),
                name="image_attached_to_one_thing",
            ),
        ]
        indexes = [
            models.Index(fields=["attached_kind", "attached_id", "position"], name="images_of_an_object"),
            models.Index(fields=["created_at"], condition=Q(attached_kind=""), name="unattached_images"),
        ]

    def __str__(self) -> str:
        return f"image {self.pk} ({self.attached_kind or 'unattached'})"
