"""Billing test data, written through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from billing import services
from billing.models import Invoice, TaxRate
from portal.models import Contact, User


def vat23() -> TaxRate:
    rate, _created = TaxRate.objects.get_or_create(
        code="23", defaults={"name": "VAT 23%", "rate": Decimal("23.00")}
    )
    return rate


def line(
    description: str = "Consultation", quantity: str = "1", price: str = "350.00", **extra: Any
) -> services.LineInput:
    return services.LineInput(
        description=description, quantity=Decimal(quantity), unit_price=Decimal(price), **extra
    )


def draft(
    *,
    actor: User,
    contact: Contact,
    lines: list[services.LineInput] | None = None,
    currency: str = "PLN",
    due_in_days: int = 14,
    matter_id: Any = None,
) -> Invoice:
    return services.invoice_draft_create(
        actor=actor,
        data=services.DraftInput(
            contact_id=contact.pk,
            due_date=timezone.localdate() + dt.timedelta(days=due_in_days),
            lines=lines or [line()],
            currency=currency,
            language="en",
            matter_id=matter_id,
        ),
    )


def issued(*, actor: User, contact: Contact, **kwargs: Any) -> Invoice:
    invoice = draft(actor=actor, contact=contact, **kwargs)
    return services.invoice_issue(actor=actor, invoice_id=invoice.pk)
