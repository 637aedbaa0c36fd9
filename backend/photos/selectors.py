"""Reads of photos."""

from collections.abc import Iterable
from functools import partial

from django.core.files.storage import storages

from backend.accounts.models import User
from backend.common.personal_data import ExportFile, Section
from backend.photos import attachments, domain
from backend.photos.models import Image
from backend.trust.models import Membership


def images_of(*, kind: str, object_ids: Iterable[int]) -> dict[int, list[Image]]:
    """The images attached to each object of `kind`, in their order; one query."""
    ids = set(object_ids)
    found: dict[int, list[Image]] = {object_id: [] for object_id in ids}
    if not ids:
        return found
    rows = Image.objects.filter(attached_kind=kind, attached_id__in=ids).order_by("attached_id", "position", "pk")
    for image in rows:
        found[image.attached_id].append(image)
    return found


def may_upload(*, user: User) -> bool:
    """Those who can post anywhere: verified members, moderators, staff, and whom another
    app registers (attachments.register_uploader)."""
    return (
        user.is_staff
        or Membership.objects.filter(user=user, state=Membership.State.VERIFIED).exists()
        or user.moderated_neighbourhoods.exists()
        or attachments.may_upload_by_rule(user)
    )


def image_for_reader(*, user: User, image_id: int) -> Image | None:
    """The image if she may see it now: her own upload not attached yet, or the images
    of something she may see (attachments.may_see); None otherwise."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return None
    if not image.attached_kind:
        return image if image.owner_id == user.pk else None
    return image if attachments.may_see(user=user, kind=image.attached_kind, object_id=image.attached_id) else None


def attach_refusals(*, kind: str, wanted: list[tuple[int, list[int]]]) -> list[str | None]:
    """For many (owner id, image ids) at once, in one query, what `images_attach` would
    refuse (too_many_images, image_not_found, image_already_attached) or None: lets a
    batch of messages refuse one of them alone. `images_attach` checks again, locked."""
    asked = {image_id for _, image_ids in wanted for image_id in image_ids}
    rows = {
        pk: (owner_id, attached_kind)
        for pk, owner_id, attached_kind in Image.objects.filter(pk__in=asked).values_list("pk", "owner_id", "attached_kind")
    } if asked else {}
    refusals = []
    for owner_id, image_ids in wanted:
        ids = list(dict.fromkeys(image_ids))
        mine = {pk: row for pk, row in rows.items() if pk in ids and row[0] == owner_id}
        refusals.append(domain.attach_refusal(
            asked=ids, limit=attachments.limit_of(kind),
            owned_free={pk for pk, (_, attached) in mine.items() if not attached},
            owned_attached={pk for pk, (_, attached) in mine.items() if attached},
        ) if ids else None)
    return refusals


def personal_data_export(user: User) -> Section:
    """Her photos for her data export (backend.common.personal_data): each image she
    uploaded, as stored (re-encoded, without metadata), with what it is attached to."""
    storage = storages["photos"]
    images = list(Image.objects.filter(owner=user).order_by("created_at", "pk"))
    return Section(
        data=[{"file": image.name.rsplit("/", 1)[-1], "content_type": image.content_type, "width": image.width,
               "height": image.height, "attached_to": image.attached_kind or None, "attached_id": image.attached_id,
               "created_at": image.created_at} for image in images],
        files=[ExportFile(name=image.name.rsplit("/", 1)[-1], open=partial(storage.open, image.name, "rb"))
               for image in images],
    )
