import pytest

from backend.accounts.models import User
from backend.trust.models import AuditEntry
from backend.trust.services import membership_revoke

pytestmark = pytest.mark.django_db


def test_staff_read_the_audit_log_but_cannot_change_it(client, member, moderator):
    from backend.trust.models import Membership

    membership_revoke(actor=moderator, membership=Membership.objects.get(user=member), reason="Spam répété")
    entry = AuditEntry.objects.get()
    client.force_login(User.objects.create_superuser("root@example.org", "x", display_name="Root"))
    listing = client.get("/admin/trust/auditentry/")
    assert listing.status_code == 200
    assert "Spam répété" in listing.content.decode()
    assert client.get("/admin/trust/auditentry/add/").status_code == 403
    assert client.post(f"/admin/trust/auditentry/{entry.id}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/trust/auditentry/{entry.id}/change/", {"reason": "rewritten"})
    entry.refresh_from_db()
    assert entry.reason == "Spam répété"
