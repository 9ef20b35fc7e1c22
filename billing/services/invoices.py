"""Drafting, issuing and crediting invoices and payment requests (spec §4, §5).

A draft can change freely and has no number. Issuing takes the next number of the
document's series under a row lock in the same transaction, freezes the seller and buyer,
computes the totals with ``billing.tax``, renders the PDF and queues the content-free
notice. After that only payments, credit notes and the legal-invoice attachment move the
cached settlement columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override as translation_override

from audit.services import audit_record
from billing import documents, numbering, tax
from billing.audit_actions import BillingAction
from billing.events import InvoicePaid
from billing.models import (
    Allocation,
    BillingSettings,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    NumberSeries,
    Payment,
    PaymentAttempt,
    PaymentRequest,
    TaxRate,
)
from billing.money import MoneyError, check_amount, format_money, normalize_currency
from billing.selectors import billing_settings_get, invoice_get_for_staff
from core import events
from core.errors import ServiceError
from core.http import RequestMeta
from core.languages import CODES as LANGUAGE_CODES
from core.time import format_long_date, zone
from core.validators import validate_plain_text
from notifications import selectors as notification_selectors
from notifications.services import notice_queue
from portal import selectors as portal_selectors
from scheduling import selectors as scheduling_selectors

if TYPE_CHECKING:
    from portal.models import Contact, Matter, User

INVOICE_ISSUED = "invoice_issued"
MAX_LINES = 100
DESCRIPTION_MAX = 200
PDF_MAX_BYTES = 10 * 1024 * 1024

DEFAULT_PATTERNS = {
    NumberSeries.Kind.INVOICE: "FV/{yyyy}/{seq:04}",
    NumberSeries.Kind.PAYMENT_REQUEST: "PRO/{yyyy}/{seq:04}",
    NumberSeries.Kind.CREDIT_NOTE: "KOR/{yyyy}/{seq:04}",
    NumberSeries.Kind.RECEIPT: "R/{yyyy}/{seq:04}",
}


@dataclass(frozen=True)
class LineInput:
    """One line as staff typed it (already parsed to Decimals by the form)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    kind: str = InvoiceLine.Kind.FEE
    unit: str = ""
    tax_rate_id: int | None = None


@dataclass(frozen=True)
class DraftInput:
    contact_id: Any
    due_date: dt.date
    lines: Sequence[LineInput]
    currency: str = ""
    language: str = ""
    matter_id: Any = None
    client_note: str = ""
    internal_note: str = ""


# ---------------------------------------------------------------------------
# Numbering
# ---------------------------------------------------------------------------


def series_take_number(*, kind: str, day: dt.date) -> str:
    """The next number of the series, taken under ``select_for_update`` on its row: call
    inside the issuing transaction, so a rollback gives the number back (gapless)."""
    try:
        with transaction.atomic():
            NumberSeries.objects.get_or_create(
                kind=kind, defaults={"pattern": DEFAULT_PATTERNS[NumberSeries.Kind(kind)]}
            )
    except IntegrityError:
        pass  # another transaction created it a moment ago
    series = NumberSeries.objects.select_for_update().get(kind=kind)
    value, key, following = numbering.next_sequence(
        reset=series.reset.lower(),
        stored_period_key=series.period_key,
        stored_next_value=series.next_value,
        day=day,
    )
    NumberSeries.objects.filter(pk=series.pk).update(period_key=key, next_value=following)
    return numbering.render_number(series.pattern, seq=value, day=day)


# ---------------------------------------------------------------------------
# Drafts
# ---------------------------------------------------------------------------


def _rate_snapshot(rate: TaxRate | None) -> tax.TaxRate | None:
    if rate is None:
        return None
    return tax.TaxRate(code=rate.code, rate=rate.rate, inclusive=rate.inclusive)


