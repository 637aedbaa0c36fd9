import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.common.db import fetch_together
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_queries_sent_together_answer_each_with_its_own_rows_in_one_execute():
    alice, bob = make_user("alice@example.org"), make_user("bob@example.org")
    with CaptureQueriesContext(connection) as queries:
        answers = fetch_together([
            ("SELECT id FROM accounts_user WHERE id IN (%s, %s) ORDER BY id", [alice.pk, bob.pk]),
            ("SELECT id FROM accounts_user WHERE email = %s", ["nobody@example.org"]),  # none, in the middle
            ("SELECT email FROM accounts_user WHERE id = %s", [bob.pk]),
        ])
    assert answers == [[(alice.pk,), (bob.pk,)], [], [("bob@example.org",)]]
    assert len(queries.captured_queries) == 1
