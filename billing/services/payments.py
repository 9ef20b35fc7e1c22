"""Money received: staff-recorded bank transfers and cash, and the settlement every
payment goes through (allocations, overpayment credit, receipt, "payment received").

A ``Payment`` exists only on evidence (spec §1): a Stripe object Atrium re-fetched
(``billing.services.online``) or a staff member with ``billing.record_payment``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from billing import documents
from billing.audit_actions import BillingAction
from billing.models import Allocation, Invoice, LedgerEntry, NumberSeries, Payment
from billing.money import MoneyError, check_amount, format_money, normalize_currency
from billing.selectors import billing_settings_get
from billing.services.invoices import _seller, invoice_settle, series_take_number
from core.errors import ServiceError
from core.http import RequestMeta
from notifications.services import notice_queue
from portal import selectors as portal_selectors

if TYPE_CHECKING:
    from portal.models import Contact, User

PAYMENT_RECEIVED = "payment_received"
OFFLINE_METHODS = (Payment.Method.BANK_TRANSFER, Payment.Method.CASH, Payment.Method.OTHER)


def may_record_payments(user: User) -> bool:
    return user.is_firm_admin or user.has_perm("billing.record_payment")


def _allocate(
    payment: Payment,
    *,
    actor: User | None,
    order: Sequence[Any] | None,
) -> list[Allocation]:
    """Apply the payment to the contact's open invoices in its currency, oldest due first
    (or in ``order``, invoice ids chosen by staff); what is left becomes credit."""
    candidates = {
        inv.pk: inv
        for inv in Invoice.objects.select_for_update()
        .filter(
            contact_id=payment.contact_id,
            currency=payment.currency,
            lifecycle=Invoice.Lifecycle.ISSUED,
            balance__gt=0,
        )
        .order_by("due_date", "issued_at")
    }
    if order:
        chosen = [candidates[pk] for pk in order if pk in candidates]
        if len(chosen) != len(order):
            raise ServiceError(_("Choose open invoices of this contact in this currency."))
    else:
        chosen = list(candidates.values())
    left = payment.amount
    made = []
    for invoice in chosen:
        if left <= 0:
            break
        part = min(left, invoice.balance)
        made.append(
            Allocation.objects.create(
                payment=payment, invoice=invoice, amount=part, created_by=actor
            )
        )
        left -= part
        invoice_settle(invoice)
    if left > 0:
        LedgerEntry.objects.create(
            contact_id=payment.contact_id,
            currency=payment.currency,
            amount=left,
            kind=LedgerEntry.Kind.DEPOSIT,
            payment=payment,
        )
    return made


def _receipt(payment: Payment, contact: Contact, allocations: list[Allocation]) -> None:
    """The receipt number (its own series) and PDF: payer, amount, method, date and the
    documents paid, never their lines."""
    payment.receipt_number = series_take_number(
        kind=NumberSeries.Kind.RECEIPT, day=timezone.localdate()
    )
    language = contact.language
    pdf = documents.receipt_pdf(
        payment,
        seller=_seller(billing_settings_get()),
        payer=contact.full_name,
        paid=[a.invoice.number or "" for a in allocations],
        language=language,
    )
    payment.receipt_pdf.save(f"{payment.pk}-receipt.pdf", ContentFile(pdf), save=False)
    payment.save(update_fields=["receipt_number", "receipt_pdf"])


def _notify_received(payment: Payment, contact: Contact) -> None:
    user = contact.user
    if user is None or not user.is_active:
        return
    notice_queue(
        event=PAYMENT_RECEIVED,
        channels=portal_selectors.contact_recipient(contact).notice_channels(),
        recipient_id=user.pk,
        about=f"payment:{payment.pk}",
    )


def payment_settle(
    payment: Payment,
    *,
    actor: User | None,
    order: Sequence[Any] | None = None,
    allocate: bool = True,
) -> list[Allocation]:
    """Allocation, settlement, receipt and notice for a new payment, in its transaction.
    ``allocate=False``: a fee paid for itself (a consultation booked and paid online),
    which pays no invoice and leaves no credit."""
    contact = payment.contact
    allocations = _allocate(payment, actor=actor, order=order) if allocate else []
    _receipt(payment, contact, allocations)
    _notify_received(payment, contact)
    return allocations


@transaction.atomic
def payment_record(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    contact_id: Any,
    method: str,
    amount: Decimal,
    currency: str,
    received_on: dt.date,
    bank_reference: str = "",
    invoice_order: Sequence[Any] | None = None,
) -> Payment:
    """A bank transfer or cash received, recorded by staff with the permission."""
    if not may_record_payments(actor):
        raise ServiceError(_("You may not record payments."))
    contact = portal_selectors.contact_get_for_staff(user=actor, contact_id=contact_id)
    if method not in OFFLINE_METHODS:
        raise ServiceError(_("Choose bank transfer, cash or other."))
    try:
        currency = normalize_currency(currency)
        amount = check_amount(amount, currency)
    except MoneyError as exc:
        raise ServiceError(str(exc)) from None
    if amount <= 0:
        raise ServiceError(_("The amount must be more than zero."))
    if received_on > timezone.localdate():
        raise ServiceError(_("The date cannot be in the future."))
    if len(bank_reference) > 100 or "<" in bank_reference or ">" in bank_reference:
        raise ServiceError(_("Enter the bank reference as plain text (at most 100 characters)."))
    payment = Payment.objects.create(
        contact=contact,
        method=method,
        amount=amount,
        currency=currency,
        received_at=timezone.make_aware(dt.datetime.combine(received_on, dt.time(12, 0))),
        bank_reference=bank_reference.strip(),
        recorded_by=actor,
    )
    allocations = payment_settle(payment, actor=actor, order=invoice_order)
    audit_record(
        action=BillingAction.PAYMENT_RECORDED,
        actor=actor,
        meta=meta,
        obj=payment,
        data={
            "amount": str(amount),
            "currency": currency,
            "method": method,
            "invoices": [a.invoice.number for a in allocations],
        },
    )
    return payment


def payment_summary(payment: Payment) -> str:
    return format_money(payment.amount, payment.currency)