def _clean_lines(lines: Sequence[LineInput]) -> list[tuple[LineInput, TaxRate | None]]:
    if not lines:
        raise ServiceError(_("Add at least one line."))
    if len(lines) > MAX_LINES:
        raise ServiceError(_("An invoice has at most %(n)d lines.") % {"n": MAX_LINES})
    rates = {
        r.pk: r
        for r in TaxRate.objects.filter(pk__in=[x.tax_rate_id for x in lines if x.tax_rate_id])
    }
    cleaned = []
    for number, line in enumerate(lines, start=1):
        description = (line.description or "").strip()
        if not description:
            raise ServiceError(_("Line %(n)d: enter a description.") % {"n": number})
        if len(description) > DESCRIPTION_MAX:
            raise ServiceError(
                _("Line %(n)d: the description is longer than %(max)d characters.")
                % {"n": number, "max": DESCRIPTION_MAX}
            )
        try:
            validate_plain_text(description)
            validate_plain_text(line.unit)
        except ValidationError:
            raise ServiceError(
                _("Line %(n)d: use plain text, without < or > characters.") % {"n": number}
            ) from None
        if line.kind not in InvoiceLine.Kind.values:
            raise ServiceError(_("Line %(n)d: choose a kind from the list.") % {"n": number})
        if line.quantity <= 0:
            raise ServiceError(
                _("Line %(n)d: the quantity must be more than zero.") % {"n": number}
            )
        if line.unit_price < 0:
            raise ServiceError(_("Line %(n)d: the price cannot be negative.") % {"n": number})
        rate = rates.get(line.tax_rate_id) if line.tax_rate_id else None
        if line.tax_rate_id and rate is None:
            raise ServiceError(_("Line %(n)d: choose a tax rate from the list.") % {"n": number})
        cleaned.append((line, rate))
    return cleaned


def _compute(
    lines: list[tuple[LineInput, TaxRate | None]], *, currency: str, rounding: str
) -> tax.InvoiceTotals:
    try:
        return tax.compute_invoice(
            [
                tax.Line(
                    kind=tax.LineKind(str(line.kind).lower()),
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    tax_rate=_rate_snapshot(rate),
                )
                for line, rate in lines
            ],
            currency=currency,
            rounding=tax.TaxRounding(rounding.lower()),
        )
    except tax.TaxError as exc:
        prefix = _("Line %(n)d: ") % {"n": exc.line + 1} if exc.line is not None else ""
        raise ServiceError(prefix + str(exc)) from None
    except MoneyError as exc:
        raise ServiceError(str(exc)) from None


def _write_lines(
    invoice: Invoice, lines: list[tuple[LineInput, TaxRate | None]], totals: tax.InvoiceTotals
) -> None:
    invoice.lines.all().delete()
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=position,
                kind=line.kind,
                description=line.description.strip(),
                quantity=line.quantity,
                unit=line.unit.strip(),
                unit_price=line.unit_price,
                tax_rate=rate,
                tax_rate_snapshot=rate.rate if rate else None,
                tax_code_snapshot=rate.code if rate else "",
                tax_inclusive_snapshot=rate.inclusive if rate else False,
                net=result.net,
                tax=result.tax,
                gross=result.gross,
            )
            for position, ((line, rate), result) in enumerate(zip(lines, totals.lines, strict=True))
        ]
    )


def _apply_draft(invoice: Invoice, data: DraftInput, settings: BillingSettings) -> None:
    contact = invoice.contact
    currency = data.currency or portal_selectors.firm_get().currency
    try:
        invoice.currency = normalize_currency(currency)
    except MoneyError as exc:
        raise ServiceError(str(exc)) from None
    language = data.language or contact.language
    if language not in LANGUAGE_CODES:
        raise ServiceError(_("Choose a language from the list."))
    invoice.language = language
    invoice.due_date = data.due_date
    for note in (data.client_note, data.internal_note):
        if len(note) > 1000:
            raise ServiceError(_("A note has at most 1000 characters."))
        try:
            validate_plain_text(note)
        except ValidationError:
            raise ServiceError(_("Use plain text, without < or > characters.")) from None
    invoice.client_note = data.client_note.strip()
    invoice.internal_note = data.internal_note.strip()
    invoice.tax_rounding = settings.tax_rounding
    invoice.document = (
        Invoice.Document.PAYMENT_REQUEST
        if settings.issues_payment_requests
        else Invoice.Document.INVOICE
    )


def _matter_for(user: User, contact: Contact, matter_id: Any) -> Matter | None:
    if not matter_id:
        return None
    matter = portal_selectors.matter_get_for_user(user=user, matter_id=matter_id)
    if not matter.clients.filter(pk=contact.pk).exists():
        raise ServiceError(_("This contact is not a client on that matter."))
    return matter


