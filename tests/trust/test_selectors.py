from datetime import timedelta

import pytest
from django.utils import timezone

from backend.trust.models import Membership
from backend.trust.selectors import neighbourhood_access, user_trust_summary
from tests.conftest import make_membership, make_user
from tests.trust.access_check import mismatches

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role, is_member, is_moderator",
    [
        ("applicant", False, False),
        ("outsider", False, False),
        ("member", True, False),
        ("moderator", False, True),
        ("staff", False, True),  # staff moderate everywhere
    ],
)
def test_the_one_question_other_apps_ask(request, saint_malo, role, is_member, is_moderator):
    user = request.getfixturevalue(role)
    access = neighbourhood_access(user=user, neighbourhood_id=saint_malo.id)
    assert (access.is_member, access.is_moderator, access.can_read) == (is_member, is_moderator, is_member or is_moderator)


def test_access_map_answers_as_the_orm_for_every_pair(saint_malo, dinard, member, moderator, staff, applicant):
    Membership.objects.filter(user=member, neighbourhood=saint_malo).update(muted_until=timezone.now() + timedelta(hours=2))
    saint_malo.moderators.add(member)  # a muted verified member who also moderates: two rows for one pair
    people = {member.pk, moderator.pk, staff.pk, applicant.pk}
    assert mismatches(people, {saint_malo.pk, dinard.pk}) == []


def test_a_revoked_member_has_no_access(saint_malo):
    user = make_user("gone@example.org")
    make_membership(user, saint_malo, state="revoked")
    assert not neighbourhood_access(user=user, neighbourhood_id=saint_malo.id).can_read


def test_anonymous_has_no_access(saint_malo):
    from django.contrib.auth.models import AnonymousUser

    assert not neighbourhood_access(user=AnonymousUser(), neighbourhood_id=saint_malo.id).can_read


def test_summary_prefers_the_open_membership_over_older_decided_ones(saint_malo, dinard):
    user = make_user("back@example.org")
    make_membership(user, dinard, state="rejected")
    current = make_membership(user, saint_malo)
    summary = user_trust_summary(user=user)
    assert summary["membership"]["id"] == current.id
    assert summary["membership"]["state"] == "pending"
