"""Billing writes (re-exported: other code imports ``billing.services``)."""

from billing.services.invoices import (
    DraftInput,
    LineInput,
    billing_record_download,
    billing_settings_update,
    credit_note_issue,
    invoice_attach_external,
    invoice_discard,
    invoice_draft_create,
    invoice_draft_update,
    invoice_issue,
    invoice_record_view,
    invoice_settle,
    series_take_number,
)
from billing.services.payments import may_record_payments, payment_record, payment_settle

__all__ = [
    "DraftInput",
    "LineInput",
    "billing_record_download",
    "billing_settings_update",
    "credit_note_issue",
    "invoice_attach_external",
    "invoice_discard",
    "invoice_draft_create",
    "invoice_draft_update",
    "invoice_issue",
    "invoice_record_view",
    "invoice_settle",
    "may_record_payments",
    "payment_record",
    "payment_settle",
    "series_take_number",
]
