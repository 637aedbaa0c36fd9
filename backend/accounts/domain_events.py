"""What accounts decides and the other apps react to (backend/common/domain_events.py).

Accounts imports none of the apps that hold a member's data: each erases its own part
when it hears AccountErased (a subscriber in its AppConfig.ready(), code in its own
services.py), inside the erasing transaction, so the erasure is all or nothing."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AccountErased:
    """Her account was erased at `at`. By then the user row is already a tombstone
    (display name = accounts.domain.erased_display_name(pseudonym), no email, no
    password, inactive): a listener that re-renders something of hers shows the label.
    The event carries nothing personal."""

    user_id: int
    pseudonym: str
    at: datetime
    cause: str  # "requested" (she asked) or "inactive" (backend.privacy's inactivity rule)


@dataclass(frozen=True)
class InactivityWarned:
    """Her account has been inactive so long that it will be erased on `erase_on`
    (a date, YYYY-MM-DD) unless she logs in; push listens, an email says it too."""

    user_id: int
    erase_on: str


@dataclass(frozen=True)
class SignedOut:
    """A device signed out: its API token was revoked (`auth_token_id`) or its browser
    session ended (`session_key`). Push stops pushing to the device registered with it."""

    user_id: int
    auth_token_id: int | None = None
    session_key: str = ""
