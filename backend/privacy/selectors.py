"""Reads of her exports."""

from backend.accounts.models import User
from backend.privacy.models import ExportRequest


def exports_of(*, user: User) -> list[ExportRequest]:
    """Her exports being built or still downloadable, newest first."""
    return list(ExportRequest.objects.filter(user=user).exclude(state=ExportRequest.State.EXPIRED)
                .order_by("-requested_at", "-pk")[:10])


def export_of(*, user: User, export_id: int) -> ExportRequest | None:
    """Her export with this id; None for anyone else's."""
    return ExportRequest.objects.filter(user=user, pk=export_id).first()