@transaction.atomic
def invoice_draft_create(
    *, actor: User, meta: RequestMeta | None = None, data: DraftInput
) -> Invoice:
    contact = portal_selectors.contact_get_for_staff(user=actor, contact_id=data.contact_id)
    invoice = Invoice(contact=contact, created_by=actor)
    return _draft_save(
        invoice, actor=actor, meta=meta, data=data, action=BillingAction.INVOICE_DRAFTED
    )


def _consultation_rate() -> TaxRate | None:
    """The rate a consultation line is drafted with: the service price is what the client
    was shown, so a rate whose prices include the tax comes first; staff check the draft."""
    rates = list(TaxRate.objects.filter(is_active=True))
    for rate in rates:
        if rate.inclusive:
            return rate
    return rates[0] if rates else None


@transaction.atomic
def invoice_draft_from_appointment(
    *, actor: User, meta: RequestMeta | None = None, appointment_id: Any
) -> tuple[Invoice, bool]:
    """A draft for an attended consultation: one fee line at the price the booking
    stored (the service price when it stored none), the appointment's matter, the firm's
    terms. An appointment has at most one draft or issued document: asking again returns
    it (``created`` is False)."""
    appointment = scheduling_selectors.appointment_get_for_staff(
        user=actor, appointment_id=appointment_id
    )
    contact = portal_selectors.contact_get_for_staff(user=actor, contact_id=appointment.contact_id)
    existing = (
        Invoice.objects.select_for_update()
        .filter(appointment_id=appointment.pk, lifecycle__in=Invoice.BILLED_LIFECYCLES)
        .first()
    )
    if existing is not None:
        return existing, False
    if appointment.status != "attended":
        raise ServiceError(_("Only an attended appointment can be invoiced."))
    snapshot: dict[str, Any] = getattr(appointment, "policy_snapshot", None) or {}
    firm = portal_selectors.firm_get()
    try:
        price = Decimal(str(snapshot.get("price", appointment.service.price)))
    except ArithmeticError:
        price = Decimal(appointment.service.price)
    if price <= 0:
        raise ServiceError(_("This appointment was free: there is nothing to invoice."))
    paid = appointment_paid_at_booking(appointment.pk)
    if paid >= price:
        raise ServiceError(
            _(
                "This appointment was paid in full at booking; its receipt is in the client's portal."
            )
        )
    settings = billing_settings_get()
    language = contact.language if contact.language in LANGUAGE_CODES else "en"
    with translation_override(language):
        description = _("%(service)s on %(date)s") % {
            "service": appointment.service.name,
            "date": format_long_date(
                appointment.start_at, zone=zone(firm.time_zone), language=language
            ),
        }
    rate = _consultation_rate()
    matter_id = appointment.matter_id
    if (
        matter_id
        and not portal_selectors.matters_visible_to(actor)
        .filter(pk=matter_id, clients=contact)
        .exists()
    ):
        matter_id = None
    invoice = Invoice(contact=contact, created_by=actor, appointment_id=appointment.pk)
    data = DraftInput(
        contact_id=contact.pk,
        due_date=timezone.localdate() + dt.timedelta(days=settings.default_terms_days),
        currency=str(snapshot.get("currency") or firm.currency),
        language=language,
        matter_id=matter_id,
        lines=[
            LineInput(
                description=description[:DESCRIPTION_MAX],
                quantity=Decimal("1"),
                unit_price=price,
                tax_rate_id=rate.pk if rate else None,
            )
        ],
    )
    try:
        with transaction.atomic():
            _draft_save(
                invoice,
                actor=actor,
                meta=meta,
                data=data,
                action=BillingAction.INVOICE_DRAFTED,
                extra={"appointment": str(appointment.pk)},
            )
    except IntegrityError:
        # Another staff member drafted it a moment ago (one per appointment).
        found = Invoice.objects.filter(
            appointment_id=appointment.pk, lifecycle__in=Invoice.BILLED_LIFECYCLES
        ).first()
        if found is None:
            raise
        return found, False
    return invoice, True


