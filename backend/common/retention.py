"""Every retention rule of Voisins, gathered from the apps that own them (issue 15).
`common` knows no app: an app registers its rules here in its AppConfig.ready() (the way
backend/common/personal_data.py gathers exporters), each rule in its own module
(backend/<app>/retention.py). The periodic task backend.privacy.tasks.retention_sweep
applies the rules that have an `apply`; the others are applied where they live (named
in `applied_by`). The data page (/data/), the API (privacy_retention) and
frontend-contract/README.md show this same table: nothing else is deleted on a timer.

A rule's `what` is read by people: gettext_lazy, translated in the data page's
catalogue (backend/privacy/locale)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

SWEEP = "backend.privacy.tasks.retention_sweep"


@dataclass(frozen=True)
class Rule:
    key: str
    what: str
    kept: timedelta
    setting: str  # the setting (or constant) that says how long; empty: none
    applied_by: str
    apply: Callable[[datetime], int] | None = None  # given it, the sweep applies it and it returns what it deleted


# Each app's rules, made when asked: their periods are read from the settings then.
_sources: list[Callable[[], list[Rule]]] = []


def register(source: Callable[[], list[Rule]]) -> None:
    if source not in _sources:
        _sources.append(source)


def rules() -> list[Rule]:
    """Every rule, in the order of INSTALLED_APPS (the order in which apps register)."""
    return [rule for source in _sources for rule in source()]
