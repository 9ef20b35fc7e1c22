"""A paid consultation on a phone in Polish, without Stripe keys: the time is held while
the booker pays on the demo checkout, and the booking is confirmed by the payment."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from billing.models import Payment, StripeEvent
from portal.models import Firm
from scheduling.models import Appointment
from tests import factories
from tests.e2e.conftest import PHONE, new_page
from tests.scheduling.helpers import make_service, working_week


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.django_db(transaction=True)
def test_a_prospect_books_the_paid_consultation_pays_on_the_demo_checkout_and_is_booked(
    browser: Any, live_server: Any, screenshot: Any, settings: Any
) -> None:
    # given the 350 PLN consultation, paid when booking, and no Stripe keys
    settings.SITE_URL = live_server.url
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRETS = []
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kancelaria Kowalska"})
    cache.clear()
    lawyer = factories.StaffFactory(
        first_name="Anna", last_name="Kowalska", time_zone="Europe/Warsaw"
    )
    working_week(lawyer, days=range(7))
    make_service(
        staff=[lawyer],
        slug="konsultacja",
        name="Konsultacja wstępna",
        minutes=45,
        price="350.00",
        payment_rule="FULL_AT_BOOKING",
        cancel_deadline_hours=24,
        cancel_fee="100.00",
        min_notice_minutes=60,
        hold_minutes=10,
    )

    # when a prospect books on a phone in Polish
    page = new_page(browser, PHONE, locale="pl-PL")
    page.goto(f"{live_server.url}/book/konsultacja/")
    page.locator(".days .day").nth(1).click()
    page.wait_for_selector(".slots .slot")
    page.locator(".slots .slot").first.click()
    page.fill("input[name=first_name]", "Ewa")
    page.fill("input[name=last_name]", "Zielińska")
    page.fill("input[name=email]", "ewa@example.com")
    page.click("button[type=submit] >> text=Potwierdź rezerwację")

    # then the time is held and the pay page shows the amount and the terms
    page.wait_for_url("**/billing/booking/*/pay/")
    held = Appointment.objects.get()
    assert held.status == "held"
    assert held.policy_snapshot["pay_at_booking"] == "350.00"
    page.wait_for_selector("text=Zapłać, aby potwierdzić rezerwację")
    policy = page.inner_text("[data-policy]")
    assert "350,00" in policy and "100,00" in policy
    assert page.inner_text("[data-countdown]").startswith(("9:", "10:"))
    assert _fits(page)
    screenshot(page, "paid-booking-01-pay-pl-390")

    # when they pay on the demo checkout
    page.click("[data-pay]")
    page.wait_for_url("**/billing/demo-checkout/**")
    assert "demonstracyjna" in page.content()
    assert _fits(page)
    screenshot(page, "paid-booking-02-demo-checkout-pl-390")
    page.click("text=Zapłać (demo)")

    # then the booking is confirmed by the verified payment
    page.wait_for_url("**/manage/**", timeout=15000)
    page.wait_for_selector("[data-booking-code]")
    assert "Konsultacja wstępna" in page.inner_text("[data-appointment]")
    terms = page.inner_text("[data-terms]")
    assert "zapłacono przy rezerwacji" in terms and "zwrócimy" in terms
    assert _fits(page)
    screenshot(page, "paid-booking-03-booked-pl-390")
    held.refresh_from_db()
    assert held.status == "booked"
    assert Payment.objects.get().amount == 350
    assert StripeEvent.objects.get().status == "PROCESSED"
