"""Who may see which billing documents.

Staff see the invoices of the contacts they may see (the one staff policy,
``portal.selectors.contacts_visible_to``); a client sees their own issued documents and
nothing else; co-counsel never see invoices.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from billing.models import (
    STANDALONE_KINDS,
    BillingSettings,
    Invoice,
    InvoiceLine,
    LedgerEntry,
    Payment,
    PaymentRequest,
    Refund,
    TaxRate,
)
from core.http import uuid_or_404
from portal import selectors as portal_selectors
from scheduling import selectors as scheduling_selectors

if TYPE_CHECKING:
    from portal.models import User


def billing_settings_get() -> BillingSettings:
    """The firm's billing settings, created with the jurisdiction's defaults on first use."""
    settings, _created = BillingSettings.objects.get_or_create(pk=1)
    return settings


def tax_rates_active() -> QuerySet[TaxRate]:
    return TaxRate.objects.filter(is_active=True)


def invoices_for_staff(
    *,
    user: User,
    status: str = "",
    contact_id: Any = None,
    matter_id: Any = None,
    overdue: bool = False,
) -> QuerySet[Invoice]:
    """Every document of the contacts this person may see, newest first, filterable."""
    qs = Invoice.objects.filter(
        contact__in=portal_selectors.contacts_visible_to(user)
    ).select_related("contact", "matter")
    if status in Invoice.Lifecycle.values:
        qs = qs.filter(lifecycle=status)
    elif status in Invoice.Settlement.values:
        qs = qs.filter(lifecycle=Invoice.Lifecycle.ISSUED, settlement=status)
    if overdue:
        qs = qs.filter(
            lifecycle=Invoice.Lifecycle.ISSUED, balance__gt=0, due_date__lt=timezone.localdate()
        )
    if contact_id:
        qs = qs.filter(contact_id=uuid_or_404(contact_id))
    if matter_id:
        qs = qs.filter(matter_id=uuid_or_404(matter_id))
    return qs.order_by("-created_at")


def invoice_get_for_staff(*, user: User, invoice_id: Any) -> Invoice:
    invoice = invoices_for_staff(user=user).filter(pk=uuid_or_404(invoice_id)).first()
    if invoice is None:
        raise Http404
    return invoice


def invoices_for_client(*, user: User) -> QuerySet[Invoice]:
    """A client's own issued documents (none for anyone else)."""
    contact = portal_selectors.contact_for_user(user)
    if contact is None:
        return Invoice.objects.none()
    return Invoice.objects.filter(contact=contact, lifecycle=Invoice.Lifecycle.ISSUED).order_by(
        "-issue_date", "-number"
    )


def fees_for_client(*, user: User) -> list[PaymentRequest]:
    """A client's own unpaid late-cancellation fees (none for anyone else)."""
    contact = portal_selectors.contact_for_user(user)
    if contact is None:
        return []
    return list(
        PaymentRequest.objects.filter(
            contact=contact,
            kind__in=STANDALONE_KINDS,
            status=PaymentRequest.Status.OPEN,
        ).order_by("created_at")
    )


def fee_get_for_staff(*, user: User, fee_id: Any) -> PaymentRequest:
    """A late-cancellation fee of a contact this person may see; Http404 otherwise."""
    fee = (
        PaymentRequest.objects.filter(
            pk=uuid_or_404(fee_id),
            kind__in=STANDALONE_KINDS,
            contact__in=portal_selectors.contacts_visible_to(user),
        )
        .select_related("contact")
        .first()
    )
    if fee is None:
        raise Http404
    return fee


def invoice_get_for_client(*, user: User, invoice_id: Any) -> Invoice:
    invoice = invoices_for_client(user=user).filter(pk=uuid_or_404(invoice_id)).first()
    if invoice is None:
        raise Http404
    return invoice


def invoice_lines(invoice: Invoice) -> list[InvoiceLine]:
    return list(invoice.lines.select_related("tax_rate").order_by("position", "pk"))


def open_invoices_for_contact(*, contact_id: Any, currency: str) -> QuerySet[Invoice]:
    """Issued documents with a balance, oldest due first (the offline allocation order)."""
    return Invoice.objects.filter(
        contact_id=contact_id,
        currency=currency,
        lifecycle=Invoice.Lifecycle.ISSUED,
        balance__gt=0,
    ).order_by("due_date", "issued_at")


