"""Her erasure across every app (backend.accounts.services.user_erase, and each app's
`account_erased`): nothing of her left in any table or in the storage; others see a
neutral label; the voucher's, the moderator's and the lender's cases."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from backend.accounts import domain as account_domain
from backend.accounts.domain_events import AccountErased
from backend.accounts.models import DeviceToken, User
from backend.accounts.services import user_erase
from backend.chat import frames
from backend.chat.models import Message, Room
from backend.chat.selectors import room_history
from backend.chat.services import ERASED_LIVE_FRAMES, PostRequest, messages_post
from backend.common import domain_events, events
from backend.feed.domain import details_erased
from backend.feed.models import Commitment, Loan, Post, Response
from backend.moderation.models import Action, Appeal, Report
from backend.neighbourhoods.domain import snap_to_grid
from backend.photos.services import photo_storage
from backend.privacy.models import Erasure
from backend.push import services as push_services
from backend.push.models import Delivery, Device
from backend.trust.models import AuditEntry, Membership, Vouch
from tests.chat.contract import check_server_frame
from tests.feed.test_domain import VALID
from tests.privacy.conftest import EMAIL, NAME, POSITION, SECRETS, STREET

pytestmark = pytest.mark.django_db


def database_dump() -> str:
    """Every row of every table, as text (PostgreSQL's row_to_json)."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT row_to_json(t)::text FROM {connection.ops.quote_name(table)} t")
            rows += [row[0] for row in cursor.fetchall()]
    return "\n".join(rows)


def storage_dump() -> tuple[set[str], bytes]:
    """The name and content of every file of the private storage (proofs, photos, archives)."""
    names, contents = set(), []
    for directory, _, files in os.walk(settings.PRIVATE_MEDIA_ROOT):
        for name in files:
            path = Path(directory) / name
            names.add(str(path.relative_to(settings.PRIVATE_MEDIA_ROOT)))
            contents.append(path.read_bytes())
    return names, b"\n".join(contents)


# Words of hers in her posts' details (her help request's `what`), and the grid cell her
# posts sit in (snapped from her address), as a row of the dump shows it.
HER_DETAILS = VALID["help_request"]["what"]
HER_CELL = '"latitude":{},"longitude":{}'.format(*snap_to_grid(*POSITION))


def her_traces(busy) -> list[str]:
    latitude, longitude = POSITION
    return [EMAIL, NAME, "Zéphyrine", STREET, str(latitude), str(longitude), *busy.token_digests, *SECRETS,
            "fcm-token-of-zephyrine", "Il m'a harcelée", "Je répondais à ma voisine", "Nid-de-poule",
            HER_DETAILS, HER_CELL]


def test_after_erasure_no_table_and_no_file_holds_anything_of_her(busy, django_capture_on_commit_callbacks):
    from backend.privacy import services as privacy

    # Pushes of her messages went to Nadia's phone (their record shows her name and
    # text), and an archive of her data waits in the storage.
    for room in (busy.room, busy.direct):
        push_services.room_messages_push(room_id=room.id, message_ids=list(
            Message.objects.filter(room=room, author=busy.her).values_list("pk", flat=True)))
    assert Delivery.objects.filter(device__user=busy.nadia).exists()
    # The fixture houses Nadia in Zéphyrine's grid cell: her purchase moves next door, so
    # that the cell is a trace of Zéphyrine's alone.
    Post.objects.filter(author=busy.nadia).update(latitude=snap_to_grid(*POSITION)[0] + 0.01)
    export, _ = privacy.export_request(user=busy.her)
    privacy.export_build(export_id=export.pk)
    before = database_dump()
    names_before, files_before = storage_dump()
    assert all(trace in before for trace in her_traces(busy)), [t for t in her_traces(busy) if t not in before]
    photos = photo_storage()
    assert photos.exists(busy.image.name) and b"her kitchen" in files_before

    with django_capture_on_commit_callbacks(execute=True):
        assert user_erase(user=busy.her)

    after = database_dump()
    assert [trace for trace in her_traces(busy) if trace in after] == []
    names, files = storage_dump()
    assert not photos.exists(busy.image.name) and not photos.exists(busy.image.thumbnail_name)
    assert not [name for name in names if name.startswith("exports/")]
    assert b"her kitchen" not in files

    her = User.objects.get(pk=busy.her.pk)
    assert her.display_name == account_domain.erased_display_name(her.pseudonym)
    assert (her.email, her.is_active, her.has_usable_password()) == (f"erased-{her.pk}@erased.voisins.invalid", False, False)
    assert not DeviceToken.objects.filter(user=her).exists() and not Device.objects.filter(user=her).exists()
    assert Erasure.objects.get().pseudonym == her.pseudonym


def test_others_see_deleted_messages_and_the_neutral_label(busy):
    user_erase(user=busy.her)
    her = User.objects.get(pk=busy.her.pk)
    label = her.display_name
    assert label.startswith("Ancien membre · Former member #")

    shown = frames.messages_body(room_history(room=busy.room))
    hers = [m for m in shown if m["author"]["id"] == her.pk]
    assert hers and all(m["deleted"] and m["text"] == "" and m["card"] is None for m in hers)
    assert all(m["author"]["display_name"] == label for m in hers)
    nadias = next(m for m in shown if m["text"] == "Bonjour à tous")
    assert nadias["reactions"] == []  # her 👍 went with her
    assert Room.objects.get(pk=busy.direct.pk).name == f"{label} · Nadia"

    # What Nadia keeps of her: the loan she was given, the purchase share, the card in their conversation.
    loan = Loan.objects.select_related("lender").get(pk=busy.loan.pk)
    assert loan.lender.display_name == label and loan.returned_at is None
    purchase_card = Message.objects.get(pk=Post.objects.get(pk=busy.purchase.pk).message_id).card
    assert [c["person"]["display_name"] for c in purchase_card["purchase"]["commitments"]] == [label]
    assert Commitment.objects.get(post=busy.purchase).user_id == her.pk


def test_her_open_posts_close_and_those_in_progress_with_her_are_told(busy):
    from backend.feed.models import Post

    user_erase(user=busy.her)
    posts = Post.objects.filter(author=busy.her)
    assert {(p.status, p.title, p.text) for p in posts} == {("closed", "", "")}
    told = sorted(t.args_kwargs["args"][:3] for t in DBTaskResult.objects.filter(task_path="backend.push.tasks.user_alert")
                  if t.args_kwargs["args"][1].startswith("partner_left"))
    assert told == [[busy.nadia.id, "partner_left_loan", {"item": "Appareil à raclette"}],
                    [busy.nadia.id, "partner_left_purchase", {"item": "Huîtres de Cancale"}]]


def test_the_erasure_of_a_voucher_leaves_those_she_vouched_for_verified(busy):
    user_erase(user=busy.her)
    assert Membership.objects.get(user=busy.otto).state == "verified"
    vouch = Vouch.objects.select_related("voucher").get(membership__user=busy.otto)
    assert vouch.voucher.display_name.startswith(account_domain.ERASED_LABEL)
    mine = Membership.objects.get(user=busy.her)
    assert (mine.state, mine.street, mine.latitude) == ("revoked", "", 0.0)
    assert AuditEntry.objects.filter(subject=busy.her, action="revoke", actor=None).exists()


def test_moderation_keeps_the_decision_and_its_reason_not_her_words(busy):
    user_erase(user=busy.her)
    action = Action.objects.get(subject=busy.her)
    assert (action.kind, action.reason, action.actor_id) == ("mute", "Messages répétés", busy.moderator.id)
    assert Appeal.objects.get(action=action).text == ""
    assert Report.objects.get(reporter=busy.her).text == ""


def test_the_erasure_of_a_moderator_keeps_her_decisions_under_a_pseudonym(busy, saint_malo):
    moderator = busy.moderator
    user_erase(user=moderator)
    moderator.refresh_from_db()
    action = Action.objects.select_related("actor").get(subject=busy.her)
    assert action.actor_id == moderator.id and action.reason == "Messages répétés"
    assert action.actor.display_name == f"{account_domain.ERASED_LABEL} #{moderator.pseudonym}"
    assert not saint_malo.moderators.filter(pk=moderator.pk).exists()


def test_the_erasure_of_a_lender_with_a_loan_in_progress(busy):
    from backend.feed.selectors import loans_of

    user_erase(user=busy.her)
    loan = loans_of(user=busy.nadia)[0]
    assert (loan.pk, loan.returned_at, loan.item) == (busy.loan.pk, None, "Appareil à raclette")
    assert loan.lender.display_name.startswith(account_domain.ERASED_LABEL)
    # The card Nadia keeps is the one quoted in her answer (her own card message is deleted).
    card = Message.objects.get(pk=Response.objects.get(post=busy.her_offer).message_id).card
    assert card["author"]["display_name"].startswith(account_domain.ERASED_LABEL) and card["title"] == ""


def test_erasing_twice_changes_nothing_the_second_time(busy):
    assert user_erase(user=busy.her)
    pseudonym = User.objects.get(pk=busy.her.pk).pseudonym
    assert not user_erase(user=busy.her)
    assert User.objects.get(pk=busy.her.pk).pseudonym == pseudonym and Erasure.objects.count() == 1


def test_an_applicant_s_proof_file_and_address_go_with_her(applicant, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from backend.trust.models import ProofOfAddress
    from backend.trust.services import proof_upload

    membership = Membership.objects.get(user=applicant)
    proof = proof_upload(actor=applicant, membership=membership, upload=SimpleUploadedFile(
        "facture.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 64, content_type="application/pdf"))
    storage = ProofOfAddress._meta.get_field("file").storage
    assert storage.exists(proof.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        user_erase(user=applicant)
    assert not storage.exists(proof.file.name)
    proof.refresh_from_db()
    membership.refresh_from_db()
    assert (proof.state, proof.file.name) == ("withdrawn", "")
    assert (membership.state, membership.street, membership.number, membership.city) == ("rejected", "", "", "")


def test_the_erasure_of_an_agent_keeps_what_she_published_for_her_organisation(saint_malo,
                                                                               django_capture_on_commit_callbacks):
    """An announcement is the organisation's record: it stays, with its photos, under
    the organisation's name; her own photos attached nowhere go."""
    from backend.chat.services import rooms_ensure_default
    from backend.cities.models import Announcement
    from backend.cities.services import announcement_publish
    from backend.photos.models import Image
    from tests.cities.conftest import make_agent, make_organisation
    from tests.conftest import make_user
    from tests.privacy.conftest import photo_of

    rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    agent_user = make_user("agent@mairie.example.org", name="Agathe")
    agent = make_agent(make_organisation("Ville de Saint-Malo", neighbourhoods=[saint_malo]), agent_user)
    published, unattached = photo_of(agent_user, 1), photo_of(agent_user, 2)
    announcement_publish(agent=agent, client_id="works", title="Travaux rue de Dinan", image_ids=[published.pk])
    with django_capture_on_commit_callbacks(execute=True):
        user_erase(user=agent_user)
    assert list(Image.objects.values_list("pk", flat=True)) == [published.pk]
    assert photo_storage().exists(published.name) and not photo_storage().exists(unattached.name)
    assert Announcement.objects.get().title == "Travaux rue de Dinan"


def _published_frames(callbacks) -> list[dict]:
    """Every frame that the captured on-commit callbacks publish, decoded."""
    import orjson

    published = []
    for callback in callbacks:
        if getattr(callback, "func", None) is events.publish_now:
            keywords = callback.keywords
            encoded = keywords["frames"] if "frames" in keywords else [keywords["frame"]] if "frame" in keywords else []
            published += [orjson.loads(frame) for frame in encoded]
    return published


@pytest.mark.parametrize("order", ["installed", "reversed"])
def test_her_card_messages_stay_deleted_and_no_card_shows_her_details(busy, order, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    """Whichever app hears the erasure first: her card messages stay deleted without a
    card, and the cards others keep (Nadia's answer to her loan offer) show nothing of
    her details nor her place."""
    listeners = domain_events._listeners[AccountErased]
    if order == "reversed":
        monkeypatch.setitem(domain_events._listeners, AccountErased, listeners[::-1])
    hers = {post.pk: post for post in Post.objects.filter(author=busy.her)}
    card_messages = [post.message_id for post in hers.values()]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user_erase(user=busy.her)

    assert all((m.deleted_at is not None, m.card, m.text) == (True, None, "")
               for m in Message.objects.filter(pk__in=card_messages))
    published = [check_server_frame(frame) for frame in _published_frames(callbacks) if "seq" in frame]
    updated = [frame for frame in published if frame["type"] == "card.updated"]
    assert not [frame for frame in updated if frame["message_id"] in card_messages]
    of_hers = [frame["card"] for frame in updated if frame["card"]["post_id"] in hers]
    assert {card["post_id"] for card in of_hers} == {busy.her_offer.pk}  # quoted in Nadia's answer
    for card in of_hers:
        original = hers[card["post_id"]].details
        assert card["details"] == details_erased(card["kind"], original) == {"start": original["start"],
                                                                              "end": original["end"]}
        assert (card["title"], card["text"], card["status"]) == ("", "", "closed")
    assert not [frame for frame in published if HER_DETAILS in str(frame) or "Appareil à raclette" in str(frame)]
    # Her posts sit in the cell of the neighbourhood's centre, nothing of her address.
    centre = snap_to_grid(busy.room.neighbourhood.center_latitude, busy.room.neighbourhood.center_longitude)
    assert centre != snap_to_grid(*POSITION)
    for post in Post.objects.filter(author=busy.her):
        assert (post.title, post.text, post.details) == ("", "", details_erased(post.kind, hers[post.pk].details))
        assert (post.latitude, post.longitude) == centre


@pytest.mark.django_db(transaction=True)
async def test_an_erasure_of_many_messages_keeps_the_room_s_sockets_open(busy, connect, settings):
    """More of her messages in a room than a socket's queue holds: the room hears
    ERASED_LIVE_FRAMES of them, stays connected, and finds the others deleted in
    history."""
    from asgiref.sync import sync_to_async

    many = ERASED_LIVE_FRAMES * 2 + 20
    settings.CHAT_SOCKET_QUEUE_SIZE = ERASED_LIVE_FRAMES + 20
    await sync_to_async(messages_post)(requests=[
        PostRequest(author=busy.her, room_id=busy.room.id, text=f"n°{i}", client_id=f"many{i}", counted=False)
        for i in range(many)
    ])
    written = [pk async for pk in Message.objects.filter(room=busy.room, author=busy.her).order_by("seq")
               .values_list("pk", flat=True)]
    nadia = await connect(busy.nadia)
    await nadia.send({"type": "subscribe", "ref": "s", "room_id": busy.room.id})
    await nadia.expect("subscribed")

    await sync_to_async(user_erase)(user=busy.her)
    deleted = [await nadia.expect("message.deleted") for _ in range(ERASED_LIVE_FRAMES)]
    await nadia.send({"type": "ping", "ref": "p"})
    await nadia.expect("pong")  # still open: not closed for an overflowing queue
    last_seq = await Room.objects.filter(pk=busy.room.pk).values_list("last_seq", flat=True).aget()
    # Her newest messages, with the room's latest seqs of the erasure: the hole before
    # them sends a client behind to catch up.
    assert [frame["message_id"] for frame in deleted] == written[-ERASED_LIVE_FRAMES:]
    seqs = [frame["seq"] for frame in deleted]
    assert seqs == list(range(seqs[0], seqs[0] + ERASED_LIVE_FRAMES)) and seqs[-1] <= last_seq

    shown = await sync_to_async(lambda: frames.messages_body(room_history(room=busy.room, limit=many + 50)))()
    hers = [m for m in shown if m["author"]["id"] == busy.her.pk]
    assert len(hers) == len(written) and all(m["deleted"] and m["text"] == "" for m in hers)
