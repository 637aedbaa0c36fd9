"""Pure rules of the feed: the kinds of post and their fields, the lifecycle, expiry.
No ORM, no clock (callers pass `now`)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from jsonschema import Draft202012Validator

from backend.chat.protocol import REGISTRY

_POST_DEFS = REGISTRY.contents("post.json")["$defs"]
KINDS: tuple[str, ...] = tuple(_POST_DEFS["kind"]["enum"])
STATUSES: tuple[str, ...] = tuple(_POST_DEFS["status"]["enum"])
DETAILS_VALIDATORS = {
    kind: Draft202012Validator({"$ref": f"post.json#/$defs/{kind}"}, registry=REGISTRY) for kind in KINDS
}

TITLE_MAX = 120
TEXT_MAX = 4000
LONGEST_LIFE = timedelta(days=90)
DEFAULT_LIFE = timedelta(days=14)

# Who may move a post from one status to another. Taking happens by choosing a
# responder; expiry by the periodic task.
TRANSITIONS: dict[str, set[str]] = {
    "open": {"closed"},
    "taken": {"done", "closed", "open"},
    "done": set(),
    "closed": set(),
    "expired": set(),
}
ANSWERABLE_KINDS = frozenset(KINDS) - {"event", "group_purchase"}
MAX_IMAGES = 6  # photos on a post
LOAN_KINDS = frozenset({"loan_offer", "loan_request"})


@dataclass(frozen=True)
class DetailsError(Exception):
    code: str
    field: str
    detail: str = ""


def _when(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise DetailsError("invalid_post_details", field, "not an ISO 8601 date and time") from exc
    if parsed.tzinfo is None:
        raise DetailsError("invalid_post_details", field, "a date and time needs its UTC offset")
    return parsed


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DetailsError("invalid_post_details", field, "not an ISO 8601 date (YYYY-MM-DD)") from exc


_DATE_TIME_FIELDS = ("when", "start", "end", "deadline")


def details_clean(kind: str, details: Any, *, now: datetime) -> dict[str, Any]:
    """The details of a post of `kind`, checked: the fields of the kind
    (frontend-contract/websocket/post.json) and the rules between them. Raises
    DetailsError with the code and the field at fault."""
    if kind not in DETAILS_VALIDATORS:
        raise DetailsError("invalid_post_details", "kind", f"one of {', '.join(KINDS)}")
    errors = sorted(DETAILS_VALIDATORS[kind].iter_errors(details), key=lambda e: list(e.path))
    if errors:
        error = errors[0]
        field = "/".join(str(part) for part in error.path) or _missing_field(error) or "details"
        raise DetailsError("invalid_post_details", field, error.message)
    day_fields = {"loan_offer": ("start", "end"), "loan_request": ("start", "end"), "lost_found": ("when",)}.get(kind, ())
    parsed = {
        field: (_day if field in day_fields else _when)(details[field], field)
        for field in _DATE_TIME_FIELDS
        if field in details
    }
    if "start" in parsed and "end" in parsed and parsed["end"] < parsed["start"]:
        raise DetailsError("end_before_start", "end")
    if kind in ("babysitting_offer", "babysitting_request", "event") and parsed["end"] == parsed["start"]:
        raise DetailsError("end_before_start", "end")
    if kind == "classified":
        if details["mode"] == "sell" and "price_cents" not in details:
            raise DetailsError("price_required", "price_cents")
        if details["mode"] == "give" and "price_cents" in details:
            raise DetailsError("price_not_for_gifts", "price_cents")
    if kind == "group_purchase":
        if details["max_quantity"] < details["min_quantity"]:
            raise DetailsError("max_below_min", "max_quantity")
        if parsed["deadline"] <= now:
            raise DetailsError("in_the_past", "deadline")
    if kind in ("help_request", "babysitting_offer", "babysitting_request", "event"):
        field = "when" if kind == "help_request" else "end"
        if parsed[field] <= now:
            raise DetailsError("in_the_past", field)
    if kind in LOAN_KINDS and parsed["end"] < now.date():
        raise DetailsError("in_the_past", "end")
    return details


def _missing_field(error: Any) -> str | None:
    if error.validator == "required":
        return error.message.split("'")[1] if "'" in error.message else None
    return None


def default_expiry(kind: str, details: dict[str, Any], *, now: datetime) -> datetime:
    """When a post stops being open if its author says nothing: the end of what it is
    about (an event, a babysitting, a loan period, a purchase deadline), else two weeks."""
    if kind in ("event", "babysitting_offer", "babysitting_request"):
        end = _when(details["end"], "end")
    elif kind == "help_request":
        end = _when(details["when"], "when")
    elif kind == "group_purchase":
        end = _when(details["deadline"], "deadline")
    elif kind in LOAN_KINDS:
        end = datetime.combine(_day(details["end"], "end") + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
    else:
        end = now + DEFAULT_LIFE
    return min(end, now + LONGEST_LIFE)


def expiry_refusal(expires_at: datetime, *, now: datetime) -> str | None:
    if expires_at <= now:
        return "in_the_past"
    if expires_at > now + LONGEST_LIFE:
        return "expiry_too_far"
    return None


def status_change_refusal(*, current: str, target: str) -> str | None:
    if target not in STATUSES:
        return "invalid_status_change"
    if target == "taken":
        return "choose_a_responder"
    if target not in TRANSITIONS[current]:
        return "invalid_status_change"
    return None


def answer_refusal(*, kind: str, status: str, is_author: bool) -> str | None:
    if is_author:
        return "own_post"
    if kind not in ANSWERABLE_KINDS:
        return "not_answerable"
    if status != "open":
        return "post_not_open"
    return None


# What the server writes in conversations, in the reader's language.
_OFFERS = frozenset({"loan_offer", "babysitting_offer", "classified", "local_producer"})
_ANSWER_TEXTS = {
    "interested": {"en": "I'm interested", "fr": "Je suis intéressé·e"},
    "help": {"en": "I can help", "fr": "Je peux aider"},
    # Lost or found: who answers a found object owns it; who answers a lost one found it.
    "found": {"en": "It's mine", "fr": "C'est à moi"},
    "lost": {"en": "I found it", "fr": "Je l'ai trouvé"},
}
_TAKEN_NOTICE = {
    "en": "“{title}” is taken: its author chose someone else. Thank you for answering!",
    "fr": "« {title} » est pris : son auteur a choisi quelqu'un d'autre. Merci d'avoir répondu !",
}


def answer_text(kind: str, language: str, *, mode: str | None = None) -> str:
    """What her answer says in the author's conversation (the page's button says the same)."""
    key = mode if kind == "lost_found" and mode in ("found", "lost") else "interested" if kind in _OFFERS else "help"
    texts = _ANSWER_TEXTS[key]
    return texts.get(language, texts["en"])


def taken_notice(title: str, language: str) -> str:
    return _TAKEN_NOTICE.get(language, _TAKEN_NOTICE["en"]).format(title=title)


# Loans


def loan_parties(kind: str, *, author_id: int, responder_id: int) -> tuple[int, int]:
    """(lender, borrower): the author lends what she offers, borrows what she asks for."""
    return (author_id, responder_id) if kind == "loan_offer" else (responder_id, author_id)


def return_due_default(details: dict[str, Any]) -> date:
    return date.fromisoformat(details["end"])


def reminder_due(*, return_due: date, today: date) -> bool:
    """The borrower is reminded the day before the return date (or at once if that day
    has already come)."""
    return today >= return_due - timedelta(days=1)


def returned_on_time(*, return_due: date, returned_on: date) -> bool:
    return returned_on <= return_due


_LOAN_REMINDER = {
    "en": "Reminder: “{item}” is to be returned by {due}.",
    "fr": "Rappel : « {item} » est à rendre au plus tard le {due}.",
}
_LOAN_RETURNED = {
    "en": "“{item}” is back with its lender. Thank you!",
    "fr": "« {item} » est bien rendu. Merci !",
}


def loan_reminder(item: str, due: date, language: str) -> str:
    return _LOAN_REMINDER.get(language, _LOAN_REMINDER["en"]).format(item=item, due=due.isoformat())


def loan_returned_notice(item: str, language: str) -> str:
    return _LOAN_RETURNED.get(language, _LOAN_RETURNED["en"]).format(item=item)


_LOAN_CANCELLED = {
    "en": "The loan of “{item}” is cancelled: the post is open again.",
    "fr": "Le prêt de « {item} » est annulé : l'annonce est de nouveau ouverte.",
}


def loan_cancelled_notice(item: str, language: str) -> str:
    return _LOAN_CANCELLED.get(language, _LOAN_CANCELLED["en"]).format(item=item)


# Group purchases


def deadline_of(details: dict[str, Any]) -> datetime:
    return _when(details["deadline"], "deadline")


def commitment_refusal(
    *, status: str, deadline: datetime, now: datetime, quantity: int, committed_by_others: int, maximum: int
) -> str | None:
    if now >= deadline:
        return "deadline_passed"
    if status != "open":
        return "post_not_open"
    if quantity < 0:
        return "invalid_quantity"
    if committed_by_others + quantity > maximum:
        return "over_maximum"
    return None


def purchase_outcome(*, committed: int, minimum: int) -> str:
    return "reached" if committed >= minimum else "not_reached"


# The map

MAX_BBOX_SPAN_DEGREES = 0.5  # about 55 km north to south: a city, not a country


def bbox_parse(raw: str) -> tuple[float, float, float, float]:
    """west,south,east,north in degrees (GeoJSON order), or DetailsError."""
    try:
        west, south, east, north = (float(part) for part in raw.split(","))
    except ValueError as exc:
        raise DetailsError("invalid_bbox", "bbox", "four numbers: west,south,east,north") from exc
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise DetailsError("invalid_bbox", "bbox", "longitudes within ±180, latitudes within ±90")
    if west >= east or south >= north:
        raise DetailsError("invalid_bbox", "bbox", "west below east and south below north")
    if east - west > MAX_BBOX_SPAN_DEGREES or north - south > MAX_BBOX_SPAN_DEGREES:
        raise DetailsError("bbox_too_large", "bbox", f"at most {MAX_BBOX_SPAN_DEGREES} degrees a side")
    return west, south, east, north


# Her data (issue 15): pushes to the other side of a loan or purchase when she leaves.
PUSH_TEXTS: dict[str, dict[str, str]] = {
    "partner_left_loan": {"en": "Loan: {item}", "fr": "Prêt : {item}"},
    "partner_left_loan_body": {
        "en": "The neighbour of this loan left Voisins; the loan stays in your conversation.",
        "fr": "Le voisin de ce prêt a quitté Voisins ; le prêt reste dans votre conversation.",
    },
    "partner_left_purchase": {"en": "Group purchase: {item}", "fr": "Achat groupé : {item}"},
    "partner_left_purchase_body": {
        "en": "A neighbour of this group purchase left Voisins; check what was paid and what is owed.",
        "fr": "Un voisin de cet achat groupé a quitté Voisins ; vérifiez ce qui a été payé et ce qui est dû.",
    },
}


# Her data (issue 15): what of a post's details stays once its author is erased. Only
# the dates, numbers and choices that the card and the rules read (a purchase's price,
# quantities and deadline; a period; sell or give), never her words (what, item, place,
# where, product, unit, products, where_to_buy) nor the children's ages. A card's
# `details` is any object (post.json#/$defs/card): the kind's required fields are for
# creation.
_KEPT_AFTER_ERASURE: dict[str, tuple[str, ...]] = {
    "help_request": ("when",),
    "loan_offer": ("start", "end"),
    "loan_request": ("start", "end"),
    "babysitting_offer": ("start", "end"),
    "babysitting_request": ("start", "end"),
    "classified": ("mode", "price_cents"),
    "event": ("start", "end"),
    "lost_found": ("mode",),
    "group_purchase": ("unit_price_cents", "min_quantity", "max_quantity", "deadline"),
    "local_producer": (),
}


def details_erased(kind: str, details: dict[str, Any]) -> dict[str, Any]:
    """The details of a post whose author is erased: none of her words."""
    return {field: details[field] for field in _KEPT_AFTER_ERASURE[kind] if field in details}
