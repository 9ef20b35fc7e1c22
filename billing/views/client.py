"""The client's billing pages: /portal/invoices/ and each invoice with its PDFs."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from billing import selectors, services
from billing.models import Payment
from billing.services import bookings
from billing.views.staff import invoice_pdf_response, pdf_name, serve_pdf
from core.decorators import portal_user_required
from core.errors import ServiceError
from core.http import RequestMeta, uuid_or_404
from portal.types import Request


@portal_user_required
def invoice_list(request: Request) -> HttpResponse:
    invoices = list(selectors.invoices_for_client(user=request.user))
    return render(
        request,
        "billing/portal/invoice_list.html",
        {
            "open": [i for i in invoices if i.balance > 0],
            "settled": [i for i in invoices if i.balance <= 0],
            "fees": [
                (fee, bookings.fee_link(fee))
                for fee in selectors.fees_for_client(user=request.user)
            ],
        },
    )


@portal_user_required
def invoice_detail(request: Request, invoice_id: str) -> HttpResponse:
    invoice = selectors.invoice_get_for_client(user=request.user, invoice_id=invoice_id)
    services.invoice_record_view(
        user=request.user, meta=RequestMeta.from_request(request), invoice=invoice
    )
    return render(
        request,
        "billing/portal/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": selectors.invoice_lines(invoice),
            "credit_notes": list(invoice.credit_notes.all()),
            "payments": selectors.payments_for_invoice(invoice),
            "part_minimum": services.part_payment_allowed(invoice),
        },
    )


@require_POST
@portal_user_required
def invoice_pay(request: Request, invoice_id: str) -> HttpResponse:
    """Pay the balance online, or a part the client typed where the firm allows it (the
    service checks it against the invoice's request row)."""
    try:
        url = services.invoice_pay_start(
            user=request.user,
            meta=RequestMeta.from_request(request),
            invoice_id=invoice_id,
            amount=request.POST.get("amount"),
        )
    except ServiceError as exc:
        flash.error(request, str(exc))
        return redirect("billing:portal-invoice", invoice_id=invoice_id)
    return redirect(url)


@portal_user_required
def payment_return(request: Request, invoice_id: str) -> HttpResponse:
    """Back from Checkout: "payment is being confirmed" until the webhook (or the
    reconciliation) settles it; the page refreshes itself meanwhile."""
    invoice = selectors.invoice_get_for_client(user=request.user, invoice_id=invoice_id)
    status = services.attempt_status_for_client(
        user=request.user, invoice_id=invoice.pk, session_id=request.GET.get("session_id", "")
    )
    return render(
        request,
        "billing/portal/payment_return.html",
        {
            "invoice": invoice,
            "status": status,
            "settled": status == "SUCCEEDED",
            "failed": status in ("FAILED", "EXPIRED", "CANCELED", ""),
            "payments": selectors.payments_for_invoice(invoice),
        },
    )


@portal_user_required
def invoice_pdf(request: Request, invoice_id: str) -> HttpResponseBase:
    invoice = selectors.invoice_get_for_client(user=request.user, invoice_id=invoice_id)
    return invoice_pdf_response(request, invoice)


@portal_user_required
def receipt_pdf(request: Request, payment_id: str) -> HttpResponseBase:
    payment: Payment = selectors.payment_get_for_client(
        user=request.user, payment_id=uuid_or_404(payment_id)
    )
    services.billing_record_download(
        user=request.user,
        meta=RequestMeta.from_request(request),
        obj=payment,
        matter_id=None,
        what="receipt",
    )
    return serve_pdf(payment.receipt_pdf, pdf_name(payment.receipt_number))
