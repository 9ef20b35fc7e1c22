"""A personal booking invitation on a phone in Polish: the invited client books with the
link, and the same link afterwards says clearly that it was used."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from portal.models import Contact, Firm
from scheduling import selectors
from scheduling.models import Appointment, BookingInvitation
from tests import factories
from tests.e2e.conftest import PHONE, new_page
from tests.scheduling.helpers import make_service, working_week


@pytest.mark.django_db(transaction=True)
def test_booking_with_an_invitation_on_a_phone_in_polish(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kancelaria Kowalska"})
    cache.clear()
    lawyer = factories.StaffFactory(
        first_name="Anna", last_name="Kowalska", time_zone="Europe/Warsaw"
    )
    working_week(lawyer, days=range(7))
    service = make_service(
        staff=[lawyer], slug="strategia", name="Sesja strategiczna", audience="invited"
    )
    contact = Contact.objects.create(
        first_name="Ewa", last_name="Zielińska", email="ewa@example.com", language="pl"
    )
    token = "e2e-personal-token-0123456789"
    BookingInvitation.objects.create(
        service=service,
        contact=contact,
        email=contact.email,
        token_hash=selectors.invitation_token_hash(token),
        sent_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    page = new_page(browser, PHONE, locale="pl-PL")
    page.goto(f"{live_server.url}/book/strategia/?invite={token}")
    page.locator(".days .day").nth(1).click()
    page.wait_for_selector(".slots .slot")
    page.locator(".slots .slot").first.click()
    # the form is the invited client's own
    assert page.input_value("input[name=email]") == "ewa@example.com"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "booking-invitation-phone-pl-01-form")
    page.click("button[type=submit] >> text=Potwierdź rezerwację")
    page.wait_for_selector("text=Kod rezerwacji")
    appointment = Appointment.objects.get()
    assert appointment.contact_id == contact.pk
    screenshot(page, "booking-invitation-phone-pl-02-booked")
    # the same link again
    page.goto(f"{live_server.url}/book/strategia/?invite={token}")
    page.wait_for_selector("[data-invitation-refused]")
    assert "zostało już wykorzystane" in page.inner_text("[data-invitation-refused]")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "booking-invitation-phone-pl-03-used")
