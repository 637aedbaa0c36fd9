"""Loads a demo neighbourhood through the same services the API uses, so the demo
data went through every trust route. Running it again changes nothing."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from backend.accounts import services as accounts
from backend.accounts.models import User
from backend.cities import services as cities
from backend.cities.models import Organisation
from backend.feed import services as feed
from backend.feed.models import Partner
from backend.neighbourhoods import services as neighbourhoods
from backend.neighbourhoods.models import Neighbourhood
from backend.push import services as push
from backend.trust import services as trust

PASSWORD = "raclette-2014"
SLUG = "saint-malo-intra-muros"
# A one-page PDF, enough for the content check that reads the type from the bytes.
DEMO_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

PEOPLE = [
    # email, display name, street, number, latitude, longitude
    ("morgane@example.org", "Morgane (modératrice)", "Rue de Dinan", "4", 48.6486, -2.0251),
    ("alice@example.org", "Alice", "Grande Rue", "12", 48.6497, -2.0246),
    ("bruno@example.org", "Bruno", "Rue Porcon de la Barbinais", "7", 48.6493, -2.0263),
    ("chloe@example.org", "Chloé", "Rue Jacques Cartier", "3", 48.6481, -2.0262),
    ("dan@example.org", "Dan", "Rue de la Pie qui Boit", "9", 48.6502, -2.0259),
]
# The town hall, verified, covering both demo neighbourhoods, and its agent (who lives in
# neither: she reads no room).
CITY_SLUG = "ville-de-saint-malo"
AGENT = ("mairie@example.org", "Yann (Ville de Saint-Malo)")


class Command(BaseCommand):
    help = "Loads one demo neighbourhood with a moderator, three verified residents and one applicant."

    def handle(self, *args, **options):
        if Neighbourhood.objects.filter(slug=SLUG).exists():
            self.stdout.write("Demo data already loaded.")
        else:
            with transaction.atomic():
                self._load()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        # Its own check: a demo loaded before organisations existed gets the town hall too.
        if not Organisation.objects.filter(slug=CITY_SLUG).exists():
            with transaction.atomic():
                self._city()
            self.stdout.write(self.style.SUCCESS("Demo town hall loaded."))
        self.stdout.write(f"Demo logins (password for all: {PASSWORD}):")
        for email, name, *_ in PEOPLE:
            self.stdout.write(f"  {email:<22} {name}")
        self.stdout.write(f"  {AGENT[0]:<22} {AGENT[1]}, administrator, for /city/")
        self.stdout.write("  admin@example.org      staff, for /admin/")

    def _load(self):
        intra_muros = neighbourhoods.neighbourhood_save(
            neighbourhood=Neighbourhood(
                name="Saint-Malo Intra-Muros",
                slug=SLUG,
                country="FR",
                locale="fr-FR",
                center_latitude=48.6493,
                center_longitude=-2.0257,
                radius_m=500,
            )
        )
        neighbourhoods.neighbourhood_save(
            neighbourhood=Neighbourhood(
                name="Saint-Servan",
                slug="saint-servan",
                country="FR",
                locale="fr-FR",
                polygon=[[-2.0265, 48.6380], [-2.0080, 48.6380], [-2.0080, 48.6290], [-2.0265, 48.6290]],
            )
        )
        User.objects.create_superuser("admin@example.org", PASSWORD, display_name="Admin", language="fr")
        users, memberships = {}, {}
        for email, name, street, number, latitude, longitude in PEOPLE:
            user = accounts.user_signup(email=email, password=PASSWORD, display_name=name, language="fr")
            users[email] = user
            memberships[email] = trust.membership_apply(
                user=user,
                street=street,
                number=number,
                postcode="35400",
                city="Saint-Malo",
                latitude=latitude,
                longitude=longitude,
            )
        morgane = users["morgane@example.org"]
        intra_muros.moderators.add(morgane)
        # Alice by proof of address, Bruno by cooptation, Chloé by letter code.
        proof = trust.proof_upload(
            actor=users["alice@example.org"],
            membership=memberships["alice@example.org"],
            upload=SimpleUploadedFile("facture.pdf", DEMO_PDF),
        )
        trust.proof_review(actor=morgane, proof=proof, approve=True)
        trust.vouch_create(voucher=users["alice@example.org"], membership=memberships["bruno@example.org"])
        trust.vouch_create(voucher=users["alice@example.org"], membership=memberships["morgane@example.org"])
        letter = trust.letter_code_issue(actor=morgane, membership=memberships["chloe@example.org"])
        trust.letter_code_redeem(
            actor=users["chloe@example.org"], membership=memberships["chloe@example.org"], code=letter.code
        )
        for email, user in users.items():
            # So that make run's console shows who would have been pushed.
            push.device_register(user=user, token=f"demo-{email.split('@')[0]}-phone", platform="android",
                                 app_version="demo")
        self._feed(intra_muros, users)

    def _feed(self, neighbourhood: Neighbourhood, users: dict[str, User]) -> None:
        """A few live cards, an answer, and a partner on the map."""
        now = timezone.localtime()
        day = timedelta(days=1)
        alice, bruno, chloe = (users[f"{name}@example.org"] for name in ("alice", "bruno", "chloe"))
        feed.post_create(
            author=alice, kind="loan_offer", title="Je prête mon appareil à raclette", client_id="demo-raclette",
            details={"item": "Appareil à raclette (8 personnes)", "start": now.date().isoformat(),
                     "end": (now + 30 * day).date().isoformat()},
        )
        apero = feed.post_create(
            author=bruno, kind="event", title="Apéro sur les remparts", client_id="demo-apero",
            text="Chacun apporte quelque chose à partager.",
            details={"start": (now + 3 * day).replace(hour=19, minute=0).isoformat(),
                     "end": (now + 3 * day).replace(hour=22, minute=0).isoformat(), "place": "Bastion Saint-Philippe"},
        ).post
        feed.post_rsvp_set(actor=chloe, post_id=apero.pk, going=True)
        plants = feed.post_create(
            author=chloe, kind="help_request", title="Arroser mes plantes pendant une semaine",
            client_id="demo-plantes",
            details={"what": "Deux arrosages par semaine, clés chez moi", "when": (now + 5 * day).isoformat()},
        ).post
        feed.post_respond(actor=alice, post_id=plants.pk)
        feed.post_create(
            author=alice, kind="group_purchase", title="Huîtres de Cancale pour Noël", client_id="demo-huitres",
            details={"product": "Huîtres creuses n°3", "unit": "douzaine", "unit_price_cents": 950,
                     "min_quantity": 10, "max_quantity": 40, "deadline": (now + 10 * day).isoformat()},
        )
        partner = Partner.objects.create(
            name="Marguerite autopartage", category=Partner.Category.CAR_SHARING, latitude=48.6488,
            longitude=-2.0243, offer="Deux voitures en libre-service porte Saint-Vincent",
            link="https://example.org/marguerite",
        )
        partner.neighbourhoods.add(neighbourhood)

    def _city(self) -> None:
        """Saint-Malo's town hall: an announcement, a consultation, and two residents'
        reports in its queue (one already acknowledged)."""
        users = {user.email: user for user in User.objects.filter(email__in=[email for email, *_ in PEOPLE])}
        staff = User.objects.get(email="admin@example.org")
        town_hall = cities.organisation_create(
            name="Ville de Saint-Malo", slug=CITY_SLUG, kind=Organisation.Kind.MUNICIPALITY,
            neighbourhood_ids=list(Neighbourhood.objects.filter(slug__in=[SLUG, "saint-servan"]).values_list("pk", flat=True)),
        )
        cities.organisation_verify(actor=staff, organisation=town_hall)
        accounts.user_signup(email=AGENT[0], password=PASSWORD, display_name=AGENT[1], language="fr")
        agent = cities.agent_add(organisation=town_hall, email=AGENT[0], role="admin", actor=staff)
        now = timezone.now()
        cities.announcement_publish(
            agent=agent, client_id="demo-collecte", title="Collecte des encombrants jeudi",
            text="Déposez vos encombrants devant chez vous mercredi soir, pas avant 19 h.",
        )
        cities.consultation_create(
            agent=agent, client_id="demo-bancs", question="Où installer deux nouveaux bancs ?", answer_kind="choices",
            choices=["Place Chateaubriand", "Rue Saint-Vincent", "Près de la Grande Porte"], closes_at=now + timedelta(days=14),
        )
        pothole = cities.report_create(
            reporter=users["alice@example.org"], client_id="demo-nid-de-poule", category="roadway",
            description="Nid-de-poule profond devant le 12 Grande Rue", latitude=48.6496, longitude=-2.0248,
            show_name=True,
        ).report
        cities.report_support_set(user=users["chloe@example.org"], report_id=pothole.pk, present=True)
        cities.report_status_set(agent=agent, report_id=pothole.pk, status="acknowledged",
                                 reason="Une équipe passe cette semaine.")
        cities.report_create(
            reporter=users["bruno@example.org"], client_id="demo-lampadaire", category="lighting",
            description="Lampadaire éteint rue Porcon de la Barbinais", latitude=48.6491, longitude=-2.0266,
        )