def _appointment_chain(appointment_id: Any) -> list[Any]:
    """The appointment and the ones it replaced (a rescheduled booking keeps its payment
    on the row it was paid on)."""
    rows = scheduling_selectors.appointments_by_ids(ids=[appointment_id])
    if not rows:
        return [appointment_id]
    return [
        appointment_id,
        *(a.pk for a in scheduling_selectors.appointment_history(appointment=rows[0])),
    ]


def appointment_paid_at_booking(appointment_id: Any) -> Decimal:
    """What the client paid online for this appointment before it took place."""
    total = PaymentRequest.objects.filter(
        appointment_id__in=_appointment_chain(appointment_id),
        kind=PaymentRequest.Kind.CONSULTATION_FEE,
        invoice__isnull=True,
        status=PaymentRequest.Status.PAID,
    ).aggregate(s=Sum("amount"))["s"]
    return Decimal(total or 0)


def _paid_at_booking(invoice: Invoice) -> list[tuple[Payment, Decimal]]:
    """The booking payments (a deposit) of the appointment this invoice bills that are
    not applied anywhere yet, with what of each this invoice takes (up to its total).
    Locked: two issues can never apply one deposit twice."""
    if not invoice.appointment_id:
        return []
    payments = (
        Payment.objects.select_for_update(of=("self",))
        .filter(
            attempt__request__kind=PaymentRequest.Kind.CONSULTATION_FEE,
            attempt__request__appointment_id__in=_appointment_chain(invoice.appointment_id),
            attempt__request__invoice__isnull=True,
            contact_id=invoice.contact_id,
            currency=invoice.currency,
            status=Payment.Status.SUCCEEDED,
        )
        .order_by("received_at")
    )
    left = invoice.total
    taken = []
    for payment in payments:
        used = payment.allocations.aggregate(s=Sum("amount"))["s"] or Decimal(0)
        part = min(payment.amount - payment.refunded_total - used, left)
        if part > 0:
            taken.append((payment, part))
            left -= part
    return taken


# The audit actions _draft_save writes (one per caller).
DRAFT_ACTIONS = (BillingAction.INVOICE_DRAFTED, BillingAction.INVOICE_UPDATED)


def _draft_save(
    invoice: Invoice,
    *,
    actor: User,
    meta: RequestMeta | None,
    data: DraftInput,
    action: str,
    extra: dict[str, Any] | None = None,
) -> Invoice:
    """The draft's fields, lines and totals from `data`, saved and audited as `action`
    (one of DRAFT_ACTIONS)."""
    invoice.matter = _matter_for(actor, invoice.contact, data.matter_id)
    _apply_draft(invoice, data, billing_settings_get())
    lines = _clean_lines(data.lines)
    totals = _compute(lines, currency=invoice.currency, rounding=invoice.tax_rounding)
    _set_totals(invoice, totals)
    invoice.save()
    _write_lines(invoice, lines, totals)
    audit_record(
        action=action,
        actor=actor,
        meta=meta,
        obj=invoice,
        matter_id=invoice.matter_id,
        data=extra or None,
    )
    return invoice


def _set_totals(invoice: Invoice, totals: tax.InvoiceTotals) -> None:
    invoice.subtotal = totals.subtotal
    invoice.tax_total = totals.tax_total
    invoice.total = totals.total
    invoice.balance = totals.total


def _locked_draft(actor: User, invoice_id: Any) -> Invoice:
    # The access check first, then the lock on the row itself.

    invoice_get_for_staff(user=actor, invoice_id=invoice_id)
    invoice = Invoice.objects.select_for_update().select_related("contact").get(pk=invoice_id)
    if not invoice.is_draft:
        raise ServiceError(_("This invoice has been issued and can no longer change."))
    return invoice


@transaction.atomic
def invoice_draft_update(
    *, actor: User, meta: RequestMeta | None = None, invoice_id: Any, data: DraftInput
) -> Invoice:
    invoice = _locked_draft(actor, invoice_id)
    return _draft_save(
        invoice, actor=actor, meta=meta, data=data, action=BillingAction.INVOICE_UPDATED
    )


@transaction.atomic
def invoice_discard(*, actor: User, meta: RequestMeta | None = None, invoice_id: Any) -> Invoice:
    invoice = _locked_draft(actor, invoice_id)
    invoice.lifecycle = Invoice.Lifecycle.DISCARDED
    invoice.save(update_fields=["lifecycle"])
    audit_record(
        action=BillingAction.INVOICE_DISCARDED,
        actor=actor,
        meta=meta,
        obj=invoice,
        matter_id=invoice.matter_id,
    )
    return invoice


