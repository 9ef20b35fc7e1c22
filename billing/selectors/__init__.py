"""Billing reads, access-checked (re-exported: other code imports ``billing.selectors``)."""

from billing.selectors.invoices import (
    billing_settings_get,
    contact_billing_history,
    fees_for_client,
    invoice_get_for_client,
    invoice_get_for_staff,
    invoice_lines,
    invoices_for_client,
    invoices_for_staff,
    open_invoices_for_contact,
    payment_get_for_client,
    payment_get_for_staff,
    payments_for_invoice,
    receivables_ageing,
    refund_get_for_staff,
    refunds_waiting_for_approval,
    tax_rates_active,
)

__all__ = [
    "billing_settings_get",
    "contact_billing_history",
    "fees_for_client",
    "invoice_get_for_client",
    "invoice_get_for_staff",
    "invoice_lines",
    "invoices_for_client",
    "invoices_for_staff",
    "open_invoices_for_contact",
    "payment_get_for_client",
    "payment_get_for_staff",
    "payments_for_invoice",
    "receivables_ageing",
    "refund_get_for_staff",
    "refunds_waiting_for_approval",
    "tax_rates_active",
]
