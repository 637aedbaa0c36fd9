"""access_map against the ORM's own answer, pair by pair: tests/trust/test_selectors.py
runs it on PostgreSQL, tests/test_sqlite.py in a process of its own on SQLite (the
embedded default)."""

from backend.accounts.models import User
from backend.neighbourhoods.models import Neighbourhood
from backend.trust.models import Membership
from backend.trust.selectors import NeighbourhoodAccess, access_map


def mismatches(user_ids: set[int], neighbourhood_ids: set[int]) -> list[str]:
    found = access_map(user_ids=user_ids, neighbourhood_ids=neighbourhood_ids)
    wrong = []
    for user in User.objects.filter(pk__in=user_ids):
        for neighbourhood_id in neighbourhood_ids:
            membership = Membership.objects.filter(
                user=user, neighbourhood_id=neighbourhood_id, state=Membership.State.VERIFIED
            ).first()
            expected = NeighbourhoodAccess(
                is_member=membership is not None,
                is_moderator=user.is_staff or Neighbourhood.objects.filter(pk=neighbourhood_id, moderators=user).exists(),
                muted_until=membership.muted_until if membership else None,
            )
            if found[(user.pk, neighbourhood_id)] != expected:
                wrong.append(f"{user.pk}/{neighbourhood_id}: {found[(user.pk, neighbourhood_id)]} != {expected}")
    return wrong
