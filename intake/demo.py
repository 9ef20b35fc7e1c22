"""The demo firm's intake: a short first-consultation form, an immigration form, the
services that ask them, and inquiries sent through the forms (idempotent)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import QueryDict

from intake import samples, services
from intake.models import (
    ConflictCheck,
    Engagement,
    IntakeForm,
    IntakeSubmission,
    Lead,
    LeadStageChange,
    ServiceIntake,
)
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
    seed_engagements(admin=admin)


# The engagement letter the demo client Ewa finds waiting in her portal.
LETTER_CLIENT = "ewa@example.com"
LETTER_BODY = {
    "pl": (
        "Szanowna Pani {{ client.full_name }},\n\n"
        "{{ firm.name }} podejmuje się prowadzenia sprawy: {{ matter.scope }}.\n"
        '{% if fee_model == "flat" %}Wynagrodzenie ryczałtowe wynosi {{ fee.amount }}.'
        "{% endif %}\n\n{{ lawyer.full_name }}"
    ),
    "en": (
        "Dear {{ client.full_name }},\n\n"
        "{{ firm.name }} will act for you in: {{ matter.scope }}.\n"
        '{% if fee_model == "flat" %}The flat fee is {{ fee.amount }}.{% endif %}\n\n'
        "{{ lawyer.full_name }}"
    ),
}
# The inquiry the firm took on (agreed at the office, so no letter was signed in Atrium).
RETAINED_EMAIL = "alejandro.ruiz@example.com"


def _clear(lead: Lead, admin: Any) -> bool:
    """The demo's conflict decisions: a review the lawyer already cleared."""
    check = lead.conflict_checks.order_by("-run_at").first()
    if check is not None and check.status == ConflictCheck.Status.NEEDS_REVIEW:
        services.conflict_check_decide(
            check=check,
            decision="cleared",
            note="Checked by phone: not the same person.",
            actor=admin,
        )
        lead.refresh_from_db()
    return lead.conflict_state in ConflictCheck.OK_STATES


def _retained(admin: Any) -> None:
    lead = Lead.objects.filter(contact__email=RETAINED_EMAIL).order_by("created_at").first()
    if lead is None or lead.status == Lead.Status.RETAINED or not _clear(lead, admin):
        return
    services.lead_retain(
        lead_id=lead.pk,
        actor=admin,
        data=services.RetainInput(
            reference="IMM-2026-004",
            title="Residence permit: Alejandro Ruiz",
            responsible_lawyer_id=admin.pk,
            agreed_outside_note="Signed on paper at the office after the consultation.",
        ),
    )


def _letter_for_ewa(admin: Any) -> None:
    contact = (
        portal_selectors.contacts_for_staff(user=admin, query="")
        .filter(email=LETTER_CLIENT)
        .first()
    )
    if contact is None or Engagement.objects.filter(contact=contact).exists():
        return
    language = contact.language if contact.language in LETTER_BODY else "en"
    template = services.engagement_template_save(
        actor=admin,
        template=None,
        data=services.TemplateData(
            name="Family matters (flat fee)",
            language=language,
            body=LETTER_BODY[language],
            fee_model="flat",
            practice_area="family",
            fee_amount=Decimal("4500.00"),
            currency="PLN",
        ),
    )
    # Ewa comes back about the child support review after her first consultation.
    lead = Lead.objects.create(
        contact=contact,
        source=Lead.Source.RETURNING,
        status=Lead.Status.CONSULT_HELD,
        practice_area="family",
        assigned_to=admin,
    )
    services.conflict_check_lead(lead=lead)
    lead.refresh_from_db()
    if not _clear(lead, admin):
        return
    engagement = services.engagement_create(
        lead=lead,
        template=template,
        scope="Review of child support (alimenty) after the divorce",
        fee_amount=None,
        actor=admin,
    )
    services.engagement_send(engagement=engagement, actor=admin)


def seed_engagements(*, admin: Any) -> None:
    """A letter waiting for Ewa's signature in her portal, and one retained lead."""
    _retained(admin)
    _letter_for_ewa(admin)


# ---------------------------------------------------------------------------
# Three months of history for the insights pages (seed_demo plans it: config/demo_history)
# ---------------------------------------------------------------------------


def seed_history(
    *,
    plan: Any,
    people: dict[str, Any],
    consultations: dict[str, Any],
    matters: dict[str, Any],
    staff: dict[str, Any],
) -> None:
    """The prospects' leads from the plan: created at the inquiry, moved through their
    stages on the planned dates (booked, held or missed, letter sent, retained, declined,
    lost), linked to their first consultation and, once retained, to their matter.
    Written directly (history, not today's work: no notices, no conflict runs); idempotent."""
    if Lead.objects.filter(contact__email__in=[c.email for c in plan.cases]).exists():
        return
    leads = []
    changes = []
    for case in plan.cases:
        appointment = consultations.get(case.email)
        matter = matters.get(case.email)
        lead = Lead(
            contact=people[case.email],
            status=case.status,
            source=case.source,
            practice_area=case.area,
            interested_service_id=appointment.service_id if appointment else None,
            assigned_to=staff[case.staff],
            matter=matter,
            consult_appointment=appointment,
            created_at=case.inquiry_at,
            conflict_state="clear",
        )
        if case.status in Lead.TERMINAL:
            reason = case.stages[-1][2]
            lead.closed_on = case.stages[-1][1].date()
            if case.status == Lead.Status.DECLINED:
                lead.declined_reason = reason
            elif case.status == Lead.Status.LOST:
                lead.lost_reason = reason
        leads.append(lead)
        previous = Lead.Status.NEW
        for to_status, at, reason in case.stages:
            changes.append(
                LeadStageChange(
                    lead=lead,
                    from_status=previous,
                    to_status=to_status,
                    at=at,
                    by=None if to_status in ("consult_booked", "no_show") else staff[case.staff],
                    reason=reason,
                )
            )
            previous = to_status
    Lead.objects.bulk_create(leads)
    LeadStageChange.objects.bulk_create(changes)
