"""What images attach to (HANDBOOK §3: photos is a base app, like trust; it imports
none of the apps that show images, they register here).

An app that shows images on its objects registers, from its AppConfig.ready(), a kind
("post", "message"), how many images one object takes, and rules saying whether a
person may see the images of one object now. Any rule of the kind may grant it: the
feed says who reads a post, moderation adds the moderators who review a report."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

from backend.accounts.models import User

Rule = Callable[[User, int], bool]


@dataclass
class Kind:
    limit: int | None = None  # images one object takes; None until the app that owns the kind says
    rules: list[Rule] = field(default_factory=list)
    # Objects published for an organisation (an announcement) are its record: their
    # images stay when the agent who uploaded them erases her account.
    outlives_uploader: bool = False


_kinds: dict[str, Kind] = {}


def register(kind: str, *, rule: Rule, limit: int | None = None, outlives_uploader: bool = False) -> None:
    """Adds a rule to `kind`; the app that owns the kind gives its `limit` (and whether
    its images outlive their uploader's account) too. Only a kind with a limit takes
    images."""
    declared = _kinds.setdefault(kind, Kind())
    declared.outlives_uploader = declared.outlives_uploader or outlives_uploader
    if limit is not None:
        if declared.limit not in (None, limit):
            raise ImproperlyConfigured(f"images of {kind!r} are already limited to {declared.limit}")
        declared.limit = limit
    if rule not in declared.rules:
        declared.rules.append(rule)


def limit_of(kind: str) -> int:
    declared = _kinds.get(kind)
    if declared is None or declared.limit is None:
        raise ImproperlyConfigured(f"no kind {kind!r} takes images")
    return declared.limit


def kinds_outliving_uploader() -> list[str]:
    return [name for name, declared in _kinds.items() if declared.outlives_uploader]


def may_see(*, user: User, kind: str, object_id: int) -> bool:
    declared = _kinds.get(kind)
    return declared is not None and any(rule(user, object_id) for rule in declared.rules)


# Who may upload beyond residents, moderators and staff: apps whose people post images
# without living anywhere (an organisation's agents) register a rule.
UploaderRule = Callable[[User], bool]
_uploader_rules: list[UploaderRule] = []


def register_uploader(rule: UploaderRule) -> None:
    if rule not in _uploader_rules:
        _uploader_rules.append(rule)


def may_upload_by_rule(user: User) -> bool:
    return any(rule(user) for rule in _uploader_rules)