# ---------------------------------------------------------------------------
# Issuing
# ---------------------------------------------------------------------------


def _seller(settings: BillingSettings) -> dict[str, str]:
    firm = portal_selectors.firm_get()
    return {
        "name": settings.seller_name or firm.name,
        "address": settings.seller_address,
        "tax_id": settings.seller_tax_id,
        "iban": settings.bank_iban,
    }


def _buyer(contact: Contact) -> dict[str, str]:
    return {"name": contact.full_name, "email": contact.email}


@transaction.atomic
def invoice_issue(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    invoice_id: Any,
    today: dt.date | None = None,
) -> Invoice:
    """DRAFT → ISSUED: the next number, frozen parties and totals, the PDF, the notice."""
    invoice = _locked_draft(actor, invoice_id)
    today = today or timezone.localdate()
    lines = list(invoice.lines.select_related("tax_rate").order_by("position", "pk"))
    if not lines:
        raise ServiceError(_("Add at least one line before issuing."))
    if invoice.due_date < today:
        raise ServiceError(_("The due date cannot be before the issue date."))
    if not invoice.contact.full_name.strip():
        raise ServiceError(_("The contact needs a name to be billed."))
    if invoice.total <= 0:
        raise ServiceError(_("The total must be more than zero."))
    settings = billing_settings_get()
    kind = (
        NumberSeries.Kind.PAYMENT_REQUEST
        if invoice.is_payment_request
        else NumberSeries.Kind.INVOICE
    )
    invoice.number = series_take_number(kind=kind, day=today)
    invoice.issue_date = today
    invoice.lifecycle = Invoice.Lifecycle.ISSUED
    invoice.settlement = Invoice.Settlement.UNPAID
    invoice.balance = invoice.total
    invoice.seller_snapshot = _seller(settings)
    invoice.buyer_snapshot = _buyer(invoice.contact)
    invoice.issued_by = actor
    invoice.issued_at = timezone.now()
    invoice.content_sha256 = documents.snapshot_sha256(documents.invoice_snapshot(invoice, lines))
    # A deposit paid when the consultation was booked pays this invoice in part: applied
    # once (an allocation), printed on the document, the balance reduced.
    deposits = _paid_at_booking(invoice)
    paid_before = sum((part for _payment, part in deposits), Decimal("0.00"))
    pdf = documents.invoice_pdf(invoice, lines, settings, paid_before=paid_before)
    invoice.pdf.save(f"{invoice.pk}.pdf", ContentFile(pdf), save=False)
    invoice.save()
    for payment, part in deposits:
        Allocation.objects.create(payment=payment, invoice=invoice, amount=part, created_by=actor)
    if deposits:
        invoice_settle(invoice)
    data = {"number": invoice.number, "total": str(invoice.total), "currency": invoice.currency}
    if deposits:
        data["paid_at_booking"] = str(paid_before)
    audit_record(
        action=BillingAction.INVOICE_ISSUED,
        actor=actor,
        meta=meta,
        obj=invoice,
        matter_id=invoice.matter_id,
        data=data,
    )
    _notify_client(invoice)
    return invoice


def _notify_client(invoice: Invoice) -> None:
    user = invoice.contact.user
    if user is None or not user.is_active:
        return  # no portal account: staff send the PDF themselves
    recipient = portal_selectors.contact_recipient(invoice.contact)
    notice_queue(
        event=INVOICE_ISSUED,
        channels=recipient.notice_channels(),
        recipient_id=user.pk,
        about=f"invoice:{invoice.pk}",
    )


@transaction.atomic
def invoice_record_view(*, user: User, meta: RequestMeta | None = None, invoice: Invoice) -> None:
    """A client opened their invoice: the first time is kept on the invoice."""
    if invoice.first_viewed_at is None:
        Invoice.objects.filter(pk=invoice.pk, first_viewed_at__isnull=True).update(
            first_viewed_at=timezone.now()
        )
    audit_record(
        action=BillingAction.INVOICE_VIEWED,
        actor=user,
        meta=meta,
        obj=invoice,
        matter_id=invoice.matter_id,
    )


