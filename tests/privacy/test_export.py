"""Her export (backend/privacy/services.py): every app's section, her files, nothing of
anyone else's private content; asked twice while building, the first one."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from backend.privacy import services
from backend.privacy.models import ExportRequest
from tests.privacy.conftest import EMAIL, NADIA_PRIVATE, NAME, SECRETS, STREET

pytestmark = pytest.mark.django_db


def build(user) -> tuple[ExportRequest, dict[str, bytes]]:
    export, created = services.export_request(user=user)
    assert created
    export = services.export_build(export_id=export.pk)
    with services.export_storage().open(export.file_name, "rb") as archive:
        files = zipfile.ZipFile(io.BytesIO(archive.read()))
        return export, {name: files.read(name) for name in files.namelist()}


def test_the_export_of_a_busy_member_holds_all_her_items_and_none_of_another_s_private_content(busy):
    export, files = build(busy.her)
    section = {name.split("/")[1].removesuffix(".json"): json.loads(data)
               for name, data in files.items() if name.count("/") == 1 and name.endswith(".json")}
    assert set(section) == {"account", "chat", "cities", "feed", "moderation", "photos", "push", "trust"}
    assert "voisins-export/README.txt" in files

    account = section["account"]
    assert (account["email"], account["display_name"], account["language"]) == (EMAIL, NAME, "fr")
    assert [d["device_name"] for d in account["signed_in_devices"]] == ["Pixel de Zéphyrine"] * 2
    assert section["push"]["devices"][0]["platform"] == "android" and section["push"]["preferences"]["previews"] is False

    trust = section["trust"]
    assert trust["memberships"][0]["address"]["street"] == STREET and trust["memberships"][0]["state"] == "verified"
    assert [v["display_name"] for v in trust["vouches_given"]] == ["Otto"]

    chat = section["chat"]
    assert sorted(m["text"] for m in chat["messages"] if m["post"] is None) == sorted(SECRETS)
    assert sorted(m["text"] for m in chat["messages"] if m["post"]) == ["Arroser mes plantes", "Raclette de Zéphyrine"]
    assert {m["room"]["kind"] for m in chat["messages"]} == {"default", "direct"}
    assert [r["emoji"] for r in chat["reactions"]] == ["👍"]

    feed = section["feed"]
    assert {p["title"] for p in feed["posts"]} == {"Raclette de Zéphyrine", "Arroser mes plantes"}
    assert feed["loans"][0] | {"created_at": None} == feed["loans"][0] | {
        "item": "Appareil à raclette", "role": "lender", "with": "Nadia", "returned_at": None, "created_at": None}
    assert [(s["post_title"], s["quantity"], s["organiser"]) for s in feed["purchase_shares"]] == [
        ("Huîtres de Cancale", 3, "Nadia")]

    moderation = section["moderation"]
    assert [r["text"] for r in moderation["reports_filed"]] == ["Il m'a harcelée après mon message"]
    decision = moderation["decisions_about_me"][0]
    assert (decision["kind"], decision["reason"], decision["by"]) == ("mute", "Messages répétés", "Morgane")
    assert decision["appeal"]["text"] == "Je répondais à ma voisine Nadia"
    assert section["cities"]["civic_reports"][0]["description"].startswith("Nid-de-poule")

    assert len(section["photos"]) == 1 and section["photos"][0]["attached_to"] == "message"
    photo = f"voisins-export/photos/{section['photos'][0]['file']}"
    assert files[photo] == b"\xff\xd8\xff\xe0 her kitchen"

    # Nothing of anyone else's private content: not Nadia's message in their direct
    # conversation, nor her email, nor anyone's address.
    everything = b"".join(files.values()).decode("utf-8", "replace")
    assert NADIA_PRIVATE not in everything
    assert "nadia@example.org" not in everything and "Grande Rue" not in everything
    assert "fcm-token-of-zephyrine" not in everything and busy.token_digests[0] not in everything

    assert export.state == "ready" and export.size == len(services.export_storage().open(export.file_name).read())
    assert export.expires_at - export.ready_at == timedelta(days=7)


def test_asking_again_while_it_is_being_built_returns_the_first(busy):
    first, created = services.export_request(user=busy.her)
    again, created_again = services.export_request(user=busy.her)
    assert created and not created_again and again.pk == first.pk
    assert DBTaskResult.objects.filter(task_path="backend.privacy.tasks.export_build").count() == 1
    now = timezone.now()
    services.export_build(export_id=first.pk, now=now)
    same, created_after = services.export_request(user=busy.her, now=now + timedelta(hours=23))
    assert not created_after and same.pk == first.pk  # ready less than a day ago: that one, at most one a day
    _, created_next_day = services.export_request(user=busy.her, now=now + timedelta(days=1, seconds=1))
    assert created_next_day  # a day on, a new request builds a new archive


def test_she_is_told_when_it_is_ready_by_push(busy):
    from backend.push import domain as push_domain

    export, _ = services.export_request(user=busy.her)
    services.export_build(export_id=export.pk)
    alert = DBTaskResult.objects.get(task_path="backend.push.tasks.user_alert",
                                     args_kwargs__args__1="privacy_export_ready")
    user_id, key, params, event = alert.args_kwargs["args"]
    assert (user_id, params, event) == (busy.her.id, {"days": 7}, f"export:{export.pk}")
    assert push_domain.text(f"{key}_body", "fr", **params) == (
        "Téléchargez votre archive d'ici 7 jours, depuis les Réglages.")


def test_an_export_of_someone_erased_meanwhile_is_dropped(busy):
    from backend.accounts.services import user_erase

    export, _ = services.export_request(user=busy.her)
    user_erase(user=busy.her)
    assert services.export_build(export_id=export.pk) is None
    assert not ExportRequest.objects.exists()


def test_expired_archives_go_when_the_clock_moves_past_seven_days(busy, django_capture_on_commit_callbacks):
    export = build(busy.her)[0]
    storage = services.export_storage()
    assert services.exports_expire(now=timezone.now() + timedelta(days=6)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.exports_expire(now=timezone.now() + timedelta(days=7, minutes=1)) == 1
    assert not storage.exists(export.file_name)
    export.refresh_from_db()
    assert (export.state, export.file_name, export.size) == ("expired", "", 0)


def test_an_archive_no_request_names_goes_a_day_later(busy):
    from django.core.files.base import ContentFile

    storage = services.export_storage()
    orphan = storage.save("orphan.zip", ContentFile(b"PK"))  # its worker died before recording it
    services.exports_expire(now=timezone.now())
    assert storage.exists(orphan)
    services.exports_expire(now=timezone.now() + timedelta(days=1, minutes=1))
    assert not storage.exists(orphan)
