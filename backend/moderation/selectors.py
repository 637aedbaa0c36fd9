"""Reads of moderation."""

from backend.accounts.models import User
from backend.common.errors import VoisinsError
from backend.moderation.models import Action, Appeal, Report
from backend.neighbourhoods.models import Neighbourhood
from backend.trust.selectors import is_moderator


def require_moderator(*, user: User, neighbourhood_id: int) -> None:
    """Moderators of the neighbourhood, and staff everywhere; not_moderator otherwise."""
    if not (user.is_staff or is_moderator(user=user, neighbourhood_id=neighbourhood_id)):
        raise VoisinsError("not_moderator")


def report_queue(*, viewer: User, neighbourhood_id: int, status: str = "open") -> list[Report]:
    require_moderator(user=viewer, neighbourhood_id=neighbourhood_id)
    return list(
        Report.objects.filter(neighbourhood_id=neighbourhood_id, status=status)
        .select_related("reporter", "message__author", "post__author", "member")
        .order_by("-id")[:200]
    )


def action_log(*, viewer: User, neighbourhood_id: int, before_id: int | None = None, limit: int = 50) -> list[Action]:
    require_moderator(user=viewer, neighbourhood_id=neighbourhood_id)
    actions = Action.objects.filter(neighbourhood_id=neighbourhood_id).select_related("actor", "subject")
    if before_id is not None:
        actions = actions.filter(pk__lt=before_id)
    return list(actions.order_by("-id")[:limit])


def actions_about(*, user: User) -> list[Action]:
    """What moderators decided about her, with whether she appealed."""
    return list(Action.objects.filter(subject=user).select_related("appeal_made").order_by("-id")[:100])


def open_appeals(*, viewer: User, neighbourhood_id: int) -> list[Appeal]:
    require_moderator(user=viewer, neighbourhood_id=neighbourhood_id)
    return list(
        Appeal.objects.filter(action__neighbourhood_id=neighbourhood_id, status="open").select_related("action").order_by("id")
    )


def console_neighbourhoods(*, user: User) -> list[Neighbourhood]:
    """The neighbourhoods her console shows: those she moderates; every one for staff."""
    if not user.is_authenticated:
        return []
    neighbourhoods = Neighbourhood.objects.all() if user.is_staff else user.moderated_neighbourhoods.all()
    return list(neighbourhoods.order_by("name"))
