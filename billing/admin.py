"""Billing in the Django admin: tax rates and number series are edited here; issued
documents, payments and the ledger are read-only (corrections are credit notes and
refunds, made on the staff pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from billing.models import (
    CreditNote,
    Invoice,
    LedgerEntry,
    NumberSeries,
    Payment,
    StripeEvent,
    TaxRate,
)


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin[TaxRate]):
    list_display = ("name", "code", "rate", "inclusive", "is_active")


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin[NumberSeries]):
    list_display = ("kind", "pattern", "reset", "period_key", "next_value")
    readonly_fields = ("period_key", "next_value")


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "document", "contact", "lifecycle", "settlement", "total", "currency")
    list_filter = ("lifecycle", "settlement", "document")
    search_fields = ("number",)


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ("number", "invoice", "reason", "total", "currency")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("receipt_number", "contact", "method", "amount", "currency", "status")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("contact", "kind", "amount", "currency", "created_at")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "status", "received_at")
