"""Invoice, credit-note and receipt PDFs: a canonical snapshot, its hash, and the page.

The snapshot is plain JSON of what the document says (numbers as strings); its SHA-256 is
stored at issue and re-rendering the same document reproduces it. The PDF comes from
``core.pdf.render_pdf`` (WeasyPrint with the locked fetcher); every user-typed text goes
through Django's autoescaping.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import translation

from billing import qr
from billing.money import Money, format_money
from core.pdf import render_pdf

if TYPE_CHECKING:
    from billing.models import BillingSettings, CreditNote, Invoice, InvoiceLine, Payment


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def invoice_snapshot(invoice: Invoice, lines: list[InvoiceLine]) -> dict[str, Any]:
    return {
        "document": invoice.document,
        "number": _s(invoice.number),
        "issue_date": _s(invoice.issue_date),
        "due_date": _s(invoice.due_date),
        "currency": invoice.currency,
        "language": invoice.language,
        "seller": invoice.seller_snapshot,
        "buyer": invoice.buyer_snapshot,
        "tax_rounding": invoice.tax_rounding,
        "lines": [
            {
                "kind": line.kind,
                "description": line.description,
                "quantity": _s(line.quantity),
                "unit": line.unit,
                "unit_price": _s(line.unit_price),
                "tax_code": line.tax_code_snapshot,
                "tax_rate": _s(line.tax_rate_snapshot),
                "net": _s(line.net),
                "tax": _s(line.tax),
                "gross": _s(line.gross),
            }
            for line in lines
        ],
        "subtotal": _s(invoice.subtotal),
        "tax_total": _s(invoice.tax_total),
        "total": _s(invoice.total),
        "client_note": invoice.client_note,
    }


def snapshot_sha256(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _qr_svg(settings: BillingSettings, invoice: Invoice, paid_before: Decimal) -> str | None:
    if not settings.bank_iban or invoice.balance - paid_before <= 0:
        return None
    try:
        return qr.payment_qr_svg(
            name=(invoice.seller_snapshot.get("name") or "")[:70],
            iban=settings.bank_iban,
            amount=Money(invoice.total - paid_before, invoice.currency),
            title=invoice.number or "",
            bic=settings.bank_bic or None,
        )
    except (ValueError, qr.BankDetailsError):
        return None


def invoice_pdf(
    invoice: Invoice,
    lines: list[InvoiceLine],
    settings: BillingSettings,
    *,
    paid_before: Decimal | None = None,
) -> bytes:
    """The document; ``paid_before``: what was paid when booking (a deposit), printed
    with what is left to pay (the QR code asks for that)."""

    def fmt(value: Any) -> str:
        return format_money(value, invoice.currency, invoice.language)

    with translation.override(invoice.language):
        html = render_to_string(
            "billing/pdf/invoice.html",
            {
                "invoice": invoice,
                "rows": [
                    {
                        "line": line,
                        "unit_price": fmt(line.unit_price),
                        "net": fmt(line.net),
                        "tax": fmt(line.tax),
                        "gross": fmt(line.gross),
                    }
                    for line in lines
                ],
                "total": format_money(invoice.total, invoice.currency, invoice.language),
                "subtotal": format_money(invoice.subtotal, invoice.currency, invoice.language),
                "tax_total": format_money(invoice.tax_total, invoice.currency, invoice.language),
                "bank_iban": qr.format_iban(settings.bank_iban) if settings.bank_iban else "",
                "qr_svg": _qr_svg(settings, invoice, paid_before or Decimal(0)),
                "paid_before": fmt(paid_before) if paid_before else "",
                "left_to_pay": fmt(invoice.total - (paid_before or Decimal(0))),
            },
        )
    return render_pdf(html)


def credit_note_pdf(note: CreditNote, invoice: Invoice) -> bytes:
    with translation.override(invoice.language):
        html = render_to_string(
            "billing/pdf/credit_note.html",
            {
                "note": note,
                "invoice": invoice,
                "total": format_money(note.total, note.currency, invoice.language),
                "subtotal": format_money(note.subtotal, note.currency, invoice.language),
                "tax_total": format_money(note.tax_total, note.currency, invoice.language),
            },
        )
    return render_pdf(html)


def receipt_pdf(
    payment: Payment, *, seller: dict[str, Any], payer: str, paid: list[str], language: str
) -> bytes:
    """Payer, amount, method, date and the document numbers paid: never line texts."""
    with translation.override(language):
        html = render_to_string(
            "billing/pdf/receipt.html",
            {
                "payment": payment,
                "seller": seller,
                "payer": payer,
                "paid": paid,
                "amount": format_money(payment.amount, payment.currency, language),
            },
        )
    return render_pdf(html)