def billing_record_download(
    *, user: User, meta: RequestMeta | None = None, obj: Any, matter_id: Any, what: str
) -> None:
    """The download audit row for a billing PDF (invoice, credit note, receipt)."""
    audit_record(
        action=BillingAction.INVOICE_DOWNLOADED,
        actor=user,
        meta=meta,
        obj=obj,
        matter_id=matter_id,
        data={"document": what},
    )


@transaction.atomic
def invoice_attach_external(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    invoice_id: Any,
    number: str,
    pdf: UploadedFile[Any] | None,
) -> Invoice:
    """EXTERNAL mode: the number and PDF of the legal invoice from the firm's accounting
    software, shown to the client beside the payment request."""

    invoice_get_for_staff(user=actor, invoice_id=invoice_id)
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    if not (invoice.is_issued and invoice.is_payment_request):
        raise ServiceError(_("A legal invoice is attached to an issued payment request."))
    number = (number or "").strip()
    if not number or len(number) > 64:
        raise ServiceError(_("Enter the legal invoice's number (at most 64 characters)."))
    try:
        validate_plain_text(number)
    except ValidationError:
        raise ServiceError(_("Use plain text, without < or > characters.")) from None
    fields = ["external_number"]
    invoice.external_number = number
    if pdf is not None:
        head = pdf.read(5)
        pdf.seek(0)
        if head != b"%PDF-" or (pdf.size or 0) > PDF_MAX_BYTES:
            raise ServiceError(_("Attach the legal invoice as a PDF file of at most 10 MB."))
        invoice.external_pdf.save(f"{invoice.pk}-legal.pdf", pdf, save=False)
        fields.append("external_pdf")
    invoice.save(update_fields=fields)
    audit_record(
        action=BillingAction.INVOICE_EXTERNAL,
        actor=actor,
        meta=meta,
        obj=invoice,
        matter_id=invoice.matter_id,
        data={"external_number": number},
    )
    return invoice


# ---------------------------------------------------------------------------
# Voiding
# ---------------------------------------------------------------------------

# Profiles whose rules let an issued invoice be voided (spec §4): elsewhere (PL, ES, the
# UK, the rest of the EU) an issued invoice is corrected only by a credit note.
VOID_PROFILES = (BillingSettings.Jurisdiction.US_IOLTA, BillingSettings.Jurisdiction.GENERIC)
VOID_REASON_MAX = 300


def may_void_invoices(user: User) -> bool:
    return user.is_firm_admin or user.has_perm("billing.void_invoice")


def invoice_void_refusal(invoice: Invoice, settings: BillingSettings | None = None) -> str:
    """Why this invoice cannot be voided ("" when it can): the spec §5 guard."""
    settings = settings or billing_settings_get()
    if not invoice.is_issued:
        return _("Only an issued invoice can be voided.")
    if settings.issues_payment_requests or settings.jurisdiction not in VOID_PROFILES:
        return _(
            "Under the firm's billing rules an issued document is never voided: issue a "
            "credit note for what is left to pay instead."
        )
    if invoice.allocations.exists() or invoice.credit_notes.exists():
        return _("Payments or credit notes were applied to this invoice: issue a credit note.")
    if invoice.first_viewed_at is not None or notification_selectors.notice_may_have_gone_out(
        about=f"invoice:{invoice.pk}"
    ):
        return _("The client was already sent this invoice: issue a credit note.")
    return ""


