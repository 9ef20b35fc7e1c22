"""An issued invoice cannot be changed even around the model: the PostgreSQL trigger
refuses QuerySet.update() of its printed columns and its deletion."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, transaction

from billing.models import Invoice
from tests import factories
from tests.billing.helpers import draft, issued

pytestmark = pytest.mark.postgres


def test_the_database_refuses_changes_to_an_issued_invoice(firm: Any) -> None:
    admin = factories.AdminFactory()
    _user, contact = factories.client_with_contact()
    invoice = issued(actor=admin, contact=contact)
    for change in ({"total": Decimal("1.00")}, {"number": "FV/X/1"}, {"lifecycle": "DRAFT"}):
        with pytest.raises(DatabaseError), transaction.atomic():
            Invoice.objects.filter(pk=invoice.pk).update(**change)
    with pytest.raises(DatabaseError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk)._raw_delete(Invoice.objects.db)
    # the settlement columns still move, and drafts change freely
    Invoice.objects.filter(pk=invoice.pk).update(external_number="KSeF-1")
    other = draft(actor=admin, contact=contact)
    Invoice.objects.filter(pk=other.pk).update(total=Decimal("2.00"))
    invoice.refresh_from_db()
    assert invoice.total == Decimal("350.00") and invoice.external_number == "KSeF-1"


def _credited(admin: Any, contact: Any) -> Any:
    from billing import services

    invoice = issued(actor=admin, contact=contact)
    note = services.credit_note_issue(
        actor=admin, invoice_id=invoice.pk, reason="CORRECTION", amounts=None
    )
    return invoice, note


def test_the_database_refuses_changes_to_issued_lines_and_credit_notes(firm: Any) -> None:
    from billing.models import CreditNote, CreditNoteLine, InvoiceLine

    admin = factories.AdminFactory()
    _user, contact = factories.client_with_contact()
    invoice, note = _credited(admin, contact)
    line = invoice.lines.get()
    # an issued invoice's lines: no update, no delete, no new line
    with pytest.raises(DatabaseError), transaction.atomic():
        InvoiceLine.objects.filter(pk=line.pk).update(unit_price=Decimal("1.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        InvoiceLine.objects.filter(pk=line.pk)._raw_delete(InvoiceLine.objects.db)
    with pytest.raises(DatabaseError), transaction.atomic():
        InvoiceLine.objects.create(
            invoice=invoice, description="Extra", quantity=1, unit_price=Decimal("9.00")
        )
    # a credit note and its lines: no update, no delete
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditNote.objects.filter(pk=note.pk).update(total=Decimal("1.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditNote.objects.filter(pk=note.pk).update(pdf="billing/other.pdf")
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditNote.objects.filter(pk=note.pk)._raw_delete(CreditNote.objects.db)
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditNoteLine.objects.filter(credit_note=note).update(gross=Decimal("1.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditNoteLine.objects.filter(credit_note=note)._raw_delete(CreditNoteLine.objects.db)
    # while a draft's lines still change freely
    other = draft(actor=admin, contact=contact)
    InvoiceLine.objects.filter(invoice=other).update(unit_price=Decimal("2.00"))
    InvoiceLine.objects.filter(invoice=other).delete()
    note.refresh_from_db()
    assert note.total == Decimal("350.00")
    assert invoice.lines.get().unit_price == Decimal("350.00")


def test_voiding_is_the_one_move_left_and_a_void_invoice_never_changes(firm: Any) -> None:
    from django.utils import timezone

    admin = factories.AdminFactory()
    _user, contact = factories.client_with_contact()
    invoice = issued(actor=admin, contact=contact)
    # voiding may not move money, nor can an issued invoice go back to a draft
    with pytest.raises(DatabaseError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(lifecycle="VOID", balance=Decimal("0.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(void_reason="sneaky")
    Invoice.objects.filter(pk=invoice.pk).update(
        lifecycle="VOID", void_reason="Typo in the buyer", voided_at=timezone.now()
    )
    for change in (
        {"lifecycle": "ISSUED"},
        {"void_reason": "Other"},
        {"external_number": "X"},
        {"balance": Decimal("0.00")},
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            Invoice.objects.filter(pk=invoice.pk).update(**change)
    with pytest.raises(DatabaseError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk)._raw_delete(Invoice.objects.db)
