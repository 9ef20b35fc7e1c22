"""The staff search box finds an invoice (or pro forma, credit note) by its number, or by
the number of the legal invoice attached to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from billing.money import format_money
from billing.selectors import invoices_for_staff
from portal.search_providers import SearchHit

if TYPE_CHECKING:
    from portal.models import User


def invoices_by_number(user: User, query: str) -> list[SearchHit]:
    query = query.strip()
    if len(query) < 3 or not any(c.isdigit() for c in query):
        return []
    found = invoices_for_staff(user=user).filter(
        Q(number__icontains=query) | Q(external_number__icontains=query)
    )[:10]
    return [
        SearchHit(
            title=f"{invoice.number or invoice.external_number} · {invoice.contact.full_name}",
            detail=f"{invoice.get_document_display()} · "
            f"{format_money(invoice.total, invoice.currency, translation.get_language() or 'en')}",
            url=reverse("billing:staff-invoice", args=[invoice.pk]),
        )
        for invoice in found
    ]