def payment_get_for_staff(*, user: User, payment_id: Any) -> Payment:
    payment = (
        Payment.objects.filter(
            pk=uuid_or_404(payment_id), contact__in=portal_selectors.contacts_visible_to(user)
        )
        .select_related("contact")
        .first()
    )
    if payment is None:
        raise Http404
    return payment


def contact_billing_history(*, user: User, contact_id: Any) -> dict[str, Any]:
    """A contact's invoices, payments (with allocations and refunds) and credit, for staff
    who may see the contact."""
    contact = portal_selectors.contact_get_for_staff(user=user, contact_id=contact_id)

    credit: dict[str, Decimal] = defaultdict(Decimal)
    for entry in LedgerEntry.objects.filter(contact=contact):
        credit[entry.currency] += entry.amount
    return {
        "contact": contact,
        "invoices": list(
            Invoice.objects.filter(contact=contact)
            .exclude(lifecycle=Invoice.Lifecycle.DISCARDED)
            .select_related("matter")
            .order_by("-created_at")
        ),
        "payments": list(
            Payment.objects.filter(contact=contact)
            .prefetch_related("allocations__invoice", "refunds")
            .order_by("-received_at")
        ),
        "credit": {k: v for k, v in credit.items() if v},
        # Requests of their own: late-cancellation fees and staff's requests (open, paid
        # or cancelled).
        "fees": list(
            PaymentRequest.objects.filter(contact=contact, kind__in=STANDALONE_KINDS).order_by(
                "-created_at"
            )
        ),
        "to_invoice": consultations_to_invoice(user=user, contact_id=contact.pk),
    }


def consultations_to_invoice(*, user: User, contact_id: Any) -> list[Any]:
    """The contact's attended, priced appointments this person may see that have no
    draft or issued document yet (newest first)."""
    return list(
        scheduling_selectors.appointments_visible_to(user)
        .filter(contact_id=contact_id, status="attended", service__price__gt=0)
        .exclude(invoices__lifecycle__in=Invoice.BILLED_LIFECYCLES)
        .select_related("service")
        .order_by("-start_at")[:20]
    )


AGEING_BUCKETS = ((0, "current"), (1, "1-30"), (31, "31-60"), (61, "61-90"), (91, "90+"))


def receivables_ageing(
    *, user: User, today: dt.date | None = None
) -> dict[str, dict[str, Decimal]]:
    """Open balances by currency and days overdue, for the contacts this person sees."""
    today = today or timezone.localdate()
    rows: dict[str, dict[str, Decimal]] = {}
    open_invoices = invoices_for_staff(user=user).filter(
        lifecycle=Invoice.Lifecycle.ISSUED, balance__gt=0
    )
    for currency, due_date, balance in open_invoices.values_list("currency", "due_date", "balance"):
        days = (today - due_date).days
        bucket = "current"
        for start, name in AGEING_BUCKETS:
            if days >= start:
                bucket = name
        per = rows.setdefault(currency, {name: Decimal("0.00") for _s, name in AGEING_BUCKETS})
        per[bucket] += balance
    return rows


def payments_for_invoice(invoice: Invoice) -> list[Payment]:
    """The payments applied to an invoice (the invoice was access-checked by the caller)."""
    return list(
        Payment.objects.filter(allocations__invoice=invoice).distinct().order_by("received_at")
    )


def payment_get_for_client(*, user: User, payment_id: Any) -> Payment:
    contact = portal_selectors.contact_for_user(user)
    payment = (
        Payment.objects.filter(pk=uuid_or_404(payment_id), contact=contact).first()
        if contact is not None
        else None
    )
    if payment is None or not payment.receipt_number:
        raise Http404
    return payment


def refund_get_for_staff(*, user: User, refund_id: Any) -> Refund:
    refund = (
        Refund.objects.filter(
            pk=uuid_or_404(refund_id),
            payment__contact__in=portal_selectors.contacts_visible_to(user),
        )
        .select_related("payment", "payment__contact", "requested_by")
        .first()
    )
    if refund is None:
        raise Http404
    return refund


def refunds_waiting_for_approval(*, user: User) -> QuerySet[Refund]:
    """Refunds above the threshold that wait for a second staff member."""
    return (
        Refund.objects.filter(
            status=Refund.Status.REQUESTED,
            payment__contact__in=portal_selectors.contacts_visible_to(user),
        )
        .select_related("payment", "payment__contact", "requested_by")
        .order_by("created_at")
    )
