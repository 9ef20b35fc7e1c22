"""Voiding an issued invoice (spec §4, §5): only where the profile allows it, before it
was sent, with a reason; the number stays used and the document says VOID."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from billing import services
from billing.models import BillingSettings, Invoice, PaymentRequest
from core.errors import ServiceError
from notifications.models import Notification
from tests import factories
from tests.billing.helpers import issued


@pytest.fixture
def people(firm: Any) -> Any:
    admin = factories.AdminFactory(email="anna@firm.example")
    user, contact = factories.client_with_contact(email="ewa@client.example")
    return admin, user, contact


def _us_firm() -> None:
    BillingSettings.objects.update_or_create(
        pk=1, defaults={"jurisdiction": "US_IOLTA", "legal_invoice_mode": "INTERNAL"}
    )


def test_a_polish_firm_corrects_with_a_credit_note_never_a_void(people: Any, client: Any) -> None:
    admin, _user, contact = people
    invoice = issued(actor=admin, contact=contact)
    client.force_login(admin)
    page = client.get(reverse("billing:staff-invoice", args=[invoice.pk])).content.decode()
    assert "issue a credit note for what is left to pay instead" in page
    response = client.post(
        reverse("billing:staff-invoice-action", args=[invoice.pk, "void"]),
        {"reason": "Wrong client"},
        follow=True,
    )
    assert "issue a credit note" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.is_issued and not AuditEvent.objects.filter(action="invoice.voided").exists()


def test_voiding_before_it_was_sent_keeps_the_number_and_stamps_the_pdf(
    people: Any, client: Any
) -> None:
    admin, user, contact = people
    _us_firm()
    invoice = issued(actor=admin, contact=contact)
    number, first_pdf = invoice.number, invoice.pdf.name
    request = PaymentRequest.objects.create(
        kind="INVOICE_BALANCE",
        contact=contact,
        invoice=invoice,
        amount=invoice.balance,
        currency=invoice.currency,
    )
    client.force_login(admin)
    url = reverse("billing:staff-invoice-action", args=[invoice.pk, "void"])
    # a reason is required, in plain text
    for reason in ("", "<script>x</script>", "x" * 301):
        client.post(url, {"reason": reason})
        invoice.refresh_from_db()
        assert invoice.is_issued
    response = client.post(url, {"reason": "Billed the wrong client"}, follow=True)
    assert "is void; its number stays used" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.is_void and invoice.number == number
    assert invoice.void_reason == "Billed the wrong client" and invoice.voided_by_id == admin.pk
    assert invoice.pdf.name != first_pdf and invoice.pdf.open("rb").read(5) == b"%PDF-"
    request.refresh_from_db()
    assert request.status == "CANCELLED"
    event = AuditEvent.objects.get(action="invoice.voided")
    assert event.data == {"number": number, "reason": "Billed the wrong client"}
    # the next invoice takes the next number: the void one keeps its place in the series
    following = issued(actor=admin, contact=contact)
    assert int(following.number[-4:]) == int(number[-4:]) + 1
    # the client neither sees it nor gets the waiting notice
    client.force_login(user)
    assert client.get(reverse("billing:portal-invoice", args=[invoice.pk])).status_code == 404
    from notifications.services import deliveries_sweep

    deliveries_sweep()
    notice = Notification.objects.get(about=f"invoice:{invoice.pk}", channel="email")
    assert notice.state == "suppressed"
    # and a void invoice cannot be voided again, nor credited
    with pytest.raises(ServiceError):
        services.invoice_void(actor=admin, invoice_id=invoice.pk, reason="again")
    with pytest.raises(ServiceError):
        services.credit_note_issue(actor=admin, invoice_id=invoice.pk, reason="CORRECTION")


def test_no_void_once_sent_paid_or_without_the_permission(people: Any) -> None:
    admin, _user, contact = people
    _us_firm()
    sent = issued(actor=admin, contact=contact)
    Notification.objects.filter(about=f"invoice:{sent.pk}").update(state="sent")
    with pytest.raises(ServiceError, match="already sent"):
        services.invoice_void(actor=admin, invoice_id=sent.pk, reason="Late")
    paid = issued(actor=admin, contact=contact)
    Notification.objects.filter(about=f"invoice:{paid.pk}").update(state="suppressed")
    services.payment_record(
        actor=admin,
        contact_id=contact.pk,
        method="CASH",
        amount=Decimal("10.00"),
        currency="PLN",
        received_on=paid.issue_date,
        invoice_order=[paid.pk],
    )
    with pytest.raises(ServiceError, match="Payments or credit notes"):
        services.invoice_void(actor=admin, invoice_id=paid.pk, reason="Late")
    staff = factories.StaffFactory(email="on@firm.example")
    with pytest.raises(ServiceError, match="may not void"):
        services.invoice_void(actor=staff, invoice_id=paid.pk, reason="Late")
    assert not Invoice.objects.filter(lifecycle="VOID").exists()
