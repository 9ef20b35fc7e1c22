"""An invoice drafted from an attended consultation (spec §6 F1 step 1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from billing import services
from billing.models import Invoice, PaymentRequest, TaxRate
from core.errors import ServiceError
from tests import factories
from tests.notifications.conftest import make_appointment, make_service


@pytest.fixture
def consult(firm: Any) -> Any:
    admin = factories.AdminFactory(email="anna@firm.example")
    _user, contact = factories.client_with_contact(email="ewa@client.example")
    service = make_service(name="Consultation 45 min", price=Decimal("350.00"))
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    appointment = make_appointment(
        service=service, staff=admin, contact=contact, start=start, status="attended"
    )
    TaxRate.objects.create(name="VAT 23%", code="23", rate=Decimal("23.00"), position=0)
    gross = TaxRate.objects.create(
        name="VAT 23% in the price", code="23", rate=Decimal("23.00"), inclusive=True, position=1
    )
    return admin, contact, appointment, gross


def test_an_attended_consultation_becomes_a_draft_at_its_price_once(
    consult: Any, client: Any
) -> None:
    admin, contact, appointment, gross = consult
    client.force_login(admin)
    # when staff press "Invoice this consultation" on the appointment
    response = client.post(reverse("billing:staff-invoice-from-appointment", args=[appointment.pk]))
    invoice = Invoice.objects.get(appointment=appointment)
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:staff-invoice", args=[invoice.pk])
    # then a draft has one fee line at the price the client saw, tax included
    assert invoice.is_draft and invoice.contact_id == contact.pk
    (line,) = invoice.lines.all()
    assert line.kind == "FEE" and line.quantity == 1 and line.unit_price == Decimal("350.00")
    assert line.tax_rate_id == gross.pk
    assert invoice.total == Decimal("350.00")
    assert "Consultation 45 min" in line.description
    event = AuditEvent.objects.get(action="invoice.drafted")
    assert event.data == {"appointment": str(appointment.pk)}
    # and pressing it again opens the same draft, never a second one
    again = client.post(reverse("billing:staff-invoice-from-appointment", args=[appointment.pk]))
    assert again["Location"] == reverse("billing:staff-invoice", args=[invoice.pk])
    assert Invoice.objects.filter(appointment=appointment).count() == 1
    # the contact's billing page no longer lists it as waiting
    page = client.get(reverse("billing:staff-contact-billing", args=[contact.pk]))
    assert "Attended consultations not invoiced yet" not in page.content.decode()
    # once the draft is discarded, the consultation can be invoiced again
    services.invoice_discard(actor=admin, invoice_id=invoice.pk)
    page = client.get(reverse("billing:staff-contact-billing", args=[contact.pk]))
    assert "Attended consultations not invoiced yet" in page.content.decode()
    fresh, created = services.invoice_draft_from_appointment(
        actor=admin, appointment_id=appointment.pk
    )
    assert created and fresh.pk != invoice.pk


def test_the_appointment_page_offers_it_only_once_attended(consult: Any, client: Any) -> None:
    admin, _contact, appointment, _gross = consult
    client.force_login(admin)
    url = reverse("billing:staff-invoice-from-appointment", args=[appointment.pk])
    page = client.get(reverse("scheduling:staff-appointment", args=[appointment.pk]))
    assert url in page.content.decode()
    type(appointment).objects.filter(pk=appointment.pk).update(status="no_show")
    page = client.get(reverse("scheduling:staff-appointment", args=[appointment.pk]))
    assert url not in page.content.decode()
    # and posting anyway says why, in the page's flash, storing nothing
    response = client.post(url, follow=True)
    assert "Only an attended appointment can be invoiced." in response.content.decode()
    assert not Invoice.objects.exists()


def test_free_or_prepaid_consultations_are_not_invoiced(consult: Any) -> None:
    admin, contact, appointment, _gross = consult
    PaymentRequest.objects.create(
        kind=PaymentRequest.Kind.CONSULTATION_FEE,
        contact=contact,
        appointment_id=appointment.pk,
        amount=Decimal("350.00"),
        currency="PLN",
        status=PaymentRequest.Status.PAID,
    )
    with pytest.raises(ServiceError, match="paid in full at booking"):
        services.invoice_draft_from_appointment(actor=admin, appointment_id=appointment.pk)
    type(appointment.service).objects.filter(pk=appointment.service_id).update(price=0)
    with pytest.raises(ServiceError, match="free"):
        services.invoice_draft_from_appointment(actor=admin, appointment_id=appointment.pk)
    assert not Invoice.objects.exists()


def test_staff_who_may_not_see_the_appointment_get_404(consult: Any, client: Any) -> None:
    _admin, _contact, appointment, _gross = consult
    other = factories.StaffFactory(email="off@firm.example")
    client.force_login(other)
    response = client.post(reverse("billing:staff-invoice-from-appointment", args=[appointment.pk]))
    assert response.status_code == 404
    assert not Invoice.objects.exists()
