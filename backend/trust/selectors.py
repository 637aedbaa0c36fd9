"""Reads of the trust app. `neighbourhood_access` is the one question the rest of the
code asks about membership."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, Exists, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from backend.accounts.models import User
from backend.common.db import fetch_together
from backend.common.personal_data import ExportFile, Section
from backend.neighbourhoods.domain import bounding_box, snap_to_grid
from backend.neighbourhoods.models import Neighbourhood
from backend.trust import domain
from backend.trust.models import AuditEntry, LetterCode, Membership, ProofOfAddress, Vouch

VERIFIED = Membership.State.VERIFIED
PENDING = Membership.State.PENDING


@dataclass(frozen=True)
class NeighbourhoodAccess:
    is_member: bool  # a verified member
    is_moderator: bool  # one of its moderators, or staff (who moderate everywhere)
    muted_until: datetime | None = None  # moderation refuses her sends until then

    @property
    def can_read(self) -> bool:
        return self.is_member or self.is_moderator


def neighbourhood_access(*, user: User, neighbourhood_id: int) -> NeighbourhoodAccess:
    if not user.is_authenticated:
        return NeighbourhoodAccess(is_member=False, is_moderator=False)
    return access_map(user_ids={user.pk}, neighbourhood_ids={neighbourhood_id})[(user.pk, neighbourhood_id)]


def access_map(*, user_ids: set[int], neighbourhood_ids: set[int]) -> dict[tuple[int, int], NeighbourhoodAccess]:
    """`neighbourhood_access` for many people and neighbourhoods at once, in one query:
    {(user id, neighbourhood id): access}, every pair present. Staff moderate every
    neighbourhood (a row with no neighbourhood says so)."""
    rows = []
    if user_ids and neighbourhood_ids:
        [rows] = fetch_together([access_statement(user_ids=user_ids, neighbourhood_ids=neighbourhood_ids)])
    return access_from_rows(user_ids=user_ids, neighbourhood_ids=neighbourhood_ids, rows=rows)


def access_from_rows(
    *, user_ids: set[int], neighbourhood_ids: set[int], rows: list[tuple]
) -> dict[tuple[int, int], NeighbourhoodAccess]:
    """`access_map` from the rows of `access_statement`, for a caller that sent it
    together with other queries."""
    rows = _converted(rows)
    verified = {(user_id, nid): muted for user_id, nid, is_member, muted in rows if is_member}
    moderators = {(user_id, nid) for user_id, nid, is_member, _ in rows if not is_member}
    everywhere = {user_id for user_id, nid, is_member, _ in rows if nid is None}
    return {
        (user_id, nid): NeighbourhoodAccess(
            is_member=(user_id, nid) in verified,
            is_moderator=(user_id, nid) in moderators or user_id in everywhere,
            muted_until=verified.get((user_id, nid)),
        )
        for user_id in user_ids
        for nid in neighbourhood_ids
    }


def access_statement(*, user_ids: set[int], neighbourhood_ids: set[int]) -> tuple[str, list]:
    """The query of `access_map` (both sets not empty): (user, neighbourhood, verified
    member?, muted until) rows of verified memberships, named moderators, and staff (no
    neighbourhood). Written by hand because every batch of messages sent asks it: built
    by the ORM, the same UNION took 1.11 ms a call instead of 0.28 (docs/performance.md)."""
    user_ids, neighbourhood_ids = sorted(user_ids), sorted(neighbourhood_ids)
    users, places = ", ".join(["%s"] * len(user_ids)), ", ".join(["%s"] * len(neighbourhood_ids))
    sql = (
        f"SELECT user_id, neighbourhood_id, 1, muted_until FROM {Membership._meta.db_table}"
        f" WHERE user_id IN ({users}) AND neighbourhood_id IN ({places}) AND state = %s"
        f" UNION ALL SELECT user_id, neighbourhood_id, 0, NULL FROM {Neighbourhood.moderators.through._meta.db_table}"
        f" WHERE user_id IN ({users}) AND neighbourhood_id IN ({places})"
        f" UNION ALL SELECT id, NULL, 0, NULL FROM {User._meta.db_table} WHERE id IN ({users}) AND is_staff"
    )
    return sql, [*user_ids, *neighbourhood_ids, VERIFIED, *user_ids, *neighbourhood_ids, *user_ids]


def _converted(rows: list[tuple]) -> list[tuple[int, int | None, bool, datetime | None]]:
    muted_until = Membership._meta.get_field("muted_until").get_col(Membership._meta.db_table)
    # SQLite (the embedded default) returns a naive datetime: the backend's own converters make it aware.
    converters = connection.ops.get_db_converters(muted_until) + muted_until.get_db_converters(connection)
    converted = []
    for user_id, nid, is_member, muted in rows:
        for convert in converters if muted is not None else ():
            muted = convert(muted, muted_until, connection)
        converted.append((user_id, nid, bool(is_member), muted))
    return converted


def neighbourhood_readers(*, neighbourhood_id: int) -> set[int]:
    """Its audience: verified members and its named moderators (staff, who may read every
    neighbourhood, are not every neighbourhood's audience)."""
    members = Membership.objects.filter(neighbourhood_id=neighbourhood_id, state=VERIFIED).values_list("user_id", flat=True)
    moderators = Neighbourhood.moderators.through.objects.filter(neighbourhood_id=neighbourhood_id).values_list(
        "user_id", flat=True
    )
    return set(members) | set(moderators)


def fuzzed_position(*, user: User, neighbourhood: Neighbourhood) -> tuple[float, float]:
    """Where a map may place something of hers: the grid cell of her verified address,
    never the address itself; the neighbourhood's centre for a moderator living elsewhere."""
    membership = Membership.objects.filter(user=user, neighbourhood=neighbourhood, state=VERIFIED).first()
    if membership is not None:
        return snap_to_grid(membership.latitude, membership.longitude)
    south, west, north, east = bounding_box(neighbourhood.area)
    return snap_to_grid((south + north) / 2, (west + east) / 2)


def moderator_ids(*, neighbourhood_id: int) -> list[int]:
    """Who hears its moderation frames live: its moderators, and staff, who moderate every
    neighbourhood (their console keeps the frames of the one it watches)."""
    named = Neighbourhood.moderators.through.objects.filter(neighbourhood_id=neighbourhood_id).values_list("user_id")
    return sorted({user_id for (user_id,) in named.union(User.objects.filter(is_staff=True).values_list("pk"))})


def is_moderator(*, user: User, neighbourhood_id: int) -> bool:
    return user.is_authenticated and user.moderated_neighbourhoods.filter(pk=neighbourhood_id).exists()


def may_moderate(*, user: User, neighbourhood_id: int) -> bool:
    """Its moderators, and staff everywhere (a new neighbourhood has no moderator yet)."""
    return user.is_authenticated and (user.is_staff or is_moderator(user=user, neighbourhood_id=neighbourhood_id))


def banned_here(*, user_id: int, neighbourhood_id: int) -> bool:
    """Revoked (or banned) there and not reinstated since: a revocation holds."""
    return Membership.objects.filter(
        user_id=user_id, neighbourhood_id=neighbourhood_id, state=Membership.State.REVOKED
    ).exists()


def user_trust_summary(*, user: User) -> dict:
    """The membership that matters now (open first, else the latest) and the neighbourhoods moderated."""
    membership = (
        Membership.objects.filter(user=user)
        .select_related("neighbourhood")
        .order_by(Case(When(state__in=[PENDING, VERIFIED], then=0), default=1), "-applied_at")
        .first()
    )
    summary = None
    if membership is not None:
        summary = {
            "id": membership.id,
            "neighbourhood_id": membership.neighbourhood_id,
            "neighbourhood_name": membership.neighbourhood.name,
            "state": membership.state,
            "route": membership.route,
        }
    moderates = list(user.moderated_neighbourhoods.order_by("pk").values_list("pk", flat=True))
    return {"membership": summary, "moderates": moderates}


def open_membership(*, user: User) -> Membership | None:
    return Membership.objects.filter(user=user, state__in=[PENDING, VERIFIED]).first()


def membership_visible_in_full(*, user: User, membership: Membership) -> bool:
    """The applicant, the neighbourhood's moderators and staff see the whole application."""
    return membership.user_id == user.pk or may_moderate(user=user, neighbourhood_id=membership.neighbourhood_id)


def proof_file_readable(*, user: User, proof: ProofOfAddress) -> bool:
    """The applicant and whoever may review it: the neighbourhood's moderators, and
    staff, who review where a neighbourhood has no moderator yet."""
    membership = proof.membership
    return membership.user_id == user.pk or may_moderate(user=user, neighbourhood_id=membership.neighbourhood_id)


def _counting_vouch_filter(neighbourhood_id_ref) -> Exists:
    """A vouch counts while its voucher is still a verified member of the neighbourhood."""
    return Exists(
        Membership.objects.filter(user=OuterRef("voucher"), neighbourhood_id=neighbourhood_id_ref, state=VERIFIED)
    )


def counting_vouches(*, membership: Membership) -> int:
    return (
        Vouch.objects.filter(membership=membership)
        .filter(_counting_vouch_filter(membership.neighbourhood_id))
        .count()
    )


def vouches_received(*, membership: Membership) -> list[dict]:
    vouches = (
        Vouch.objects.filter(membership=membership)
        .select_related("voucher")
        .annotate(counts=_counting_vouch_filter(membership.neighbourhood_id))
        .order_by("created_at")
    )
    voucher_memberships = {
        m.user_id: m
        for m in Membership.objects.filter(
            user_id__in=[v.voucher_id for v in vouches], neighbourhood_id=membership.neighbourhood_id
        ).order_by("applied_at")
    }
    rows = []
    for vouch in vouches:
        voucher_membership = voucher_memberships.get(vouch.voucher_id)
        rows.append(
            {
                "voucher_id": vouch.voucher_id,
                "display_name": vouch.voucher.display_name,
                "voucher_membership_id": voucher_membership.id if voucher_membership else None,
                "voucher_route": voucher_membership.route if voucher_membership else None,
                "counts": vouch.counts,
                "created_at": vouch.created_at,
            }
        )
    return rows


def vouch_chain(*, membership: Membership) -> list[dict]:
    """The members this member vouched for in the neighbourhood, oldest vouch first, with
    whether his vouch was their only way in (the other vouches still counting, his
    left aside, would not verify them)."""
    voucher_id, neighbourhood_id = membership.user_id, membership.neighbourhood_id
    others = (
        Vouch.objects.filter(membership=OuterRef("membership"))
        .exclude(voucher_id=voucher_id)
        .filter(_counting_vouch_filter(neighbourhood_id))
        .values("membership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    vouches = (
        Vouch.objects.filter(voucher_id=voucher_id, membership__neighbourhood_id=neighbourhood_id)
        .select_related("membership__user")
        .annotate(other_counting=Coalesce(Subquery(others), Value(0)))
        .order_by("created_at", "pk")
    )
    return [
        {
            "membership_id": vouch.membership_id,
            "user": vouch.membership.user,
            "state": vouch.membership.state,
            "route": vouch.membership.route,
            "vouched_at": vouch.created_at,
            "only_route": domain.only_route_was(
                state=vouch.membership.state, route=vouch.membership.route,
                other_counting_vouches=vouch.other_counting, needed=settings.TRUST_VOUCHES_NEEDED,
            ),
        }
        for vouch in vouches
    ]


def audit_entries(
    *, neighbourhood_id: int | None = None, subject_id: int | None = None, actions: list[str] | None = None,
    before: datetime | None = None, limit: int = 50,
) -> list[AuditEntry]:
    """Trust decisions, newest first: of a neighbourhood (its moderators' log) or about
    one member (her own history)."""
    entries = AuditEntry.objects.select_related("actor", "subject", "neighbourhood")
    if neighbourhood_id is not None:
        entries = entries.filter(neighbourhood_id=neighbourhood_id)
    if subject_id is not None:
        entries = entries.filter(subject_id=subject_id)
    if actions:
        entries = entries.filter(action__in=actions)
    if before is not None:
        entries = entries.filter(at__lt=before)
    return list(entries.order_by("-at", "-id")[:limit])


def vouches_given(*, user: User) -> list[dict]:
    vouches = Vouch.objects.filter(voucher=user).select_related("membership__user").order_by("created_at")
    return [
        {
            "membership_id": vouch.membership_id,
            "display_name": vouch.membership.user.display_name,
            "state": vouch.membership.state,
            "created_at": vouch.created_at,
        }
        for vouch in vouches
    ]


def current_letter_code(*, membership: Membership) -> LetterCode | None:
    return membership.letter_codes.filter(replaced=False).order_by("-issued_at").first()


def member_list(*, neighbourhood: Neighbourhood) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(neighbourhood=neighbourhood, state=VERIFIED)
        .select_related("user")
        .order_by("user__display_name", "pk")
    )


def applicant_list(*, neighbourhood: Neighbourhood, viewer: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(neighbourhood=neighbourhood, state=PENDING)
        .select_related("user", "neighbourhood")
        .annotate(
            vouch_count=Count("vouches", distinct=True),
            vouched_by_viewer=Exists(Vouch.objects.filter(membership=OuterRef("pk"), voucher=viewer)),
        )
        .order_by("applied_at", "pk")
    )


def personal_data_export(user: User) -> Section:
    """Her part of trust for her data export (backend.common.personal_data): her
    applications with their addresses, proofs, decisions and reasons, the vouches she
    gave and received, and her history; other people by display name only."""
    memberships = list(
        Membership.objects.filter(user=user).select_related("neighbourhood", "decided_by").order_by("applied_at", "pk")
    )
    files = []
    rows = []
    for membership in memberships:
        proofs = []
        for proof in membership.proofs.order_by("uploaded_at", "pk"):
            proofs.append({"state": proof.state, "content_type": proof.content_type, "size": proof.size,
                           "uploaded_at": proof.uploaded_at, "reviewed_at": proof.reviewed_at, "reason": proof.reason,
                           "file": proof.file.name.rsplit("/", 1)[-1] if proof.file else None})
            if proof.file:
                files.append(ExportFile(name=f"proofs/{proof.file.name.rsplit('/', 1)[-1]}", open=proof.file.open))
        rows.append({
            "id": membership.pk, "neighbourhood": membership.neighbourhood.name, "state": membership.state,
            "route": membership.route,
            "address": {"street": membership.street, "number": membership.number, "postcode": membership.postcode,
                        "city": membership.city, "latitude": membership.latitude, "longitude": membership.longitude},
            "applied_at": membership.applied_at, "decided_at": membership.decided_at,
            "decided_by": membership.decided_by.display_name if membership.decided_by else None,
            "reason": membership.reason, "proofs": proofs,
            "vouches_received": [{"display_name": v["display_name"], "created_at": v["created_at"]}
                                 for v in vouches_received(membership=membership)],
        })
    history = AuditEntry.objects.filter(subject=user).select_related("actor", "neighbourhood").order_by("at", "pk")
    return Section(
        data={
            "memberships": rows,
            "vouches_given": [{"display_name": v["display_name"], "state": v["state"], "created_at": v["created_at"]}
                              for v in vouches_given(user=user)],
            "history": [{"at": e.at, "action": e.action, "route": e.route or None,
                         "neighbourhood": e.neighbourhood.name if e.neighbourhood else None,
                         "actor": e.actor.display_name if e.actor else None, "reason": e.reason} for e in history],
        },
        files=files,
    )
