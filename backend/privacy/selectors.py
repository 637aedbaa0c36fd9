"""Reads of her exports."""

from datetime import datetime
from typing import IO

from backend.accounts.models import User
from backend.common.errors import VoisinsError
from backend.privacy import domain
from backend.privacy.models import ExportRequest
from backend.privacy.storage import export_storage


def exports_of(*, user: User) -> list[ExportRequest]:
    """Her exports, newest first: being built, ready, or expired (an expired one is
    listed until PRIVACY_EXPIRED_EXPORTS_DAYS deletes its record)."""
    return list(ExportRequest.objects.filter(user=user).order_by("-requested_at", "-pk")[:10])


def export_of(*, user: User, export_id: int) -> ExportRequest | None:
    """Her export with this id; None for anyone else's."""
    return ExportRequest.objects.filter(user=user, pk=export_id).first()


def export_archive(*, user: User, export_id: int, now: datetime) -> tuple[ExportRequest, IO[bytes]]:
    """Her export and its archive opened for reading. not_found for anyone else's;
    VoisinsError export_not_ready while it is built, export_expired past `expires_at`
    or when the sweep deleted the file meanwhile."""
    export = export_of(user=user, export_id=export_id)
    if export is None:
        raise VoisinsError("not_found")
    refusal = domain.export_refusal(state=export.state, expires_at=export.expires_at, now=now)
    if refusal:
        raise VoisinsError(refusal)
    try:
        return export, export_storage().open(export.file_name, "rb")
    except FileNotFoundError as exc:  # the sweep expired it between the read and the open
        raise VoisinsError("export_expired") from exc
