"""Demo billing data (called by seed_demo; idempotent): settings, tax rates, an issued
unpaid payment request for ewa@example.com and a paid one with its receipt for
jan@example.com."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from billing import selectors, services
from billing.models import BillingSettings, Invoice, TaxRate

if TYPE_CHECKING:
    from portal.models import Contact, Matter, User

TAX_RATES = [
    ("VAT 23%", "23", Decimal("23.00")),
    ("VAT 8%", "8", Decimal("8.00")),
    ("Exempt", "ZW", Decimal("0.00")),
]


def seed(*, actor: User, invoices: list[tuple[Contact, Matter | None, bool]]) -> None:
    """``invoices``: (contact, matter, paid) for each demo invoice."""
    settings = selectors.billing_settings_get()
    if not settings.seller_name:
        BillingSettings.objects.filter(pk=settings.pk).update(
            seller_name="Kowalska & Nowak Kancelaria Adwokacka sp.p.",
            seller_address="ul. Mokotowska 12/4\n00-640 Warszawa",
            seller_tax_id="5260250274",
            bank_iban="PL61109010140000071219812874",
        )
    for position, (name, code, rate) in enumerate(TAX_RATES):
        TaxRate.objects.get_or_create(
            code=code, defaults={"name": name, "rate": rate, "position": position}
        )
    vat = TaxRate.objects.get(code="23")
    for contact, matter, paid in invoices:
        if Invoice.objects.filter(contact=contact).exists():
            continue
        draft = services.invoice_draft_create(
            actor=actor,
            data=services.DraftInput(
                contact_id=contact.pk,
                matter_id=matter.pk if matter else None,
                due_date=timezone.localdate() + dt.timedelta(days=14),
                currency="PLN",
                language=contact.language,
                lines=[
                    services.LineInput(
                        description="Legal advice and drafting",
                        quantity=Decimal("2"),
                        unit="h",
                        unit_price=Decimal("400.00"),
                        tax_rate_id=vat.pk,
                    ),
                    services.LineInput(
                        description="Court fee",
                        quantity=Decimal("1"),
                        unit_price=Decimal("100.00"),
                        kind="DISBURSEMENT",
                    ),
                ],
            ),
        )
        invoice = services.invoice_issue(actor=actor, invoice_id=draft.pk)
        if paid:
            services.payment_record(
                actor=actor,
                contact_id=contact.pk,
                method="BANK_TRANSFER",
                amount=invoice.total,
                currency=invoice.currency,
                received_on=timezone.localdate(),
                bank_reference=invoice.number or "",
            )
