"""A busy member, Zéphyrine, with a trace in every app, and her neighbours: what her
export must hold and her erasure must leave nothing of."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import make_membership, make_user

# Hers, and nobody else's: the erasure test looks for each of these everywhere.
EMAIL = "zephyrine.quillevere@example.org"
NAME = "Zéphyrine Quillévéré"
STREET = "Impasse des Goélands-Argentés"
POSITION = (48.64917, -2.02512)
SECRETS = ["Le code du portail est 7741B", "Mon numéro : 06 12 34 56 78", "Je pars en vacances le 3 août"]
# Nadia's, in their direct conversation: never in Zéphyrine's export.
NADIA_PRIVATE = "Ma clé est sous le pot de fleurs bleu"


@dataclass
class Busy:
    her: object
    nadia: object
    otto: object
    moderator: object
    room: object
    direct: object
    loan: object
    purchase: object
    her_offer: object
    image: object
    token_digests: list[str] = field(default_factory=list)


def photo_of(user, n=1):
    """An uploaded photo of hers, attached nowhere yet (as photos_upload leaves it)."""
    from django.core.files.base import ContentFile

    from backend.photos.models import Image
    from backend.photos.services import photo_storage

    storage = photo_storage()
    name = storage.save(f"photos/{user.pk}-{n}.jpg", ContentFile(b"\xff\xd8\xff\xe0 her kitchen"))
    thumbnail = storage.save(f"photos/{user.pk}-{n}-thumbnail.jpg", ContentFile(b"\xff\xd8\xff\xe0 thumbnail"))
    return Image.objects.create(
        owner=user, client_id=f"img-{user.pk}-{n}", name=name, thumbnail_name=thumbnail, content_type="image/jpeg",
        width=800, height=600, thumbnail_width=400, thumbnail_height=300, placeholder="#808080", size=1000,
        created_at=timezone.now(),
    )


def soon(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def busy(saint_malo, moderator):
    from backend.accounts.services import token_create
    from backend.chat import services as chat
    from backend.chat.models import Room
    from backend.cities.models import CivicReport
    from backend.feed import services as feed
    from backend.moderation import services as moderation
    from backend.push.services import device_register, preferences_set
    from backend.trust import services as trust
    from tests.feed.test_domain import VALID

    her = make_user(EMAIL, name=NAME, language="fr")
    make_membership(her, saint_malo, state="verified", street=STREET, at=POSITION)
    nadia = make_user("nadia@example.org", name="Nadia")
    make_membership(nadia, saint_malo, state="verified")
    otto = make_user("otto@example.org", name="Otto")
    otto_application = make_membership(otto, saint_malo)
    trust.vouch_create(voucher=her, membership=otto_application)  # Otto is verified by her vouch

    tokens = [token_create(user=her, device_name="Pixel de Zéphyrine")[0] for _ in range(2)]
    device_register(user=her, token="fcm-token-of-zephyrine", platform="android", app_version="1.0")
    device_register(user=nadia, token="fcm-token-of-nadia", platform="ios", app_version="1.0")
    preferences_set(user=her, previews=False)

    chat.rooms_ensure_default(neighbourhood_ids=[saint_malo.id])
    room = Room.objects.get(neighbourhood=saint_malo, kind="default")
    image = photo_of(her)
    chat.message_post(author=her, room_id=room.id, text=SECRETS[0], client_id="z1", image_ids=[image.pk])
    nadias = chat.message_post(author=nadia, room_id=room.id, text="Bonjour à tous", client_id="n1")
    chat.reaction_set(actor=her, message_id=nadias.message_id, emoji="👍", present=True)
    direct = chat.room_direct_open(actor=her, other_id=nadia.id)
    chat.message_post(author=her, room_id=direct.id, text=SECRETS[1], client_id="z2")
    chat.message_post(author=nadia, room_id=direct.id, text=NADIA_PRIVATE, client_id="n2")
    chat.message_post(author=her, room_id=room.id, text=SECRETS[2], client_id="z3", reply_to_id=nadias.message_id)

    # She lends her raclette machine to Nadia: the loan is in progress.
    offer = feed.post_create(author=her, kind="loan_offer", title="Raclette de Zéphyrine",
                             details={"item": "Appareil à raclette", "start": soon(0), "end": soon(7)},
                             client_id="offer").post
    feed.post_respond(actor=nadia, post_id=offer.pk)
    feed.post_responder_pick(actor=her, post_id=offer.pk, responder_id=nadia.id)
    # Her open help request, and her share of Nadia's group purchase.
    feed.post_create(author=her, kind="help_request", title="Arroser mes plantes", details=VALID["help_request"],
                     client_id="help")
    purchase = feed.post_create(author=nadia, kind="group_purchase", title="Huîtres de Cancale",
                                details=VALID["group_purchase"], client_id="oysters").post
    feed.purchase_commit(actor=her, post_id=purchase.pk, quantity=3)

    moderation.report_create(reporter=her, category="spam", text="Il m'a harcelée après mon message",
                             message_id=nadias.message_id)
    action = moderation.member_mute(actor=moderator, user_id=her.id, neighbourhood_id=saint_malo.id, minutes=60,
                                    reason="Messages répétés")
    moderation.appeal_create(appellant=her, action_id=action.pk, text="Je répondais à ma voisine Nadia")
    CivicReport.objects.create(
        neighbourhood=saint_malo, reporter=her, client_id="c1", category="roads",
        description="Nid-de-poule devant le 12 impasse des Goélands-Argentés", latitude=48.6491, longitude=-2.0252,
        created_at=timezone.now(), status_changed_at=timezone.now(),
    )
    from backend.feed.models import Loan

    return Busy(her=her, nadia=nadia, otto=otto, moderator=moderator, room=room, direct=direct,
                loan=Loan.objects.get(post=offer), purchase=purchase, her_offer=offer, image=image,
                token_digests=[t.digest for t in tokens])
