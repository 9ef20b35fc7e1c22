"""Staff billing pages under /staff/billing/: invoices, drafts, issuing, credit notes,
offline payments, a contact's billing history and the billing settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import selectors, services
from billing.forms import (
    BaseLineFormSet,
    BillingSettingsForm,
    CreditNoteForm,
    ExternalInvoiceForm,
    InvoiceForm,
    LineFormSet,
    PaymentForm,
    PaymentRequestForm,
    RefundForm,
    RequestTermsForm,
    default_due_date,
)
from billing.models import Invoice
from billing.services import bookings
from core.decorators import firm_admin_required, staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from portal import selectors as portal_selectors
from portal.types import Request
from portal.uploads import content_disposition

if TYPE_CHECKING:
    from portal.models import Contact

PAGE_SIZE = 50


def serve_pdf(field: FieldFile, name: str) -> HttpResponseBase:
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(name)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_name(number: str | None) -> str:
    return (number or "draft").replace("/", "-") + ".pdf"


def invoice_pdf_response(request: Request, invoice: Invoice) -> HttpResponseBase:
    """The invoice's PDF, or with ``?doc=legal`` the attached legal invoice; audited."""
    legal = request.GET.get("doc") == "legal"
    services.billing_record_download(
        user=request.user,
        meta=RequestMeta.from_request(request),
        obj=invoice,
        matter_id=invoice.matter_id,
        what="legal_invoice" if legal else "invoice",
    )
    field = invoice.external_pdf if legal else invoice.pdf
    return serve_pdf(field, pdf_name(invoice.external_number if legal else invoice.number))


@staff_required
def invoice_list(request: Request) -> HttpResponse:
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    invoices = selectors.invoices_for_staff(
        user=request.user,
        status=status,
        overdue=overdue,
        contact_id=request.GET.get("contact") or None,
        matter_id=request.GET.get("matter") or None,
    )
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/staff/invoice_list.html",
        {
            "page": page,
            "status": status,
            "overdue": overdue,
            "statuses": [*Invoice.Lifecycle.choices, *Invoice.Settlement.choices],
            "ageing": selectors.receivables_ageing(user=request.user),
        },
    )


def _matter_choices(request: Request, contact: Contact) -> list[tuple[str, str]]:
    matters = portal_selectors.matters_visible_to(request.user).filter(clients=contact)
    return [(str(m.pk), f"{m.reference} · {m.title}") for m in matters]


