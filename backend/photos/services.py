"""The only place that stores, attaches and deletes photos. Files go through Django's
storage API (`storages["photos"]`: a private directory by default, S3 when configured);
a refused upload stores nothing, and files are deleted once their rows' deletion commits."""

import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.domain_events import AccountErased
from backend.accounts.models import User
from backend.common import ratelimit
from backend.common.errors import VoisinsError
from backend.photos import attachments, domain, processing, selectors
from backend.photos.models import Image

_EXTENSIONS = {"image/jpeg": "jpg", "image/webp": "webp"}
_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


def photo_storage() -> Storage:
    return storages["photos"]


def _processing_slots() -> threading.BoundedSemaphore:
    """At most PHOTOS_PROCESSING_SLOTS photos decode at once in a process: each takes
    tens of megabytes while it does."""
    global _slots
    with _slots_lock:
        if _slots is None or _slots[0] != settings.PHOTOS_PROCESSING_SLOTS:
            _slots = (settings.PHOTOS_PROCESSING_SLOTS, threading.BoundedSemaphore(settings.PHOTOS_PROCESSING_SLOTS))
        return _slots[1]


@dataclass(frozen=True)
class Uploaded:
    image: Image
    created: bool  # False when the client id was already used: the first image, unchanged


def image_upload(*, owner: User, upload: UploadedFile, client_id: str) -> Uploaded:
    """Checks, processes and stores a photo. Resending the same client id returns the
    first image and stores nothing. Refusals (each a VoisinsError) store nothing."""
    existing = Image.objects.filter(owner=owner, client_id=client_id).first()
    if existing is not None:
        return Uploaded(existing, created=False)
    if not selectors.may_upload(user=owner):
        raise VoisinsError("not_member")
    limit, now = ratelimit.RateLimit("photo-uploads", domain.UPLOADS_PER_WINDOW, domain.UPLOAD_WINDOW_SECONDS), time.time()
    if not ratelimit.allowed(limit, str(owner.pk), now, 1):
        raise VoisinsError("rate_limited", retry_after=limit.retry_after(now))
    upload.seek(0)
    source_type = processing.sniff(upload.read(2048))
    refusal = domain.upload_refusal(size=upload.size, content_type=source_type, max_bytes=settings.PHOTOS_MAX_BYTES)
    if refusal:
        raise VoisinsError(refusal, **({"max_mb": settings.PHOTOS_MAX_BYTES // (1024 * 1024)}
                                       if refusal == "image_too_large" else {}))
    upload.seek(0)
    slots = _processing_slots()
    if not slots.acquire(timeout=settings.PHOTOS_PROCESSING_WAIT_SECONDS):
        raise VoisinsError("server_busy", retry_after=settings.SERVER_BUSY_RETRY_AFTER)
    try:
        processed = processing.process(
            upload, source_type=source_type, max_pixels=settings.PHOTOS_MAX_PIXELS,
            long_side=settings.PHOTOS_LONG_SIDE, thumbnail_side=settings.PHOTOS_THUMBNAIL_SIDE,
        )
    except processing.Refused as exc:
        params = {"max_megapixels": settings.PHOTOS_MAX_PIXELS // 1_000_000} if exc.code == "image_too_many_pixels" else {}
        raise VoisinsError(exc.code, **params) from exc
    finally:
        slots.release()
    return _store(owner, client_id, processed)


def _store(owner: User, client_id: str, processed: processing.Processed) -> Uploaded:
    storage = photo_storage()
    stem, extension = uuid.uuid4().hex, _EXTENSIONS[processed.content_type]
    names = [
        storage.save(f"photos/{stem}.{extension}", ContentFile(processed.full.data)),
        storage.save(f"photos/{stem}-thumbnail.{extension}", ContentFile(processed.thumbnail.data)),
    ]
    try:
        with transaction.atomic():
            image = Image.objects.create(
                owner=owner, client_id=client_id, name=names[0], thumbnail_name=names[1],
                content_type=processed.content_type, width=processed.full.width, height=processed.full.height,
                thumbnail_width=processed.thumbnail.width, thumbnail_height=processed.thumbnail.height,
                placeholder=processed.placeholder, size=len(processed.full.data) + len(processed.thumbnail.data),
                created_at=timezone.now(),
            )
    except IntegrityError:  # the same client id at once from two devices
        _delete_files(names)
        return Uploaded(Image.objects.get(owner=owner, client_id=client_id), created=False)
    except BaseException:
        _delete_files(names)
        raise
    return Uploaded(image, created=True)


def images_attach(*, owner: User, image_ids: Sequence[int], kind: str, object_id: int) -> list[Image]:
    """Attaches her uploaded images, in the order given, to an object of `kind` (in the
    caller's transaction, which creates the object). Refused with too_many_images,
    image_not_found (not hers, or gone) or image_already_attached; nothing changes then."""
    asked = list(dict.fromkeys(image_ids))
    if not asked:
        return []
    limit = attachments.limit_of(kind)
    if len(asked) > limit:
        raise VoisinsError("too_many_images", max=limit)
    with transaction.atomic():
        images = {image.pk: image for image in Image.objects.select_for_update().filter(pk__in=asked, owner=owner)}
        refusal = domain.attach_refusal(
            asked=asked, limit=limit,
            owned_free={pk for pk, image in images.items() if not image.attached_kind},
            owned_attached={pk for pk, image in images.items() if image.attached_kind},
        )
        if refusal:
            raise VoisinsError(refusal, **({"max": limit} if refusal == "too_many_images" else {}))
        now = timezone.now()
        ordered = [images[pk] for pk in asked]
        for position, image in enumerate(ordered):
            image.attached_kind, image.attached_id, image.position, image.attached_at = kind, object_id, position, now
        Image.objects.bulk_update(ordered, ["attached_kind", "attached_id", "position", "attached_at"])
    return ordered


def images_delete(*, kind: str, object_ids: Iterable[int]) -> int:
    """Deletes the images of these objects (deleted ones); their files go once this commits."""
    images = list(Image.objects.filter(attached_kind=kind, attached_id__in=list(object_ids)))
    return _delete(images)


def _delete(images: list[Image]) -> int:
    if not images:
        return 0
    Image.objects.filter(pk__in=[image.pk for image in images]).delete()
    names = [name for image in images for name in (image.name, image.thumbnail_name)]
    transaction.on_commit(lambda: _delete_files(names))
    return len(images)


def _delete_files(names: list[str]) -> None:
    storage = photo_storage()
    for name in names:
        storage.delete(name)


def images_sweep(*, now: datetime) -> int:
    """Deletes the images uploaded more than PHOTOS_UNATTACHED_SECONDS ago and never
    attached."""
    cutoff = now - settings.PHOTOS_UNATTACHED_TTL
    deleted = 0
    while True:
        with transaction.atomic():
            images = list(
                Image.objects.select_for_update(skip_locked=True).filter(attached_kind="", created_at__lt=cutoff)[:200]
            )
            if not images:
                return deleted
            deleted += _delete(images)


def account_erased(event: AccountErased) -> None:
    """Her photos when her account is erased (subscriber of AccountErased, in the
    erasing transaction): every image she uploaded goes, its files once this commits,
    but those of what she published for an organisation (its record, not hers)."""
    _delete(list(Image.objects.select_for_update().filter(owner_id=event.user_id).exclude(
        attached_kind__in=attachments.kinds_outliving_uploader())))
