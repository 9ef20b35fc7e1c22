"""Demo billing data (called by seed_demo; idempotent): settings, tax rates, and the
documents a firm sees on a real day, each made through the billing services:

- an issued unpaid payment request for ewa@example.com and a paid one with its receipt
  for jan@example.com (``invoices``);
- in ``day`` (state -> contact and matter): a draft, a part-paid document, an overdue
  one, one corrected by a credit note, one refunded (its refund and credit note), and
  requests of their own with a due date: a late-cancellation fee (a booking cancelled by
  the client after the deadline, through the scheduling and billing policy) and an
  advance on a court fee staff asked for.

Each demo document carries a staff-only note naming its state; a document with that note
is never made again, so running the seed twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.http import Http404
from django.utils import timezone

from billing import selectors, services
from billing.models import (
    Allocation,
    BillingSettings,
    CreditNote,
    Invoice,
    InvoiceLine,
    NumberSeries,
    Payment,
    PaymentAttempt,
    PaymentRequest,
    TaxRate,
)
from billing.services import bookings
from billing.services.reminders import firm_today
from scheduling import selectors as scheduling_selectors
from scheduling import services as scheduling_services
from scheduling.events import AppointmentCancelled

if TYPE_CHECKING:
    from portal.models import Contact, Matter, User

TAX_RATES = [
    ("VAT 23%", "23", Decimal("23.00")),
    ("VAT 8%", "8", Decimal("8.00")),
    ("Exempt", "ZW", Decimal("0.00")),
]
# The states a firm's day holds besides Ewa's unpaid and Jan's paid document.
DAY_STATES = ("overdue", "draft", "partial", "credited", "refunded", "fee", "request")
NOTES = {
    "overdue": "Demo: overdue, reminders running",
    "draft": "Demo: draft, not sent yet",
    "partial": "Demo: part-paid by bank transfer",
    "credited": "Demo: corrected by a credit note",
    "refunded": "Demo: paid, then refunded",
}
FEE_SERVICE = "estate-plan-review"


def seed(
    *,
    actor: User,
    invoices: list[tuple[Contact, Matter | None, bool]],
    day: dict[str, tuple[Contact, Matter | None]] | None = None,
) -> None:
    """``invoices``: (contact, matter, paid) for each of the first demo invoices;
    ``day``: the contact (and matter) of each state in ``DAY_STATES``."""
    settings = selectors.billing_settings_get()
    if not settings.seller_name:
        BillingSettings.objects.filter(pk=settings.pk).update(
            seller_name="Kowalska & Nowak Kancelaria Adwokacka sp.p.",
            seller_address="ul. Mokotowska 12/4\n00-640 Warszawa",
            seller_tax_id="5260250274",
            bank_iban="PL61109010140000071219812874",
        )
    for position, (name, code, rate) in enumerate(TAX_RATES):
        TaxRate.objects.get_or_create(
            code=code, defaults={"name": name, "rate": rate, "position": position}
        )
    vat = TaxRate.objects.get(code="23")
    day = day or {}
    # The overdue document is dated weeks back: issued before today's, so the series
    # stays in date order.
    if "overdue" in day:
        _overdue(actor, vat, *day["overdue"])
    for contact, matter, paid in invoices:
        if Invoice.objects.filter(contact=contact, internal_note="").exists():
            continue
        invoice = _issued(actor, vat, contact, matter)
        if paid:
            _pay(actor, invoice, invoice.total)
    if "draft" in day:
        _draft(actor, vat, *day["draft"], note=NOTES["draft"])
    if "partial" in day:
        _partial(actor, vat, *day["partial"])
    if "credited" in day:
        _credited(actor, vat, *day["credited"])
    if "refunded" in day:
        _refunded(actor, *day["refunded"])
    if "fee" in day:
        _late_cancellation_fee(*day["fee"])
    if "request" in day:
        _advance_request(actor, day["request"][0])


def _advance_request(actor: User, contact: Contact) -> None:
    """Staff ask for an advance on a court fee, due in ten days, with reminders."""
    if PaymentRequest.objects.filter(contact=contact, kind=PaymentRequest.Kind.OTHER).exists():
        return
    bookings.payment_request_create(
        actor=actor,
        contact_id=contact.pk,
        amount=Decimal("300.00"),
        currency="PLN",
        description="Advance on the court fee for the child support application",
        due_date=firm_today() + dt.timedelta(days=10),
    )


def _lines(vat: TaxRate, hours: str = "2") -> list[services.LineInput]:
    return [
        services.LineInput(
            description="Legal advice and drafting",
            quantity=Decimal(hours),
            unit="h",
            unit_price=Decimal("400.00"),
            tax_rate_id=vat.pk,
        ),
        services.LineInput(
            description="Court fee",
            quantity=Decimal("1"),
            unit_price=Decimal("100.00"),
            kind="DISBURSEMENT",
        ),
    ]


def _draft(
    actor: User,
    vat: TaxRate,
    contact: Contact,
    matter: Matter | None,
    *,
    note: str = "",
    due_date: dt.date | None = None,
    lines: list[services.LineInput] | None = None,
) -> Invoice | None:
    """A draft with the demo note; None when the demo made this one already."""
    if note and Invoice.objects.filter(contact=contact, internal_note=note).exists():
        return None
    return services.invoice_draft_create(
        actor=actor,
        data=services.DraftInput(
            contact_id=contact.pk,
            matter_id=matter.pk if matter else None,
            due_date=due_date or timezone.localdate() + dt.timedelta(days=14),
            currency="PLN",
            language=contact.language,
            lines=lines or _lines(vat),
            internal_note=note,
        ),
    )


def _issued(
    actor: User, vat: TaxRate, contact: Contact, matter: Matter | None, note: str = ""
) -> Invoice:
    draft = _draft(actor, vat, contact, matter, note=note)
    assert draft is not None  # noqa: S101 - the callers checked the note
    return services.invoice_issue(actor=actor, invoice_id=draft.pk)


def _pay(actor: User, invoice: Invoice, amount: Decimal) -> None:
    services.payment_record(
        actor=actor,
        contact_id=invoice.contact_id,
        method="BANK_TRANSFER",
        amount=amount,
        currency=invoice.currency,
        received_on=timezone.localdate(),
        bank_reference=invoice.number or "",
        invoice_order=[invoice.pk],
    )


def _made(contact: Contact, state: str) -> bool:
    return Invoice.objects.filter(contact=contact, internal_note=NOTES[state]).exists()


def _period_start(today: dt.date) -> dt.date | None:
    """The first day the payment-request series can still be dated on without starting
    its numbers again (a backdated document never leaves the current period)."""
    series = NumberSeries.objects.filter(kind=NumberSeries.Kind.PAYMENT_REQUEST).first()
    reset = series.reset if series is not None else "YEARLY"
    if reset == "YEARLY":
        return today.replace(month=1, day=1)
    if reset == "MONTHLY":
        return today.replace(day=1)
    return None


def _overdue(actor: User, vat: TaxRate, contact: Contact, matter: Matter | None) -> None:
    """Issued some 40 days ago, due 14 days later: weeks overdue (in the first days of
    a numbering period it can only be dated that period's first day)."""
    if _made(contact, "overdue"):
        return
    today = timezone.localdate()
    start = _period_start(today)
    issued_on = today - dt.timedelta(days=40)
    if start is not None:
        issued_on = max(issued_on, start)
    due = max(min(issued_on + dt.timedelta(days=14), today - dt.timedelta(days=1)), issued_on)
    draft = _draft(actor, vat, contact, matter, note=NOTES["overdue"], due_date=due)
    assert draft is not None  # noqa: S101 - checked above
    services.invoice_issue(actor=actor, invoice_id=draft.pk, today=issued_on)


def _partial(actor: User, vat: TaxRate, contact: Contact, matter: Matter | None) -> None:
    if _made(contact, "partial"):
        return
    invoice = _issued(actor, vat, contact, matter, NOTES["partial"])
    _pay(actor, invoice, Decimal("400.00"))


def _credited(actor: User, vat: TaxRate, contact: Contact, matter: Matter | None) -> None:
    """One hour of the two was billed by mistake: a correction credits it."""
    if _made(contact, "credited"):
        return
    invoice = _issued(actor, vat, contact, matter, NOTES["credited"])
    fee_line = invoice.lines.order_by("position", "pk").first()
    assert fee_line is not None  # noqa: S101 - issued with lines
    services.credit_note_issue(
        actor=actor,
        invoice_id=invoice.pk,
        reason=CreditNote.Reason.CORRECTION,
        amounts={fee_line.pk: Decimal("400.00")},
        note="One hour was billed twice.",
    )


def _refunded(actor: User, contact: Contact, matter: Matter | None) -> None:
    """Paid by bank transfer, then refunded in full by transfer back (below the firm's
    second-approval threshold): the refund comes with its credit note."""
    if _made(contact, "refunded"):
        return
    draft = _draft(
        actor,
        TaxRate.objects.get(code="23"),
        contact,
        matter,
        note=NOTES["refunded"],
        lines=[
            services.LineInput(
                description="Document review",
                quantity=Decimal("1"),
                unit="h",
                unit_price=Decimal("400.00"),
                tax_rate_id=TaxRate.objects.get(code="23").pk,
            )
        ],
    )
    assert draft is not None  # noqa: S101 - checked above
    invoice = services.invoice_issue(actor=actor, invoice_id=draft.pk)
    _pay(actor, invoice, invoice.total)
    payment = invoice.allocations.get().payment
    services.refund_create(
        actor=actor,
        payment_id=payment.pk,
        amount=payment.amount,
        reason="The matter did not go ahead; the fee is returned.",
        bank_reference=f"ZWROT {invoice.number}",
    )


def _late_cancellation_fee(contact: Contact, matter: Matter | None) -> None:
    """Last week the client cancelled an estate plan review two hours before it: the
    disclosed late-cancellation fee is a request of its own, due in the firm's terms."""
    if PaymentRequest.objects.filter(
        contact=contact, kind=PaymentRequest.Kind.CANCELLATION_FEE
    ).exists():
        return
    try:
        service = scheduling_selectors.service_get_for_booking(
            slug=FEE_SERVICE, user=contact.user, with_steps=True
        )
    except Http404:
        return
    if not service.cancel_fee:
        return
    today = firm_today()
    booked_at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=14), dt.time(12)))
    slots = scheduling_selectors.slots_list(
        service=service,
        start=booked_at + dt.timedelta(days=5),
        end=booked_at + dt.timedelta(days=12),
        now=booked_at,
    )
    if not slots:
        return
    booked = scheduling_services.appointment_book(
        service=service,
        start_at=slots[0].start,
        contact=contact,
        matter=matter,
        time_zone=contact.time_zone or "Europe/Warsaw",
        now=booked_at,
    )
    appointment = scheduling_services.appointment_cancel(
        appointment=booked[0], by_client=True, now=slots[0].start - dt.timedelta(hours=2)
    )
    # The policy runs once the seed's transaction commits; run it now so the seed is
    # whole when it returns (the handler makes the request once per appointment).
    bookings.on_appointment_cancelled(
        AppointmentCancelled(
            appointment_id=appointment.pk,
            contact_id=appointment.contact_id,
            matter_id=appointment.matter_id,
            by_client=True,
            fee=appointment.cancellation_fee,
        )
    )