@transaction.atomic
def invoice_void(
    *, actor: User, meta: RequestMeta | None = None, invoice_id: Any, reason: str
) -> Invoice:
    """ISSUED → VOID, with a reason: the number stays used in its series (nothing is
    renumbered), the PDF is stamped "VOID", any open payment request is cancelled."""
    if not may_void_invoices(actor):
        raise ServiceError(_("You may not void invoices."))
    invoice_get_for_staff(user=actor, invoice_id=invoice_id)
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the invoice is voided."))
    if len(reason) > VOID_REASON_MAX:
        raise ServiceError(
            _("The reason has at most %(max)d characters.") % {"max": VOID_REASON_MAX}
        )
    try:
        validate_plain_text(reason)
    except ValidationError:
        raise ServiceError(_("Use plain text, without < or > characters.")) from None
    refusal = invoice_void_refusal(invoice)
    if refusal:
        raise ServiceError(refusal)
    requests = PaymentRequest.objects.select_for_update().filter(
        invoice=invoice, status=PaymentRequest.Status.OPEN
    )
    if PaymentAttempt.objects.filter(
        request__in=requests,
        status__in=(PaymentAttempt.Status.OPEN, PaymentAttempt.Status.PROCESSING),
    ).exists():
        raise ServiceError(_("The client is paying this invoice right now: try again later."))
    requests.update(status=PaymentRequest.Status.CANCELLED)
    now = timezone.now()
    invoice.lifecycle = Invoice.Lifecycle.VOID
    invoice.void_reason = reason
    invoice.voided_at = now
    invoice.voided_by = actor
    pdf = documents.invoice_pdf(invoice, list(invoice.lines.all()), billing_settings_get())
    invoice.pdf.save(f"{invoice.pk}-void.pdf", ContentFile(pdf), save=False)
    changed = Invoice.objects.filter(pk=invoice.pk, lifecycle=Invoice.Lifecycle.ISSUED).update(
        lifecycle=Invoice.Lifecycle.VOID,
        void_reason=reason,
        voided_at=now,
        voided_by=actor,
        pdf=invoice.pdf.name,
    )
    if not changed:
        raise ServiceError(_("Only an issued invoice can be voided."))
    audit_record(
        action=BillingAction.INVOICE_VOIDED,
        actor=actor,
        meta=meta,
        obj=invoice,
        matter_id=invoice.matter_id,
        data={"number": invoice.number, "reason": reason},
    )
    return invoice


# ---------------------------------------------------------------------------
# Settlement
# ---------------------------------------------------------------------------


def invoice_settle(invoice: Invoice) -> Invoice:
    """Recompute the cached amounts and the settlement from the rows (call with the
    invoice locked, in the transaction that changed them)."""

    was_paid = invoice.settlement == Invoice.Settlement.PAID
    allocated = Allocation.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"]
    credited = CreditNote.objects.filter(invoice=invoice).aggregate(s=Sum("total"))["s"]
    invoice.allocated_total = allocated or Decimal("0.00")
    invoice.credited_total = credited or Decimal("0.00")
    balance = (
        invoice.total - invoice.allocated_total - invoice.credited_total + invoice.refunded_total
    )
    invoice.balance = max(balance, Decimal("0.00"))
    if invoice.balance == invoice.total:
        invoice.settlement = Invoice.Settlement.UNPAID
    elif invoice.balance > 0:
        invoice.settlement = Invoice.Settlement.PARTIAL
    elif invoice.allocated_total - invoice.refunded_total >= invoice.credited_total:
        invoice.settlement = Invoice.Settlement.PAID
    else:
        invoice.settlement = Invoice.Settlement.CREDITED
    invoice.save(
        update_fields=[
            "allocated_total",
            "credited_total",
            "refunded_total",
            "balance",
            "settlement",
        ]
    )
    if invoice.settlement == Invoice.Settlement.PAID and not was_paid:
        events.publish(InvoicePaid(invoice_id=invoice.pk, contact_id=invoice.contact_id))
    return invoice


# ---------------------------------------------------------------------------
# Credit notes
# ---------------------------------------------------------------------------


def _issued_lines(lines: list[InvoiceLine]) -> list[tax.IssuedLine]:
    return [
        tax.IssuedLine(
            kind=tax.LineKind(str(line.kind).lower()),
            quantity=line.quantity,
            net=line.net,
            tax=line.tax,
            gross=line.gross,
            tax_rate=(
                tax.TaxRate(
                    code=line.tax_code_snapshot,
                    rate=line.tax_rate_snapshot,
                    inclusive=line.tax_inclusive_snapshot,
                )
                if line.tax_rate_snapshot is not None
                else None
            ),
        )
        for line in lines
    ]