def _draft_form(request: Request, contact: Contact, invoice: Invoice | None) -> HttpResponse:
    settings = selectors.billing_settings_get()
    firm = portal_selectors.firm_get()
    currency = request.POST.get("currency") or (invoice.currency if invoice else firm.currency)
    if invoice is not None:
        initial: dict[str, Any] = {
            "currency": invoice.currency,
            "language": invoice.language,
            "due_date": invoice.due_date,
            "matter": str(invoice.matter_id or ""),
            "client_note": invoice.client_note,
            "internal_note": invoice.internal_note,
        }
        line_initial = [
            {
                "kind": line.kind,
                "description": line.description,
                "quantity": f"{line.quantity.normalize():f}",
                "unit": line.unit,
                "unit_price": f"{line.unit_price:f}",
                "tax_rate": line.tax_rate_id,
            }
            for line in selectors.invoice_lines(invoice)
        ]
    else:
        initial = {
            "currency": firm.currency,
            "language": contact.language,
            "due_date": default_due_date(settings),
            "matter": request.GET.get("matter", ""),
        }
        line_initial = []
    data = request.POST if request.method == "POST" else None
    form = InvoiceForm(data, initial=initial, matters=_matter_choices(request, contact))
    lines = cast(
        BaseLineFormSet,
        LineFormSet(data, initial=line_initial, currency=currency, prefix="line"),  # type: ignore[call-arg]  # BaseLineFormSet takes it
    )
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        draft = form.draft_input(contact_id=contact.pk, lines=lines.line_inputs())
        meta = RequestMeta.from_request(request)
        try:
            if invoice is None:
                invoice = services.invoice_draft_create(actor=request.user, meta=meta, data=draft)
            else:
                invoice = services.invoice_draft_update(
                    actor=request.user, meta=meta, invoice_id=invoice.pk, data=draft
                )
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, _("Draft saved. Check it, then issue it."))
            return redirect("billing:staff-invoice", invoice_id=invoice.pk)
    return render(
        request,
        "billing/staff/invoice_form.html",
        {"form": form, "lines": lines, "contact": contact, "invoice": invoice},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
def invoice_new(request: Request) -> HttpResponse:
    contact_id = request.GET.get("contact") or request.POST.get("contact")
    if not contact_id:
        raise Http404
    contact = portal_selectors.contact_get_for_staff(user=request.user, contact_id=contact_id)
    return _draft_form(request, contact, None)


@require_POST
@staff_required
def invoice_from_appointment(request: Request, appointment_id: str) -> HttpResponse:
    """Staff action on an attended consultation: its draft, prefilled (or the one it has)."""
    try:
        invoice, created = services.invoice_draft_from_appointment(
            actor=request.user,
            meta=RequestMeta.from_request(request),
            appointment_id=appointment_id,
        )
    except ServiceError as exc:
        flash.error(request, str(exc))
        return redirect("scheduling:staff-appointment", appointment_id=appointment_id)
    if created:
        flash.success(request, _("Draft made from the consultation. Check it, then issue it."))
    else:
        flash.info(request, _("This consultation already has a document: here it is."))
    return redirect("billing:staff-invoice", invoice_id=invoice.pk)


@staff_required
def invoice_edit(request: Request, invoice_id: str) -> HttpResponse:
    invoice = selectors.invoice_get_for_staff(user=request.user, invoice_id=invoice_id)
    if not invoice.is_draft:
        flash.error(request, _("This invoice has been issued and can no longer change."))
        return redirect("billing:staff-invoice", invoice_id=invoice.pk)
    return _draft_form(request, invoice.contact, invoice)


@staff_required
def invoice_detail(request: Request, invoice_id: str) -> HttpResponse:
    invoice = selectors.invoice_get_for_staff(user=request.user, invoice_id=invoice_id)
    return render(
        request,
        "billing/staff/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": selectors.invoice_lines(invoice),
            "credit_notes": invoice.credit_notes.all(),
            "allocations": invoice.allocations.select_related("payment"),
            "credit_form": CreditNoteForm(currency=invoice.currency),
            "external_form": ExternalInvoiceForm(
                initial={"external_number": invoice.external_number}
            ),
            "may_record": services.may_record_payments(request.user),
            "may_void": services.may_void_invoices(request.user),
            "void_refusal": services.invoice_void_refusal(invoice) if invoice.is_issued else "",
        },
    )


@require_POST
@staff_required
def invoice_action(request: Request, invoice_id: str, action: str) -> HttpResponse:
    invoice = selectors.invoice_get_for_staff(user=request.user, invoice_id=invoice_id)
    meta = RequestMeta.from_request(request)
    try:
        if action == "issue":
            invoice = services.invoice_issue(actor=request.user, meta=meta, invoice_id=invoice.pk)
            flash.success(
                request,
                _("Issued as %(number)s. The client was told.") % {"number": invoice.number},
            )
        elif action == "discard":
            services.invoice_discard(actor=request.user, meta=meta, invoice_id=invoice.pk)
            flash.success(request, _("Draft discarded."))
        elif action == "credit":
            form = CreditNoteForm(request.POST, currency=invoice.currency)
            if not form.is_valid():
                raise ServiceError(" ".join(str(e) for errs in form.errors.values() for e in errs))
            amount = form.cleaned_data["amount"]
            amounts = None
            if amount is not None:
                lines = selectors.invoice_lines(invoice)
                if len(lines) != 1:
                    raise ServiceError(
                        _(
                            "Credit part of an invoice with several lines line by line in the admin, or credit it all."
                        )
                    )
                amounts = {lines[0].pk: amount}
            note = services.credit_note_issue(
                actor=request.user,
                meta=meta,
                invoice_id=invoice.pk,
                reason=form.cleaned_data["reason"],
                amounts=amounts,
                note=form.cleaned_data["note"],
            )
            flash.success(request, _("Credit note %(number)s issued.") % {"number": note.number})
        elif action == "void":
            invoice = services.invoice_void(
                actor=request.user,
                meta=meta,
                invoice_id=invoice.pk,
                reason=request.POST.get("reason", "")[:1000],
            )
            flash.success(
                request,
                _("%(number)s is void; its number stays used in the series.")
                % {"number": invoice.number},
            )
        elif action == "external":
            ext = ExternalInvoiceForm(request.POST, request.FILES)
            if not ext.is_valid():
                raise ServiceError(_("Enter the legal invoice's number."))
            services.invoice_attach_external(
                actor=request.user,
                meta=meta,
                invoice_id=invoice.pk,
                number=ext.cleaned_data["external_number"],
                pdf=ext.cleaned_data.get("external_pdf"),
            )
            flash.success(request, _("Legal invoice attached; the client sees it."))
        else:
            raise Http404
    except ServiceError as exc:
        flash.error(request, str(exc))
    if action == "discard":
        return redirect("billing:staff-invoices")
    return redirect("billing:staff-invoice", invoice_id=invoice.pk)


