"""A booking with steps to finish, on a phone in Polish: the page keeps the time, counts
down, lists the steps and lets the booker release it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from portal.models import Firm
from scheduling.models import Appointment
from tests import factories
from tests.e2e.conftest import PHONE, new_page
from tests.scheduling.flow_steps import FORM_STEP, PAY_STEP, registered
from tests.scheduling.helpers import make_service, working_week


@pytest.mark.django_db(transaction=True)
def test_finish_your_booking_page_on_a_phone_in_polish(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    # given a firm whose booking has two registered steps (a form, then a payment)
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
        min_notice_minutes=60,
        hold_minutes=15,
    )

    with registered(FORM_STEP, PAY_STEP):
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

        # then they land on the first step; the manage link shows what is left to finish
        page.wait_for_url("**?step=test-form")
        held = Appointment.objects.get()
        assert held.status == "held"
        page.goto(f"{live_server.url}/manage/{held.manage_token}/")
        page.wait_for_selector("text=Dokończ rezerwację")
        assert "Konsultacja wstępna" in page.inner_text("[data-appointment]")
        steps = page.inner_text(".booking-steps")
        assert "Przyjęcie sprawy" in steps and "Zapłać" in steps
        countdown = page.inner_text("[data-countdown]")
        assert countdown.startswith(("14:", "15:")), countdown
        assert page.get_attribute("[data-continue]", "href").endswith("?step=test-form")
        # nothing overflows the phone's width
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "booking-flow-phone-pl-01-finish")

        # when they give the time back
        page.click("text=Nie chcę tego terminu: zwolnij go")

        # then the page says the time was released and offers to book again
        page.wait_for_selector("text=Termin został zwolniony")
        assert page.locator("[data-rebook]").count() == 1
        screenshot(page, "booking-flow-phone-pl-02-released")
    assert Appointment.objects.get().status == "cancelled"
