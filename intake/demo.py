"""The demo firm's intake: a short first-consultation form, an immigration form, the
services that ask them, and inquiries sent through the forms (idempotent)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from intake import samples, services
from intake.models import IntakeForm, IntakeSubmission, Lead, ServiceIntake
from intake.services import conflicts
from portal import selectors as portal_selectors
from portal import services as portal_services
from scheduling import selectors as scheduling_selectors

# Other parties on the demo matters: reference, first name, last name, organisation, role.
PARTIES = [
    ("FAM-2026-001", "Tomasz", "Wiśniewski", "", "ADVERSE"),
    # A company contact keeps its name in first and last name (both are required).
    ("EST-2026-002", "Nowak Deweloper", "sp. z o.o.", "Nowak Deweloper sp. z o.o.", "ADVERSE"),
]

FORMS = [
    # slug, name, purpose, practice area, questions
    ("first-consultation", "First consultation", "booking", "", samples.initial_consultation),
    ("immigration", "Immigration", "matter_type", "immigration", samples.immigration),
]
# Which service asks which form, and when.
TIES = [
    ("introductory-call", "first-consultation", ServiceIntake.Timing.AFTER_BOOKING),
    ("initial-consultation", "first-consultation", ServiceIntake.Timing.BEFORE_BOOKING),
]
INQUIRIES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "first-consultation",
        "website",
        {
            "first_name": "Katarzyna",
            "last_name": "Nowak",
            "email": "katarzyna.nowak@example.com",
            "topic": "family",
            "has_other_side": "yes",
            "other_parties__name": ["Tomasz Wiśniewski"],
            "other_parties__organisation": [""],
            "other_parties__role": ["adverse"],
            "other_parties__relationship": ["former partner"],
            "deadline": "2026-12-20",
        },
    ),
    (
        "immigration",
        "referral",
        {
            "first_name": "Alejandro",
            "last_name": "Ruiz",
            "email": "alejandro.ruiz@example.com",
            "country_of_origin": "CO",
            "status": "temporary",
            "permit_expires": "2027-01-15",
        },
    ),
]


# A third inquiry the firm lost (the pipeline shows leads in several stages).
LOST = (
    "immigration",
    "website",
    {
        "first_name": "Olena",
        "last_name": "Shevchenko",
        "email": "olena.shevchenko@example.com",
        "country_of_origin": "UA",
        "status": "visa",
        "permit_expires": "2026-12-30",
    },
)


def _query(data: dict[str, Any]) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in data.items():
        q.setlist(key, value if isinstance(value, list) else [value])
    return q


def _parties(admin: Any) -> None:
    matters = {m.reference: m for m in portal_selectors.matters_visible_to(admin)}
    for reference, first, last, organisation, role in PARTIES:
        matter = matters.get(reference)
        if matter is None or matter.parties.filter(role=role).exists():
            continue
        contact = (
            portal_selectors.contacts_for_staff(user=admin, query=last or first)
            .filter(first_name=first, last_name=last)
            .first()
        ) or portal_services.contact_create(
            actor=admin,
            data={
                "kind": "other_party",
                "first_name": first,
                "last_name": last,
                "organisation_name": organisation,
            },
        )
        portal_services.matter_party_add(actor=admin, matter=matter, contact=contact, role=role)


def seed(*, admin: Any) -> None:
    _parties(admin)
    # The seed is one transaction; the index must hold the parties before the inquiries
    # below are checked (the on-commit handlers would come too late).
    conflicts.conflict_index_rebuild()
    forms: dict[str, IntakeForm] = {}
    for slug, name, purpose, area, questions in FORMS:
        form = IntakeForm.objects.filter(slug=slug).first()
        if form is None:
            form = services.form_create(
                actor=admin,
                name=name,
                slug=slug,
                purpose=purpose,
                practice_area=area,
                fields=questions(),
            )
            services.form_publish(form=form, actor=admin)
        forms[slug] = form
    by_slug = {s.slug: s for s in scheduling_selectors.services_active()}
    for service_slug, form_slug, timing in TIES:
        service = by_slug.get(service_slug)
        if service is not None and not ServiceIntake.objects.filter(service=service).exists():
            services.service_intake_set(
                service_id=service.pk, form=forms[form_slug], timing=timing, actor=admin
            )
    for form_slug, source, answers in [*INQUIRIES, LOST]:
        if IntakeSubmission.objects.filter(contact__email=answers["email"]).exists():
            continue
        version = forms[form_slug].versions.get(status="published")
        draft = services.draft_start(version=version, source=source, language="en")
        services.intake_submit(draft=draft, data=_query(answers))
    lost = Lead.objects.filter(contact__email=LOST[2]["email"], status=Lead.Status.NEW).first()
    if lost is not None:
        services.lead_close(lead=lost, to=Lead.Status.LOST, reason="other_firm", actor=admin)