@staff_required
def invoice_pdf(request: Request, invoice_id: str) -> HttpResponseBase:
    invoice = selectors.invoice_get_for_staff(user=request.user, invoice_id=invoice_id)
    return invoice_pdf_response(request, invoice)


@staff_required
def payment_new(request: Request) -> HttpResponse:
    contact_id = request.GET.get("contact") or request.POST.get("contact")
    if not contact_id:
        raise Http404
    contact = portal_selectors.contact_get_for_staff(user=request.user, contact_id=contact_id)
    if not services.may_record_payments(request.user):
        raise Http404
    firm = portal_selectors.firm_get()
    form = PaymentForm(request.POST or None, initial={"currency": firm.currency})
    if request.method == "POST" and form.is_valid():
        order = request.POST.getlist("invoice") or None
        try:
            payment = services.payment_record(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                contact_id=contact.pk,
                method=form.cleaned_data["method"],
                amount=form.cleaned_data["amount_value"],
                currency=form.cleaned_data["currency"],
                received_on=form.cleaned_data["received_on"],
                bank_reference=form.cleaned_data["bank_reference"],
                invoice_order=order,
            )
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(
                request,
                _("Payment recorded; receipt %(number)s.") % {"number": payment.receipt_number},
            )
            return redirect("billing:staff-contact-billing", contact_id=contact.pk)
    open_invoices = selectors.open_invoices_for_contact(
        contact_id=contact.pk, currency=request.POST.get("currency") or firm.currency
    )
    return render(
        request,
        "billing/staff/payment_form.html",
        {"form": form, "contact": contact, "open_invoices": open_invoices},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
def contact_billing(request: Request, contact_id: str) -> HttpResponse:
    history = selectors.contact_billing_history(user=request.user, contact_id=contact_id)
    return render(
        request,
        "billing/staff/contact_billing.html",
        {
            **history,
            "may_record": services.may_record_payments(request.user),
            "may_refund": services.may_refund(request.user),
            "may_waive": bookings.may_waive_fees(request.user),
        },
    )


@staff_required
def payment_request_new(request: Request) -> HttpResponse:
    """Ask a contact for an amount of its own, due by a date (from their billing page)."""
    contact_id = request.GET.get("contact") or request.POST.get("contact")
    if not contact_id:
        raise Http404
    contact = portal_selectors.contact_get_for_staff(user=request.user, contact_id=contact_id)
    settings = selectors.billing_settings_get()
    form = PaymentRequestForm(
        request.POST or None,
        initial={
            "due_date": default_due_date(settings),
            "currency": portal_selectors.firm_get().currency,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            bookings.payment_request_create(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                contact_id=contact.pk,
                amount=form.cleaned_data["amount"],
                currency=form.cleaned_data["currency"],
                description=form.cleaned_data["description"],
                due_date=form.cleaned_data["due_date"],
                reminders=form.cleaned_data["reminders"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, _("Payment request sent. The client was told."))
            return redirect("billing:staff-contact-billing", contact_id=contact.pk)
    return render(
        request,
        "billing/staff/request_form.html",
        {"form": form, "contact": contact},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@staff_required
def request_terms(request: Request, fee_id: str) -> HttpResponse:
    """Set a fee's due date and whether reminders follow it (the contact's billing
    page); the answer is that page with a message."""
    fee = selectors.fee_get_for_staff(user=request.user, fee_id=fee_id)
    form = RequestTermsForm(request.POST)
    if not form.is_valid():
        flash.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        try:
            bookings.payment_request_update(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                request_id=fee.pk,
                due_date=form.cleaned_data["due_date"],
                reminders=form.cleaned_data["reminders"],
            )
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, _("Due date and reminders saved."))
    return redirect("billing:staff-contact-billing", contact_id=fee.contact_id)


@require_POST
@staff_required
def fee_waive(request: Request, fee_id: str) -> HttpResponse:
    """Waive an open late-cancellation fee, with a reason (from the contact's billing
    page); the answer is that page with a message."""
    fee = selectors.fee_get_for_staff(user=request.user, fee_id=fee_id)
    if not bookings.may_waive_fees(request.user):
        raise Http404
    try:
        bookings.fee_waive(
            actor=request.user,
            meta=RequestMeta.from_request(request),
            fee_id=fee.pk,
            reason=request.POST.get("reason", "")[:1000],
        )
    except ServiceError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(
            request,
            _("Fee waived. The client has nothing to pay for it.")
            if fee.is_fee
            else _("Payment request withdrawn. The client has nothing to pay for it."),
        )
    return redirect("billing:staff-contact-billing", contact_id=fee.contact_id)


@staff_required
def receipt_pdf(request: Request, payment_id: str) -> HttpResponseBase:
    payment = selectors.payment_get_for_staff(user=request.user, payment_id=payment_id)
    services.billing_record_download(
        user=request.user,
        meta=RequestMeta.from_request(request),
        obj=payment,
        matter_id=None,
        what="receipt",
    )
    return serve_pdf(payment.receipt_pdf, pdf_name(payment.receipt_number))


@firm_admin_required
def billing_settings(request: Request) -> HttpResponse:
    settings = selectors.billing_settings_get()
    form = BillingSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        try:
            services.billing_settings_update(
                actor=request.user, meta=RequestMeta.from_request(request), values=form.cleaned_data
            )
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, _("Billing settings saved."))
            return redirect("billing:staff-settings")
    return render(
        request,
        "billing/staff/settings.html",
        {"form": form, "tax_rates": selectors.tax_rates_active()},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@staff_required
def payment_refund(request: Request, payment_id: str) -> HttpResponse:
    payment = selectors.payment_get_for_staff(user=request.user, payment_id=payment_id)
    if not services.may_refund(request.user):
        raise Http404
    form = RefundForm(request.POST, currency=payment.currency)
    if not form.is_valid():
        flash.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        try:
            refund = services.refund_create(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                payment_id=payment.pk,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                bank_reference=form.cleaned_data["bank_reference"],
            )
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(
                request,
                _("Refund recorded: %(status)s.") % {"status": refund.get_status_display()},
            )
    return redirect("billing:staff-contact-billing", contact_id=payment.contact_id)


@staff_required
def refund_list(request: Request) -> HttpResponse:
    """Refunds above the threshold waiting for a second staff member."""
    if not services.may_refund(request.user):
        raise Http404
    return render(
        request,
        "billing/staff/refund_list.html",
        {"refunds": list(selectors.refunds_waiting_for_approval(user=request.user))},
    )


@require_POST
@staff_required
def refund_action(request: Request, refund_id: str, action: str) -> HttpResponse:
    if not services.may_refund(request.user):
        raise Http404
    refund = selectors.refund_get_for_staff(user=request.user, refund_id=refund_id)
    meta = RequestMeta.from_request(request)
    try:
        if action == "approve":
            refund = services.refund_approve(
                actor=request.user,
                meta=meta,
                refund_id=refund.pk,
                bank_reference=request.POST.get("bank_reference", "")[:200],
            )
            flash.success(
                request,
                _("Refund approved: %(status)s.") % {"status": refund.get_status_display()},
            )
        elif action == "reject":
            refund = services.refund_reject(actor=request.user, meta=meta, refund_id=refund.pk)
            withdrawn = refund.status == refund.Status.CANCELLED
            flash.success(request, _("Refund withdrawn.") if withdrawn else _("Refund rejected."))
        else:
            raise Http404
    except ServiceError as exc:
        flash.error(request, str(exc))
    return redirect("billing:staff-refunds")
