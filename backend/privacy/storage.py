"""Where her archives live."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def export_storage() -> FileSystemStorage:
    """Archives live beside the proofs of address: private, never under a public URL."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT / "exports", base_url=None)