def credit_note_issue(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    invoice_id: Any,
    reason: str,
    amounts: dict[int, Decimal] | None = None,
    note: str = "",
    allow_above_balance: bool = False,
    check_access: bool = True,
) -> CreditNote:
    """A credit note against what is still creditable: ``amounts`` maps invoice line ids
    to an amount to credit (net or gross, as the line is priced); None credits everything
    left. It never exceeds the open balance unless it accompanies a refund."""
    with transaction.atomic():
        if check_access:
            invoice_get_for_staff(user=actor, invoice_id=invoice_id)
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if not invoice.is_issued:
            raise ServiceError(_("Only an issued invoice can be credited."))
        if reason not in CreditNote.Reason.values:
            raise ServiceError(_("Choose a reason from the list."))
        if len(note) > 300:
            raise ServiceError(_("A note has at most 300 characters."))
        lines = list(invoice.lines.order_by("position", "pk"))
        index = {line.pk: i for i, line in enumerate(lines)}
        previous = [
            tax.CreditedLine(index[c.invoice_line_id], c.quantity, c.net, c.tax, c.gross)
            for c in CreditNoteLine.objects.filter(credit_note__invoice=invoice)
        ]
        issued = _issued_lines(lines)
        try:
            if amounts is None:
                totals = tax.credit_remaining(
                    issued,
                    previous=previous,
                    currency=invoice.currency,
                    rounding=tax.TaxRounding(invoice.tax_rounding.lower()),
                )
            else:
                requests = []
                for line_id, amount in amounts.items():
                    if line_id not in index:
                        raise ServiceError(_("Choose lines of this invoice."))
                    requests.append(
                        tax.CreditRequest(
                            index[line_id], amount=check_amount(amount, invoice.currency)
                        )
                    )
                totals = tax.compute_credit_note(
                    issued,
                    previous=previous,
                    requests=requests,
                    currency=invoice.currency,
                    rounding=tax.TaxRounding(invoice.tax_rounding.lower()),
                )
        except tax.TaxError as exc:
            raise ServiceError(str(exc)) from None
        except MoneyError as exc:
            raise ServiceError(str(exc)) from None
        if not allow_above_balance and totals.total > invoice.balance:
            raise ServiceError(
                _(
                    "A credit note can be at most what is still to pay, %(balance)s. "
                    "To give back money already paid, refund the payment."
                )
                % {"balance": format_money(invoice.balance, invoice.currency)}
            )
        today = timezone.localdate()
        credit = CreditNote(
            number=series_take_number(kind=NumberSeries.Kind.CREDIT_NOTE, day=today),
            invoice=invoice,
            reason=reason,
            note=note.strip(),
            issue_date=today,
            currency=invoice.currency,
            subtotal=totals.subtotal,
            tax_total=totals.tax_total,
            total=totals.total,
            issued_by=actor,
        )
        credit.content_sha256 = documents.snapshot_sha256(
            {
                "number": credit.number,
                "invoice": invoice.number,
                "reason": reason,
                "lines": [
                    [str(r.line), str(r.net), str(r.tax), str(r.gross)] for r in totals.lines
                ],
                "total": str(totals.total),
            }
        )
        credit.pdf.save(
            f"{credit.pk}.pdf", ContentFile(documents.credit_note_pdf(credit, invoice)), save=False
        )
        credit.save()
        CreditNoteLine.objects.bulk_create(
            [
                CreditNoteLine(
                    credit_note=credit,
                    invoice_line=lines[r.line],
                    quantity=r.quantity,
                    net=r.net,
                    tax=r.tax,
                    gross=r.gross,
                )
                for r in totals.lines
            ]
        )
        invoice_settle(invoice)
        audit_record(
            action=BillingAction.CREDIT_NOTE_ISSUED,
            actor=actor,
            meta=meta,
            obj=credit,
            matter_id=invoice.matter_id,
            data={"invoice": invoice.number, "number": credit.number, "total": str(credit.total)},
        )
    return credit


@transaction.atomic
def billing_settings_update(
    *, actor: User, meta: RequestMeta | None = None, values: dict[str, Any]
) -> BillingSettings:
    """Firm admins change the billing settings (a validated form's cleaned data)."""
    if not actor.is_firm_admin:
        raise ServiceError(_("Only firm admins change the billing settings."))
    settings = BillingSettings.objects.select_for_update().get(pk=billing_settings_get().pk)
    for field, value in values.items():
        setattr(settings, field, value)
    try:
        settings.full_clean()
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages)) from None
    settings.save()
    audit_record(action=BillingAction.SETTINGS_UPDATED, actor=actor, meta=meta, obj=settings)
    return settings
