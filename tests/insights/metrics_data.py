"""The golden dataset of the metric tests (insights.md §10.1): about sixty rows across
appointments, leads, payment requests and payments, invoices, messages, contacts outside
the portal and feedback, for March 2026 in Europe/Warsaw (the firm's zone), with values
worked out by hand in tests/insights/test_metrics_golden.py.

Two lawyers: Lena (L1, matter m1, family) and Marek (L2, matter m2, estate); an admin.
Rows are written straight to the tables where the services would need a whole booking
or Stripe flow to produce them (a paid fee, an invoice settled months ago); the matters
and people go through the factories (so their grants are real).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache

from audit.services import audit_record
from billing.models import (
    Allocation,
    CreditNote,
    Invoice,
    Payment,
    PaymentAttempt,
    PaymentRequest,
)
from insights.models import Feedback, FeedbackRequest, OutsideContact
from intake.audit_actions import IntakeAction
from intake.models import Lead, LeadStageChange
from portal.models import Contact, Firm, Matter, Message, User
from scheduling.models import Appointment, Service
from tests import factories
from tests.scheduling.helpers import make_appointment, make_service

UTC = dt.UTC
MARCH = (2026, 3)
# The figures are read on 10 April 2026: March is closed, its last waits still open.
NOW = dt.datetime(2026, 4, 10, 12, 0, tzinfo=UTC)

_seq = itertools.count(1)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An instant in 2026, given in UTC."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Golden:
    admin: User
    lena: User
    marek: User
    contacts: dict[str, Contact]
    clients: dict[str, User]
    m1: Matter
    m2: Matter
    consult: Service
    checkin: Service
    appointments: dict[int, Appointment] = field(default_factory=dict)
    leads: dict[str, Lead] = field(default_factory=dict)
    invoices: dict[str, Invoice] = field(default_factory=dict)


def people() -> tuple[User, User, User, dict[str, Contact], dict[str, User]]:
    admin = factories.AdminFactory(first_name="Ada", last_name="Admin")
    lena = factories.StaffFactory(first_name="Lena", last_name="Lis")
    marek = factories.StaffFactory(first_name="Marek", last_name="Nowak")
    contacts: dict[str, Contact] = {}
    clients: dict[str, User] = {}
    for key in ("c1", "c4"):
        user, contact = factories.client_with_contact(first_name=key.upper(), last_name="Client")
        clients[key] = user
        contacts[key] = contact
    for key in ("c2", "c3", "c5", "c6", "c7", "c8"):
        contacts[key] = factories.ContactFactory(first_name=key.upper(), last_name="Prospect")
    return admin, lena, marek, contacts, clients


def appointment(
    g: Golden, n: int, start: dt.datetime, service: Service, staff: User, contact: str, status: str
) -> Appointment:
    a = make_appointment(
        service=service,
        staff=staff,
        contact=g.contacts[contact],
        start=start,
        status=status,
        policy_snapshot={"payment_rule": service.payment_rule},
    )
    g.appointments[n] = a
    return a


def lead(
    g: Golden,
    key: str,
    contact: str,
    created: dt.datetime,
    *,
    source: str,
    staff: User,
    area: str,
    changes: list[tuple[str, dt.datetime]],
    **extra: Any,
) -> Lead:
    row = Lead.objects.create(
        contact=g.contacts[contact],
        source=source,
        practice_area=area,
        assigned_to=staff,
        created_at=created,
        status=changes[-1][0] if changes else "new",
        **extra,
    )
    previous = "new"
    for to_status, when in changes:
        LeadStageChange.objects.create(
            lead=row, from_status=previous, to_status=to_status, at=when, by=staff
        )
        previous = to_status
    g.leads[key] = row
    return row


def fee(
    g: Golden,
    created: dt.datetime,
    appointment_no: int,
    *,
    paid: dt.datetime | None,
    method: str = "CARD",
    status: str | None = None,
) -> PaymentRequest:
    a = g.appointments[appointment_no]
    request = PaymentRequest.objects.create(
        kind=PaymentRequest.Kind.CONSULTATION_FEE,
        contact=a.contact,
        appointment=a,
        amount=Decimal("200.00"),
        currency="PLN",
        status=status or ("PAID" if paid else "OPEN"),
        created_at=created,
    )
    if paid is not None:
        attempt = PaymentAttempt.objects.create(
            request=request,
            amount=request.amount,
            currency="PLN",
            status=PaymentAttempt.Status.SUCCEEDED,
            idempotency_key=f"golden-{next(_seq)}",
            expires_at=created + dt.timedelta(hours=1),
            created_at=created,
        )
        Payment.objects.create(
            contact=a.contact,
            method=method,
            amount=request.amount,
            currency="PLN",
            received_at=paid,
            attempt=attempt,
        )
    return request


def invoice(
    g: Golden,
    key: str,
    matter: Matter,
    issued: dt.date,
    total: str,
    currency: str,
    *,
    payments: list[tuple[dt.datetime, str, str]] = (),  # type: ignore[assignment]
    due: dt.date | None = None,
    credited: dt.datetime | None = None,
) -> Invoice:
    amount = Decimal(total)
    paid = sum((Decimal(p[1]) for p in payments), Decimal("0"))
    settlement = "PAID" if paid >= amount else ("PARTIAL" if paid else "UNPAID")
    if credited is not None:
        settlement = "CREDITED"
    row = Invoice.objects.create(
        number=f"G/{next(_seq)}/2026",
        lifecycle=Invoice.Lifecycle.ISSUED,
        settlement=settlement,
        contact=matter.clients.first(),
        matter=matter,
        currency=currency,
        issue_date=issued,
        issued_at=dt.datetime.combine(issued, dt.time(9), tzinfo=UTC),
        due_date=due or issued + dt.timedelta(days=14),
        language="en",
        subtotal=amount,
        total=amount,
        allocated_total=paid,
        balance=Decimal("0") if credited else max(amount - paid, Decimal("0")),
    )
    for when, part, method in payments:
        payment = Payment.objects.create(
            contact=row.contact,
            method=method,
            amount=Decimal(part),
            currency=currency,
            received_at=when,
        )
        Allocation.objects.create(
            payment=payment, invoice=row, amount=Decimal(part), created_at=when
        )
    if credited is not None:
        CreditNote.objects.create(
            number=f"GC/{next(_seq)}/2026",
            invoice=row,
            reason=CreditNote.Reason.choices[0][0],
            issue_date=credited.date(),
            currency=currency,
            subtotal=amount,
            total=amount,
            issued_at=credited,
        )
    g.invoices[key] = row
    return row


def message(matter: Matter, sender: User, side: str, when: dt.datetime) -> Message:
    return Message.objects.create(
        matter=matter, sender=sender, side=side, text="…", created_at=when
    )


def outside(
    contact: Contact,
    matter: Matter | None,
    channel: str,
    direction: str,
    when: dt.datetime,
    by: User,
) -> OutsideContact:
    return OutsideContact.objects.create(
        contact=contact,
        matter=matter,
        channel=channel,
        direction=direction,
        at=when,
        logged_by=by,
        created_at=when,
    )


def feedback(
    kind: str,
    contact: Contact,
    staff: User,
    sent: dt.datetime,
    score: int | None,
    *,
    appointment: Appointment | None = None,
    matter: Matter | None = None,
) -> FeedbackRequest:
    request = FeedbackRequest.objects.create(
        kind=kind,
        contact=contact,
        appointment=appointment,
        matter=matter,
        staff=staff,
        token_hash=uuid.uuid4().hex,
        send_after=sent,
        sent_at=sent,
        expires_at=sent + dt.timedelta(days=30),
        responded_at=None if score is None else sent + dt.timedelta(hours=3),
    )
    if score is not None:
        Feedback.objects.create(request=request, score=score)
    return request


def build() -> Golden:
    Firm.objects.filter(pk=1).update(time_zone="Europe/Warsaw", response_hours=24, country="PL")
    cache.clear()
    admin, lena, marek, contacts, clients = people()
    m1 = factories.make_matter(lawyer=lena, clients=[contacts["c1"]], practice_area="family")
    m2 = factories.make_matter(lawyer=marek, clients=[contacts["c4"]], practice_area="estate")
    # The matters existed long before March (a matter before an appointment makes its
    # client "returning"; these are kept after March so attended visits decide).
    Matter.objects.filter(pk__in=[m1.pk, m2.pk]).update(created_at=at(5, 1))
    consult = make_service(
        staff=[lena, marek],
        slug="consultation",
        minutes=60,
        name="Consultation",
        is_consultation=True,
    )
    checkin = make_service(staff=[lena, marek], slug="check-in", minutes=30, name="Check-in")
    g = Golden(admin, lena, marek, contacts, clients, m1, m2, consult, checkin)

    # ---------------------------------------------------------------- appointments
    A, N, C, R, B = "attended", "no_show", "cancelled", "rescheduled", "booked"
    appointment(g, 1, at(2, 28, 23, 30), consult, lena, "c1", A)  # 00:30 on 1 March in Warsaw
    appointment(g, 2, at(3, 2, 9), consult, lena, "c2", A)
    appointment(g, 3, at(3, 3, 9), consult, lena, "c3", A)
    appointment(g, 4, at(3, 4, 9), checkin, lena, "c1", A)  # returning (1 was attended)
    appointment(g, 5, at(3, 5, 9), checkin, lena, "c2", N)  # returning (2 was attended)
    appointment(g, 6, at(3, 6, 9), consult, marek, "c4", A)
    appointment(g, 7, at(3, 9, 9), consult, marek, "c5", N)
    appointment(g, 8, at(3, 10, 9), checkin, marek, "c4", A)  # returning (6)
    appointment(g, 9, at(3, 11, 9), consult, marek, "c6", N)
    appointment(g, 10, at(3, 12, 9), consult, lena, "c7", C)
    appointment(g, 11, at(3, 13, 9), consult, lena, "c7", R)
    a12 = appointment(g, 12, at(3, 16, 9), consult, lena, "c7", A)
    Appointment.objects.filter(pk=a12.pk).update(replaces=g.appointments[11])
    appointment(g, 13, at(3, 17, 9), checkin, marek, "c6", B)  # over, never marked
    appointment(g, 14, at(3, 31, 22, 30), checkin, lena, "c3", A)  # 00:30 on 1 April

    # ---------------------------------------------------------------- leads
    lead(g, "a", "c2", at(3, 2, 8), source="website", staff=lena, area="family", changes=[
        ("consult_booked", at(3, 2, 8, 10)), ("consult_held", at(3, 2, 10)),
        ("engagement_sent", at(3, 3, 10)), ("retained", at(3, 5, 10)),
    ])  # fmt: skip
    lead(g, "b", "c3", at(3, 2, 12), source="referral", staff=lena, area="family", changes=[
        ("consult_booked", at(3, 2, 12, 10)), ("consult_held", at(3, 3, 10)),
        ("declined", at(3, 4, 10)),
    ], declined_reason="conflict")  # fmt: skip
    lead(g, "c", "c5", at(3, 4, 10), source="google", staff=marek, area="estate", changes=[
        ("consult_booked", at(3, 4, 10, 10)), ("no_show", at(3, 9, 10)), ("lost", at(3, 20, 10)),
    ], lost_reason="no_response")  # fmt: skip
    lead(g, "d", "c6", at(3, 9, 10), source="google", staff=marek, area="estate", changes=[
        ("consult_booked", at(3, 9, 10, 10)),
    ])  # fmt: skip
    lead(g, "e", "c7", at(3, 6, 10), source="website", staff=lena, area="family", changes=[
        ("consult_booked", at(3, 6, 10, 10)), ("consult_held", at(3, 16, 10)),
        ("retained", at(4, 2, 10)),
    ])  # fmt: skip
    lead(g, "f", "c8", at(3, 23, 10), source="other", staff=lena, area="family", changes=[])
    lead(
        g, "g", "c4", at(3, 31, 22, 30), source="returning", staff=marek, area="estate", changes=[]
    )
    # Two staff touches on lead a (an edit and a letter), one by nobody on the staff.
    for _ in range(2):
        audit_record(action=IntakeAction.STAGE_TWO_SENT, actor=lena, obj=g.leads["a"])

    # ---------------------------------------------------------------- consultation fees
    fee(g, at(3, 2, 10), 2, paid=at(3, 2, 15))
    fee(g, at(3, 3, 22, 30), 3, paid=at(3, 3, 23, 30))  # 23:30 → 00:30 the next day in Warsaw
    fee(g, at(3, 10, 10), 6, paid=at(3, 10, 11), method="BLIK")
    fee(g, at(3, 11, 10), 7, paid=at(3, 13, 10))
    fee(g, at(3, 12, 10), 9, paid=None)
    fee(g, at(3, 13, 10), 10, paid=None, status="CANCELLED")
    fee(g, at(3, 16, 10), 12, paid=at(3, 16, 12))

    # ---------------------------------------------------------------- invoices
    d = dt.date
    BT, CASH, CARD = "BANK_TRANSFER", "CASH", "CARD"
    invoice(g, "inv1", m1, d(2026, 3, 1), "1000", "PLN", payments=[(at(3, 5), "1000", BT)])
    invoice(g, "inv2", m1, d(2026, 2, 20), "1000", "PLN",
            payments=[(at(2, 25), "500", BT), (at(3, 10), "500", BT)])  # fmt: skip
    invoice(g, "inv3", m2, d(2026, 3, 2), "600", "PLN", payments=[(at(3, 2, 14), "600", CASH)])
    invoice(g, "inv4", m2, d(2026, 3, 3), "700", "PLN", payments=[(at(3, 20), "700", BT)])
    invoice(g, "inv11", m2, d(2026, 3, 9), "900", "PLN", payments=[(at(3, 16), "900", CARD)])
    invoice(g, "inv5", m1, d(2026, 3, 5), "800", "PLN", payments=[(at(3, 31, 22, 30), "800", BT)])
    invoice(g, "inv6", m2, d(2026, 3, 2), "250", "EUR", payments=[(at(3, 9), "250", BT)])
    invoice(g, "inv7", m1, d(2026, 3, 4), "350", "EUR", payments=[(at(3, 12), "350", BT)])
    invoice(g, "inv8", m1, d(2026, 3, 6), "500", "PLN", credited=at(3, 15))
    invoice(g, "inv9", m2, d(2026, 2, 1), "300", "PLN", due=d(2026, 2, 15))
    invoice(g, "inv10", m1, d(2026, 3, 20), "400", "EUR", due=d(2026, 4, 3))
    # Lead a's first invoice, in April: the funnel's revenue in its first 90 days.
    m3 = factories.make_matter(lawyer=lena, clients=[contacts["c2"]], practice_area="family")
    invoice(g, "inv12", m3, d(2026, 4, 15), "1200", "PLN")

    # ---------------------------------------------------------------- messages
    c1, c4 = g.clients["c1"], g.clients["c4"]
    message(m1, c1, "client", at(3, 2, 10))
    message(m1, lena, "firm", at(3, 2, 12))
    message(m1, c1, "client", at(3, 9, 10))
    message(m1, lena, "firm", at(3, 10, 15))
    message(m1, c1, "client", at(3, 16, 10))  # never answered
    message(m2, c4, "client", at(3, 3, 10))
    message(m2, marek, "firm", at(3, 3, 11))
    message(m2, c4, "client", at(3, 20, 10))  # never answered

    # ---------------------------------------------------------------- outside the portal
    outside(contacts["c1"], m1, "phone", "in", at(3, 4, 10), lena)
    outside(contacts["c1"], m1, "email", "in", at(3, 11, 10), lena)
    outside(contacts["c4"], m2, "phone", "in", at(3, 12, 10), marek)
    outside(contacts["c4"], m2, "phone", "out", at(3, 13, 10), marek)
    outside(contacts["c2"], None, "whatsapp", "in", at(3, 18, 10), lena)

    # ---------------------------------------------------------------- feedback
    CSAT, NPS = FeedbackRequest.Kind.CSAT_CONSULT, FeedbackRequest.Kind.NPS_CLOSE
    ap = g.appointments
    feedback(CSAT, contacts["c2"], lena, at(3, 2, 12), 5, appointment=ap[2])
    feedback(CSAT, contacts["c3"], lena, at(3, 3, 12), 4, appointment=ap[3])
    feedback(CSAT, contacts["c4"], marek, at(3, 6, 12), 3, appointment=ap[6])
    feedback(CSAT, contacts["c7"], lena, at(3, 16, 12), 5, appointment=ap[12])
    feedback(CSAT, contacts["c4"], marek, at(3, 10, 12), 2, appointment=ap[8])
    feedback(CSAT, contacts["c1"], lena, at(3, 1, 12), 4, appointment=ap[4])
    feedback(CSAT, contacts["c1"], lena, at(3, 20, 12), None, appointment=ap[1])
    feedback(NPS, contacts["c1"], lena, at(3, 5, 12), 10, matter=m1)
    feedback(NPS, contacts["c4"], marek, at(3, 6, 12), 9, matter=m2)
    other1 = factories.ContactFactory()
    other2 = factories.ContactFactory()
    other3 = factories.ContactFactory()
    feedback(NPS, other1, lena, at(3, 7, 12), 7, matter=m1)
    feedback(NPS, other2, marek, at(3, 8, 12), 6, matter=m2)
    feedback(NPS, other3, lena, at(3, 9, 12), 3, matter=m1)
    return g
