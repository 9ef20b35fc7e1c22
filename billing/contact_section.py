"""A staff contact page lists the person's invoices (portal.contact_sections)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from billing.models import Invoice
from billing.money import format_money
from billing.selectors import invoices_for_staff
from portal.contact_sections import LIMIT, ContactRow

if TYPE_CHECKING:
    from portal.models import Contact, User


def invoices_of_contact(user: User, contact: Contact) -> tuple[list[ContactRow], str]:
    """The contact's invoices and payment requests (discarded drafts left out), newest
    first, through billing's staff policy; one query. Their billing page has them all."""
    found = (
        invoices_for_staff(user=user, contact_id=contact.pk)
        .exclude(lifecycle=Invoice.Lifecycle.DISCARDED)
        .select_related(None)[: LIMIT + 1]
    )
    language = translation.get_language() or "en"
    rows = []
    for invoice in found:
        status = (
            invoice.get_settlement_display()
            if invoice.is_issued
            else invoice.get_lifecycle_display()
        )
        rows.append(
            ContactRow(
                title=f"{invoice.number or _('Draft')} · "
                f"{format_money(invoice.total, invoice.currency, language)}",
                detail=f"{invoice.get_document_display()} · {status} · "
                + _("due %(date)s") % {"date": date_format(invoice.due_date, "SHORT_DATE_FORMAT")},
                url=reverse("billing:staff-invoice", args=[invoice.pk]),
            )
        )
    return rows, reverse("billing:staff-contact-billing", args=[contact.pk])
