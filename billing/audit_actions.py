"""The audit actions billing records (declared in BillingConfig.ready())."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BillingAction(models.TextChoices):
    INVOICE_DRAFTED = "invoice.drafted", _("Invoice drafted")
    INVOICE_UPDATED = "invoice.updated", _("Draft invoice changed")
    INVOICE_DISCARDED = "invoice.discarded", _("Draft invoice discarded")
    INVOICE_ISSUED = "invoice.issued", _("Invoice issued")
    INVOICE_VIEWED = "invoice.viewed", _("Invoice viewed")
    INVOICE_DOWNLOADED = "invoice.downloaded", _("Billing document downloaded")
    INVOICE_EXTERNAL = "invoice.external_attached", _("Legal invoice attached")
    INVOICE_VOIDED = "invoice.voided", _("Invoice voided")
    CREDIT_NOTE_ISSUED = "credit_note.issued", _("Credit note issued")
    PAYMENT_RECORDED = "payment.recorded", _("Payment recorded by staff")
    PAYMENT_SETTLED = "payment.settled", _("Online payment received")
    PAYMENT_STARTED = "payment.started", _("Online payment started")
    REFUND_REQUESTED = "refund.requested", _("Refund requested")
    REFUND_SETTLED = "refund.settled", _("Refund completed")
    REFUND_FAILED = "refund.failed", _("Refund failed")
    REFUND_APPROVED = "refund.approved", _("Refund approved")
    REFUND_REJECTED = "refund.rejected", _("Refund rejected")
    PAYMENT_DISPUTED = "payment.disputed", _("Payment disputed")
    PAYMENT_DISPUTE_CLOSED = "payment.dispute_closed", _("Payment dispute closed")
    BOOKING_REBOOKED = "booking.rebooked", _("Paid booking took its time again")
    FEE_REQUESTED = "fee.requested", _("Late cancellation fee requested")
    FEE_WAIVED = "fee.waived", _("Late cancellation fee waived")
    REQUEST_CREATED = "payment_request.created", _("Payment request sent")
    REQUEST_UPDATED = "payment_request.updated", _("Due date or reminders of a fee changed")
    SETTINGS_UPDATED = "billing.settings", _("Billing settings changed")