# ---------------------------------------------------------------------------
# Three months of history for the insights pages (seed_demo plans it: config/demo_history)
# ---------------------------------------------------------------------------

HISTORY_NOTE = "Demo history"
# Days from issue to full payment (None: still unpaid, overdue once past its due date).
PAY_DAYS = [
    (0, 8),
    (1, 8),
    (3, 12),
    (6, 14),
    (9, 12),
    (13, 10),
    (17, 9),
    (24, 7),
    (38, 5),
    (None, 15),
]
CENT = Decimal("0.01")


def seed_history(
    *,
    plan: Any,
    actor: User,
    consultations: dict[str, Any],
    clients: list[tuple[Contact, Matter]],
    rng: Any,
) -> None:
    """Consultation fees paid the same day or later, and documents issued over the window
    to the history clients (``clients``: contact and matter; about fifteen a month, those
    of the clients from Spain in EUR), paid in full after a spread
    of days or not at all, some of those overdue. Written directly with their past dates
    (history: no PDFs, no notices); numbered in an archive series of their own so the
    live series is untouched. Idempotent."""
    if Invoice.objects.filter(internal_note=HISTORY_NOTE).exists():
        return
    settings = selectors.billing_settings_get()
    firm_currency = "PLN"
    requests, attempts, payments, allocations = [], [], [], []
    for case in plan.cases:
        appointment = consultations.get(case.email)
        if appointment is None or not appointment.policy_snapshot:
            continue
        amount = Decimal(str(appointment.policy_snapshot.get("pay_at_booking") or "0"))
        if amount <= 0 or case.outcome == "cancelled":
            continue
        paid = case.fee_paid_at
        request = PaymentRequest(
            kind=PaymentRequest.Kind.CONSULTATION_FEE,
            contact_id=appointment.contact_id,
            appointment_id=appointment.pk,
            amount=amount,
            currency=firm_currency,
            status=PaymentRequest.Status.PAID if paid else PaymentRequest.Status.OPEN,
            created_at=case.booked_at,
            due_date=case.booked_at.date() + dt.timedelta(days=7) if not paid else None,
        )
        requests.append(request)
        if paid is None:
            continue
        attempt = PaymentAttempt(
            request=request,
            amount=amount,
            currency=firm_currency,
            status=PaymentAttempt.Status.SUCCEEDED,
            idempotency_key=f"demo-history:{request.pk}",
            expires_at=paid + dt.timedelta(minutes=30),
            created_at=paid - dt.timedelta(minutes=2),
        )
        attempts.append(attempt)
        payments.append(
            Payment(
                contact_id=appointment.contact_id,
                method=rng.choice([Payment.Method.CARD, Payment.Method.BLIK, Payment.Method.P24]),
                amount=amount,
                currency=firm_currency,
                received_at=paid,
                attempt=attempt,
            )
        )
    vat = TaxRate.objects.get(code="23")
    invoices, lines = [], []
    zone = ZoneInfo("Europe/Warsaw")
    today = plan.now.astimezone(zone).date()
    day = plan.start.astimezone(zone).date()
    number = 0
    document = (
        Invoice.Document.PAYMENT_REQUEST
        if settings.issues_payment_requests
        else Invoice.Document.INVOICE
    )
    while clients:
        day += dt.timedelta(days=rng.choice([0, 1, 1, 2, 2, 3]))
        if day >= today:
            break
        if day.weekday() >= 5:
            continue
        issued_at = dt.datetime.combine(day, dt.time(10, 30), tzinfo=zone)
        open_then = [
            (c, m)
            for c, m in clients
            if m.created_at <= issued_at and (m.stage != "closed" or m.stage_changed_at > issued_at)
        ]
        if not open_then:
            continue
        contact, matter = open_then[number % len(open_then)]
        number += 1
        # The clients from Spain are billed in euros: the firm's second currency.
        currency = "EUR" if contact.language == "es" else firm_currency
        price = Decimal("400.00") if currency == firm_currency else Decimal("95.00")
        hours = Decimal(rng.choice([1, 2, 2, 3, 4, 6]))
        net = (hours * price).quantize(CENT)
        tax = (net * vat.rate / 100).quantize(CENT)
        invoice = Invoice(
            document=document,
            number=f"ARCH/{day.year}/{number:04d}",
            lifecycle=Invoice.Lifecycle.DRAFT,
            settlement=Invoice.Settlement.UNPAID,
            contact=contact,
            matter=matter,
            currency=currency,
            issue_date=day,
            due_date=day + dt.timedelta(days=14),
            language=contact.language,
            seller_snapshot={"name": settings.seller_name, "tax_id": settings.seller_tax_id},
            buyer_snapshot={"name": contact.full_name, "email": contact.email},
            subtotal=net,
            tax_total=tax,
            total=net + tax,
            balance=net + tax,
            internal_note=HISTORY_NOTE,
            created_by=actor,
            issued_by=actor,
            issued_at=issued_at,
            created_at=issued_at - dt.timedelta(hours=1),
        )
        invoices.append(invoice)
        lines.append(
            InvoiceLine(
                invoice=invoice,
                description="Legal advice and drafting",
                quantity=hours,
                unit="h",
                unit_price=price,
                tax_rate=vat,
                tax_rate_snapshot=vat.rate,
                tax_code_snapshot=vat.code,
                net=net,
                tax=tax,
                gross=net + tax,
            )
        )
        days = rng.choices([d for d, _w in PAY_DAYS], [w for _d, w in PAY_DAYS])[0]
        if days is None:
            continue
        paid_on = day + dt.timedelta(days=days)
        received_at = dt.datetime.combine(paid_on, dt.time(rng.randint(8, 18)), tzinfo=zone)
        if received_at >= plan.now:
            continue
        payment = Payment(
            contact=contact,
            method=Payment.Method.BANK_TRANSFER,
            amount=invoice.total,
            currency=currency,
            received_at=received_at,
            bank_reference=invoice.number or "",
            recorded_by=actor,
        )
        payments.append(payment)
        allocations.append(
            Allocation(
                payment=payment,
                invoice=invoice,
                amount=invoice.total,
                created_by=actor,
                created_at=received_at,
            )
        )
        invoice.settlement = Invoice.Settlement.PAID
        invoice.allocated_total = invoice.total
        invoice.balance = Decimal("0.00")
    PaymentRequest.objects.bulk_create(requests)
    PaymentAttempt.objects.bulk_create(attempts)
    # Written as drafts, then issued: PostgreSQL refuses lines added to an issued invoice.
    Invoice.objects.bulk_create(invoices)
    InvoiceLine.objects.bulk_create(lines)
    Invoice.objects.filter(pk__in=[i.pk for i in invoices]).update(
        lifecycle=Invoice.Lifecycle.ISSUED
    )
    Payment.objects.bulk_create(payments)
    Allocation.objects.bulk_create(allocations)
