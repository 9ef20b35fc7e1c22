"""The client's billing pages: /portal/invoices/ and each invoice with its PDFs."""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from billing import selectors, services
from billing.models import Payment
from billing.views.staff import pdf_name, serve_pdf
from core.decorators import portal_user_required
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
        },
    )


@portal_user_required
def invoice_pdf(request: Request, invoice_id: str) -> HttpResponseBase:
    invoice = selectors.invoice_get_for_client(user=request.user, invoice_id=invoice_id)
    legal = request.GET.get("doc") == "legal"
    field = invoice.external_pdf if legal else invoice.pdf
    services.billing_record_download(
        user=request.user,
        meta=RequestMeta.from_request(request),
        obj=invoice,
        matter_id=invoice.matter_id,
        what="legal_invoice" if legal else "invoice",
    )
    return serve_pdf(field, pdf_name(invoice.external_number if legal else invoice.number))


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
