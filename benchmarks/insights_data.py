"""A firm's year in bulk, for the insights benchmark and its query-budget test.

``build(scale=1.0)`` writes one year (ending now) for a 20-person firm with bulk inserts:
100,000 appointments, 20,000 invoices and 200,000 messages at scale 1, with leads and
their stage changes, consultation fees and their payments, invoice payments, contacts
outside the portal and CSAT/NPS feedback in proportion. Every count is ``scale`` times
its full size (at least a handful), so a test can build the same shape a thousand times
smaller. Deterministic (seeded). It writes the models directly: a benchmark of reads
needs the rows, not the services' side effects (notices, PDFs, audit rows).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.utils import timezone

ZONE = ZoneInfo("Europe/Warsaw")
FULL = {
    "appointments": 100_000,
    "invoices": 20_000,
    "messages": 200_000,
    "matters": 3_000,
    "contacts": 8_000,
    "leads": 8_000,
    "outside_contacts": 15_000,
}
LAWYERS = 12
PARALEGALS = 8
SLOT_MINUTES = 24  # 20 slots a day from 8:00: 100,000 a year for 20 people
AREAS = ["family", "estate", "immigration", "litigation", "corporate"]
SOURCES = ["website", "google", "referral", "directory", "social", "other"]
BATCH = 5000


@dataclass
class Built:
    admin: Any
    lawyer: Any
    counts: dict[str, int]


def _n(name: str, scale: float, floor: int = 10) -> int:
    return max(floor, round(FULL[name] * scale))


def build(
    *,
    scale: float = 1.0,
    seed: int = 7,
    now: dt.datetime | None = None,
    label: str = "",
    lawyers: int = LAWYERS,
    paralegals: int = PARALEGALS,
) -> Built:
    """``label`` keeps two builds apart in one database (its emails, numbers, keys);
    ``lawyers`` and ``paralegals``: the firm's people (the first lawyer is its admin)."""
    from billing.models import (
        Allocation,
        Invoice,
        InvoiceLine,
        Payment,
        PaymentAttempt,
        PaymentRequest,
    )
    from insights.models import Feedback, FeedbackRequest, OutsideContact
    from intake.models import Lead, LeadStageChange
    from portal.models import Contact, Firm, Matter, MatterUserObjectPermission, Message, User
    from scheduling.models import Appointment, Service

    rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
    now = now or timezone.now()
    start = now - dt.timedelta(days=365)
    Firm.objects.get_or_create(pk=1, defaults={"name": "Bench Firm", "currency": "PLN"})
    password = make_password(None)

    # ----------------------------------------------------------------- people
    staff = User.objects.bulk_create(
        [
            User(
                email=f"staff{i}{label}@bench.example",
                first_name=f"Staff{i}",
                last_name="Bench",
                role="staff",
                is_staff=True,
                is_superuser=i == 0,
                staff_title="lawyer" if i < lawyers else "paralegal",
                time_zone="Europe/Warsaw",
                password=password,
            )
            for i in range(lawyers + paralegals)
        ]
    )
    firm_lawyers = staff[:lawyers]
    n_matters = _n("matters", scale)
    n_contacts = max(n_matters + 10, _n("contacts", scale))
    client_users = User.objects.bulk_create(
        [
            User(
                email=f"client{i}{label}@bench.example",
                first_name=f"Client{i}",
                last_name="Bench",
                role="client",
                password=password,
            )
            for i in range(n_matters)
        ],
        batch_size=BATCH,
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                kind="client" if i < n_matters else "prospect",
                first_name=f"Client{i}",
                last_name="Bench",
                email=f"client{i}{label}@bench.example",
                user=client_users[i] if i < n_matters else None,
                created_at=start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60)),
            )
            for i in range(n_contacts)
        ],
        batch_size=BATCH,
    )
    matters = Matter.objects.bulk_create(
        [
            Matter(
                reference=f"B{label}-{i:05d}",
                title=f"Bench matter {i}",
                practice_area=AREAS[i % len(AREAS)],
                stage="closed" if i % 6 == 0 else "in_progress",
                responsible_lawyer=firm_lawyers[i % lawyers],
                created_at=start - dt.timedelta(days=rng.randrange(0, 400)),
                stage_changed_at=start + dt.timedelta(days=rng.randrange(1, 364)),
            )
            for i in range(n_matters)
        ],
        batch_size=BATCH,
    )
    Matter.clients.through.objects.bulk_create(
        [Matter.clients.through(matter=m, contact=contacts[i]) for i, m in enumerate(matters)],
        batch_size=BATCH,
    )
    view = Permission.objects.get(codename="view_matter", content_type__app_label="portal")
    MatterUserObjectPermission.objects.bulk_create(
        [
            MatterUserObjectPermission(permission=view, user=m.responsible_lawyer, content_object=m)
            for m in matters
        ]
        + [
            MatterUserObjectPermission(permission=view, user=client_users[i], content_object=m)
            for i, m in enumerate(matters)
        ],
        batch_size=BATCH,
    )

    # ----------------------------------------------------------------- appointments
    consult, _c = Service.objects.get_or_create(
        slug="bench-consultation",
        defaults={
            "name": "Consultation",
            "duration_minutes": 20,
            "price": Decimal("300"),
            "is_consultation": True,
            "payment_rule": "FULL_AT_BOOKING",
        },
    )
    intro, _c = Service.objects.get_or_create(
        slug="bench-intro",
        defaults={"name": "Intro call", "duration_minutes": 20, "is_consultation": True},
    )
    meeting, _c = Service.objects.get_or_create(
        slug="bench-meeting", defaults={"name": "Client meeting", "duration_minutes": 20}
    )
    days = []
    day = start.astimezone(ZONE).date() + dt.timedelta(days=1)
    while day < now.astimezone(ZONE).date():
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    per_day = len(staff) * 20
    n_appointments = min(_n("appointments", scale), len(days) * per_day)
    picks = sorted(rng.sample(range(len(days) * per_day), n_appointments))
    appointments = []
    for k, slot in enumerate(picks):
        day_index, rest = divmod(slot, per_day)
        member = staff[rest // 20]
        begin = dt.datetime.combine(days[day_index], dt.time(8), tzinfo=ZONE) + dt.timedelta(
            minutes=SLOT_MINUTES * (rest % 20)
        )
        begin = begin.astimezone(dt.UTC)
        roll = rng.random()
        service = consult if roll < 0.25 else intro if roll < 0.35 else meeting
        matter_index = rng.randrange(n_matters)
        status = rng.choices(
            ["attended", "no_show", "cancelled", "rescheduled", "booked"], [85, 10, 3, 1, 1]
        )[0]
        if begin > now - dt.timedelta(hours=1):
            status = "booked"
        appointments.append(
            Appointment(
                service=service,
                staff=member,
                contact=contacts[matter_index if service is meeting else rng.randrange(n_contacts)],
                matter=matters[matter_index] if service is meeting else None,
                start_at=begin,
                end_at=begin + dt.timedelta(minutes=20),
                blocked_start=begin,
                blocked_end=begin + dt.timedelta(minutes=20),
                status=status,
                uid=f"bench{label}-{k}@atrium",
                manage_token=f"bench{label}-{k}",
                time_zone="Europe/Warsaw",
                created_at=begin - dt.timedelta(days=rng.randint(0, 10), hours=rng.randint(0, 8)),
                origin="public",
                policy_snapshot={"pay_at_booking": "300", "currency": "PLN"}
                if service is consult
                else None,
            )
        )
    Appointment.objects.bulk_create(appointments, batch_size=BATCH)
    consults = [a for a in appointments if a.service_id in (consult.pk, intro.pk)]

    # ----------------------------------------------------------------- leads and fees
    n_leads = min(_n("leads", scale), len(consults))
    lead_consults = rng.sample(consults, n_leads)
    leads, changes = [], []
    for k, appointment in enumerate(lead_consults):
        created = appointment.created_at - dt.timedelta(hours=rng.randint(0, 72))
        path = ["consult_booked"]
        if appointment.status == "attended":
            path += ["consult_held"] + rng.choice(
                [["engagement_sent", "retained"], ["declined"], ["lost"], []]
            )
        elif appointment.status == "no_show":
            path += ["no_show"]
        lead = Lead(
            contact_id=appointment.contact_id,
            status=path[-1],
            source=SOURCES[k % len(SOURCES)],
            practice_area=AREAS[k % len(AREAS)],
            assigned_to=appointment.staff,
            consult_appointment=appointment,
            created_at=created,
        )
        leads.append(lead)
        at, previous = created, "new"
        for step in path:
            at = max(at + dt.timedelta(hours=rng.randint(1, 90)), appointment.end_at)
            if step == "consult_booked":
                at = appointment.created_at
            changes.append(LeadStageChange(lead=lead, from_status=previous, to_status=step, at=at))
            previous = step
    Lead.objects.bulk_create(leads, batch_size=BATCH)
    LeadStageChange.objects.bulk_create(changes, batch_size=BATCH)

    requests, attempts, payments, allocations = [], [], [], []
    for k, appointment in enumerate(a for a in consults if a.service_id == consult.pk):
        if appointment.status in ("cancelled", "rescheduled"):
            continue
        paid_at = appointment.created_at + dt.timedelta(
            minutes=rng.randint(1, 30) if rng.random() < 0.8 else rng.randint(1440, 9000)
        )
        request = PaymentRequest(
            kind="CONSULTATION_FEE",
            contact_id=appointment.contact_id,
            appointment=appointment,
            amount=Decimal("300.00"),
            currency="PLN",
            status="PAID" if paid_at < now else "OPEN",
            created_at=appointment.created_at,
        )
        requests.append(request)
        if paid_at >= now:
            continue
        attempt = PaymentAttempt(
            request=request,
            amount=request.amount,
            currency="PLN",
            status="SUCCEEDED",
            idempotency_key=f"bench{label}:{k}",
            expires_at=paid_at + dt.timedelta(minutes=30),
            created_at=paid_at,
        )
        attempts.append(attempt)
        payments.append(
            Payment(
                contact_id=appointment.contact_id,
                method="CARD",
                amount=request.amount,
                currency="PLN",
                received_at=paid_at,
                attempt=attempt,
            )
        )

    # ----------------------------------------------------------------- invoices
    invoices, lines = [], []
    for k in range(_n("invoices", scale)):
        matter_index = rng.randrange(n_matters)
        issued = start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        issue_date = issued.astimezone(ZONE).date()
        currency = "EUR" if k % 10 == 0 else "PLN"
        total = Decimal(rng.randint(2, 40) * 100)
        invoice = Invoice(
            document="INVOICE",
            number=f"BENCH{label}/{k:06d}",
            lifecycle="DRAFT",
            settlement="UNPAID",
            contact=contacts[matter_index],
            matter=matters[matter_index],
            currency=currency,
            issue_date=issue_date,
            due_date=issue_date + dt.timedelta(days=14),
            language="pl",
            subtotal=total,
            total=total,
            balance=total,
            issued_at=issued,
            created_at=issued,
        )
        invoices.append(invoice)
        lines.append(
            InvoiceLine(
                invoice=invoice,
                description="Legal work",
                quantity=Decimal("1"),
                unit_price=total,
                net=total,
                gross=total,
            )
        )
        paid_at = issued + dt.timedelta(days=rng.choice([0, 1, 3, 7, 10, 14, 20, 30, 45, 400]))
        if paid_at >= now:
            continue
        payment = Payment(
            contact=invoice.contact,
            method="BANK_TRANSFER",
            amount=total,
            currency=currency,
            received_at=paid_at,
        )
        payments.append(payment)
        allocations.append(
            Allocation(payment=payment, invoice=invoice, amount=total, created_at=paid_at)
        )
        invoice.settlement, invoice.allocated_total, invoice.balance = "PAID", total, Decimal(0)
    PaymentRequest.objects.bulk_create(requests, batch_size=BATCH)
    PaymentAttempt.objects.bulk_create(attempts, batch_size=BATCH)
    # Written as drafts, then issued: PostgreSQL refuses lines added to an issued invoice.
    Invoice.objects.bulk_create(invoices, batch_size=BATCH)
    InvoiceLine.objects.bulk_create(lines, batch_size=BATCH)
    Invoice.objects.filter(lifecycle="DRAFT", number__startswith=f"BENCH{label}/").update(
        lifecycle="ISSUED"
    )
    Payment.objects.bulk_create(payments, batch_size=BATCH)
    Allocation.objects.bulk_create(allocations, batch_size=BATCH)

    # ----------------------------------------------------------------- messages
    n_messages = _n("messages", scale)
    per_matter = max(2, n_messages // n_matters)
    messages = []
    for i, matter in enumerate(matters):
        at = start + dt.timedelta(minutes=rng.randrange(60 * 24 * 30))
        step = dt.timedelta(minutes=max(60, 365 * 24 * 60 // per_matter))
        for j in range(per_matter):
            if len(messages) >= n_messages:
                break
            client_side = j % 2 == 0 or rng.random() < 0.15
            at += step * rng.uniform(0.5, 1.4)
            if at >= now:
                break
            messages.append(
                Message(
                    matter=matter,
                    sender=client_users[i] if client_side else matter.responsible_lawyer,
                    side="client" if client_side else "firm",
                    text="Bench message",
                    created_at=at,
                    promise_hours=24 if client_side else None,
                )
            )
    Message.objects.bulk_create(messages, batch_size=BATCH)

    # ----------------------------------------------------------------- insights rows
    outside = [
        OutsideContact(
            contact=contacts[(m := rng.randrange(n_matters))],
            matter=matters[m],
            channel=rng.choice(["phone", "email", "whatsapp", "sms"]),
            direction="in" if rng.random() < 0.85 else "out",
            at=(at := start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))),
            logged_by=matters[m].responsible_lawyer,
            created_at=at,
        )
        for _k in range(_n("outside_contacts", scale))
    ]
    OutsideContact.objects.bulk_create(outside, batch_size=BATCH)
    feedback_requests, answers = [], []
    for k, appointment in enumerate(a for a in consults if a.status == "attended"):
        if k % 3:
            continue  # at most one request per contact per week: not every consultation
        sent = appointment.end_at + dt.timedelta(hours=2)
        if sent >= now:
            continue
        request = FeedbackRequest(
            kind="csat_consult",
            contact_id=appointment.contact_id,
            appointment=appointment,
            staff=appointment.staff,
            token_hash=f"csat{label}-{k:050d}",
            send_after=sent,
            sent_at=sent,
            expires_at=sent + dt.timedelta(days=30),
            created_at=appointment.end_at,
        )
        feedback_requests.append(request)
        if rng.random() < 0.7:
            answered = sent + dt.timedelta(hours=rng.randint(1, 48))
            request.responded_at = answered
            answers.append(
                Feedback(
                    request=request,
                    score=rng.choices([5, 4, 3, 2, 1], [55, 30, 9, 4, 2])[0],
                    comment="Bench comment" if rng.random() < 0.3 else "",
                    created_at=answered,
                )
            )
    for i, matter in enumerate(matters):
        if matter.stage != "closed":
            continue
        sent = matter.stage_changed_at + dt.timedelta(days=2)
        if sent >= now:
            continue
        request = FeedbackRequest(
            kind="nps_close",
            contact=contacts[i],
            matter=matter,
            staff=matter.responsible_lawyer,
            token_hash=f"nps{label}-{i:050d}",
            send_after=sent,
            sent_at=sent,
            expires_at=sent + dt.timedelta(days=30),
            created_at=matter.stage_changed_at,
        )
        feedback_requests.append(request)
        if rng.random() < 0.6:
            answered = sent + dt.timedelta(hours=rng.randint(1, 72))
            request.responded_at = answered
            answers.append(Feedback(request=request, score=rng.randint(3, 10), created_at=answered))
    FeedbackRequest.objects.bulk_create(feedback_requests, batch_size=BATCH)
    Feedback.objects.bulk_create(answers, batch_size=BATCH)

    counts = {
        "staff": len(staff),
        "contacts": len(contacts),
        "matters": len(matters),
        "appointments": len(appointments),
        "leads": len(leads),
        "lead stage changes": len(changes),
        "fee requests": len(requests),
        "invoices": len(invoices),
        "payments": len(payments),
        "messages": len(messages),
        "outside contacts": len(outside),
        "feedback requests": len(feedback_requests),
        "feedback": len(answers),
    }
    return Built(admin=staff[0], lawyer=staff[1], counts=counts)
