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
