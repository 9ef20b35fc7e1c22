"""Create (or bring back) the demo firm. Running it twice changes nothing.

In config, the top layer: it seeds every app, each through its own services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from billing import demo as billing_demo
from config import demo_history
from insights import demo as insights_demo
from intake import demo as intake_demo
from portal import demo as portal_demo
from portal import services
from portal.models import Contact, Firm, Matter, Tag, TimelineEntry, User
from scheduling import demo as scheduling_demo

DEMO_PASSWORD = "atrium-demo-2026"  # noqa: S105 - published demo credential, see README

STAFF = [
    # email, first, last, firm admin, works as
    ("anna.kowalska@example.com", "Anna", "Kowalska", True, User.StaffTitle.LAWYER),
    ("marek.nowak@example.com", "Marek", "Nowak", False, User.StaffTitle.LAWYER),
    ("sofia.garcia@example.com", "Sofía", "García", False, User.StaffTitle.PARALEGAL),
]
CLIENTS = [
    # email, first, last, language, time zone, channel
    ("ewa@example.com", "Ewa", "Wiśniewska", "pl", "Europe/Warsaw", "email"),
    ("jan@example.com", "Jan", "Zieliński", "pl", "Europe/Warsaw", "sms"),
    ("maria@example.com", "María", "López", "es", "Europe/Madrid", "email"),
    ("dmitri@example.com", "Dmitri", "Sokolov", "ru", "Europe/Warsaw", "email"),
    ("laura@example.com", "Laura", "Bennett", "en", "Europe/London", "email"),
]
COCOUNSEL = ("olga.ivanova@example.com", "Olga", "Ivanova")

MATTERS = [
    # reference, title, area, client email, lawyer email, stage path, tags
    (
        "FAM-2026-001",
        "Divorce and custody arrangement",
        "family",
        "ewa@example.com",
        "anna.kowalska@example.com",
        ["engaged", "in_progress"],
        ["Family law", "Mediation"],
    ),
    (
        "EST-2026-002",
        "Will and estate plan",
        "estate",
        "jan@example.com",
        "marek.nowak@example.com",
        ["engaged"],
        ["Estate planning"],
    ),
    (
        "FAM-2026-003",
        "Child support review",
        "family",
        "maria@example.com",
        "anna.kowalska@example.com",
        ["engaged", "in_progress", "awaiting"],
        ["Family law"],
    ),
    (
        "EST-2026-004",
        "Trust for family home",
        "estate",
        "dmitri@example.com",
        "marek.nowak@example.com",
        [],
        ["Estate planning"],
    ),
    (
        "FAM-2025-017",
        "Prenuptial agreement",
        "family",
        "laura@example.com",
        "anna.kowalska@example.com",
        ["engaged", "in_progress", "closed"],
        ["Family law"],
    ),
]


class Command(BaseCommand):
    help = "Create the demo firm, staff, clients, matters and co-counsel (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="Skip the three months of history the insights pages show.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            self._seed()
            if not options["no_history"]:
                self._history()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at /accounts/login/"))
        self.stdout.write(f"  password for every demo account: {DEMO_PASSWORD}")
        titles = {
            "anna.kowalska@example.com": "firm admin, lawyer",
            "marek.nowak@example.com": "lawyer",
            "sofia.garcia@example.com": "paralegal",
        }
        for email, *_rest in STAFF:
            self.stdout.write(f"  {email:32} {titles[email]}")
        for email, *_rest in CLIENTS:
            self.stdout.write(f"  {email:32} client")
        self.stdout.write(f"  {COCOUNSEL[0]:32} co-counsel on FAM-2026-001")

    def _user(
        self,
        email: str,
        first: str,
        last: str,
        role: str,
        *,
        admin: bool = False,
        language: str = "en",
        tz: str = "Europe/Warsaw",
    ) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                role=role,
                language=language,
                time_zone=tz,
                is_staff=role == User.Role.STAFF,
                is_superuser=admin,
            )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _seed(self) -> None:
        Firm.objects.update_or_create(
            pk=1,
            defaults={
                "name": "Kowalska & Nowak Family Law",
                "time_zone": "Europe/Warsaw",
                "default_language": "en",
                "currency": "PLN",
                "promise_channels_en": (
                    "Secure messages in this portal; phone only for urgent court deadlines"
                ),
                "promise_channels_pl": (
                    "Bezpieczne wiadomości w tym portalu; telefon tylko przy pilnych terminach"
                    " sądowych"
                ),
                "promise_channels_es": (
                    "Mensajes seguros en este portal; teléfono solo para plazos judiciales urgentes"
                ),
                "promise_channels_ru": (
                    "Защищённые сообщения в этом портале; телефон — только при срочных"
                    " судебных сроках"
                ),
                "response_hours": 24,
            },
        )
        staff = {
            email: self._user(email, first, last, User.Role.STAFF, admin=admin)
            for email, first, last, admin, _title in STAFF
        }
        for email, *_names, works_as in STAFF:
            # Titles drive the role shown on the team pages; an older demo database has none.
            if not staff[email].staff_title:
                staff[email].staff_title = works_as
                staff[email].save(update_fields=["staff_title"])
        admin_user = staff[STAFF[0][0]]
        portal_demo.seed_profiles(actor=admin_user)
        tags = {}
        for name, category in [
            ("Family law", "practice_area"),
            ("Estate planning", "practice_area"),
            ("Mediation", "other"),
            ("Urgent", "priority"),
        ]:
            tags[name], _created = Tag.objects.get_or_create(name=name, category=category)

        contacts = {}
        for email, first, last, lang, tz, channel in CLIENTS:
            user = self._user(email, first, last, User.Role.CLIENT, language=lang, tz=tz)
            contact, _created = Contact.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "language": lang,
                    "time_zone": tz,
                    "preferred_channel": channel,
                    "sms_consent": channel == "sms",
                    "phone": "+48601234567" if channel == "sms" else "",
                },
            )
            if contact.user_id != user.pk:
                contact.user = user
                contact.save(update_fields=["user"])
            contacts[email] = contact
        Contact.objects.get_or_create(
            email="",
            first_name="Tomasz",
            last_name="Wiśniewski",
            defaults={"kind": Contact.Kind.OTHER_PARTY, "language": "pl"},
        )

        now = timezone.now()
        for ref, title, area, client_email, lawyer_email, path, tag_names in MATTERS:
            if Matter.objects.filter(reference=ref).exists():
                continue
            team = [staff["sofia.garcia@example.com"]]
            matter = services.matter_create(
                actor=admin_user,
                data=services.MatterData(
                    reference=ref,
                    title=title,
                    practice_area=area,
                    priority="normal",
                    responsible_lawyer=staff[lawyer_email],
                    team=team,
                    clients=[contacts[client_email]],
                    tags=[tags[n] for n in tag_names],
                ),
            )
            for stage in path:
                services.matter_change_stage(
                    actor=staff[lawyer_email], matter=matter, to_stage=stage
                )
            services.timeline_entry_add(
                actor=staff[lawyer_email],
                matter=matter,
                kind=TimelineEntry.Kind.UPDATE,
                title="Documents received, thank you",
                body="We have everything we need for the next step. Nothing is needed from you this week.",
                occurred_at=now - dt.timedelta(days=3),
            )
            services.timeline_entry_add(
                actor=staff[lawyer_email],
                matter=matter,
                kind=TimelineEntry.Kind.EVENT,
                title="Mediation session",
                body="Court mediation centre, room 2.",
                occurred_at=now + dt.timedelta(days=14),
            )
            services.timeline_entry_add(
                actor=staff[lawyer_email],
                matter=matter,
                kind=TimelineEntry.Kind.UPDATE,
                title="Internal: check opposing counsel's filing",
                shared_with_client=False,
                occurred_at=now - dt.timedelta(days=1),
            )

        email, first, last = COCOUNSEL
        cocounsel = self._user(email, first, last, User.Role.COCOUNSEL)
        matter = Matter.objects.get(reference="FAM-2026-001")
        if not matter.cocounsel_grants.filter(user=cocounsel, revoked_at=None).exists():
            services.cocounsel_share(
                actor=admin_user,
                matter=matter,
                email=email,
                first_name=first,
                last_name=last,
                expires_at=now + dt.timedelta(days=90),
            )

        # Scheduling: the three services, working hours, a few appointments.
        clients = list(Contact.objects.filter(kind=Contact.Kind.CLIENT).exclude(email="")[:3])
        scheduling_demo.seed(staff=list(staff.values()), clients=clients)
        intake_demo.seed(admin=staff["anna.kowalska@example.com"])

        # Portal: folders, documents with versions, messages, a checklist, tasks.
        portal_demo.seed()

        # Billing: settings, tax rates, an unpaid payment request for Ewa, a paid one for Jan,
        # and the rest of a firm's day: a draft, a part-paid, an overdue, a corrected and a
        # refunded document, Jan's late-cancellation fee and an advance asked of María.
        def client(email: str, reference: str) -> tuple[Contact, Matter]:
            return contacts[email], Matter.objects.get(reference=reference)

        billing_demo.seed(
            actor=admin_user,
            invoices=[
                (*client("ewa@example.com", "FAM-2026-001"), False),
                (*client("jan@example.com", "EST-2026-002"), True),
            ],
            day={
                "overdue": client("dmitri@example.com", "EST-2026-004"),
                "draft": client("laura@example.com", "FAM-2025-017"),
                "partial": client("maria@example.com", "FAM-2026-003"),
                "credited": client("laura@example.com", "FAM-2025-017"),
                "refunded": client("dmitri@example.com", "EST-2026-004"),
                "fee": client("jan@example.com", "EST-2026-002"),
                "request": client("maria@example.com", "FAM-2026-003"),
            },
        )

    def _history(self) -> None:
        """Three months before today, planned in config/demo_history and written by each
        app's demo module: prospects and their leads, first consultations (attended,
        missed, a few not marked yet), returning clients' appointments, consultation fees
        and documents paid at different speeds (some overdue, some in EUR), messages
        answered at different business-hour waits, contacts outside the portal, and the
        CSAT and NPS answers."""
        plan = demo_history.plan(timezone.now())
        staff = {u.email: u for u in User.objects.filter(email__in=[s[0] for s in STAFF])}
        admin_user = staff[STAFF[0][0]]
        people = portal_demo.seed_history_people(plan=plan, actor=admin_user)
        matters = portal_demo.seed_history_matters(
            plan=plan, people=people, staff=staff, actor=admin_user
        )
        portal_demo.seed_history_messages(plan=plan, rng=plan.rng("messages"))
        demo_clients = [
            (contact, matter)
            for matter in Matter.objects.filter(clients__user__isnull=False)
            .select_related("responsible_lawyer")
            .order_by("reference")
            for contact in matter.clients.filter(user__isnull=False)
        ]
        consultations = scheduling_demo.seed_history(
            plan=plan,
            people=people,
            staff=staff,
            clients=[(c, m) for c, m in demo_clients if m.stage != Matter.Stage.CLOSED],
            rng=plan.rng("appointments"),
        )
        history_clients = [(people[email], matter) for email, matter in matters.items()]
        billing_demo.seed_history(
            plan=plan,
            actor=admin_user,
            consultations=consultations,
            clients=history_clients,
            rng=plan.rng("billing"),
        )
        intake_demo.seed_history(
            plan=plan, people=people, consultations=consultations, matters=matters, staff=staff
        )
        insights_demo.seed(
            plan=plan,
            consultations=consultations,
            matters={c.email: matters[c.email] for c in plan.closings if c.email in matters},
            clients=demo_clients,
            rng=plan.rng("insights"),
        )
