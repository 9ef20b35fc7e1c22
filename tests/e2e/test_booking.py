"""A prospective client books the free call on a phone, reschedules, then cancels."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from portal.models import Firm
from scheduling.models import Appointment
from tests import factories
from tests.e2e.conftest import PHONE, new_page
from tests.scheduling.helpers import make_service, working_week


@pytest.mark.django_db(transaction=True)
def test_prospect_books_free_call_reschedules_and_cancels_on_a_phone(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    # given a firm with one lawyer who works every day, and the free introductory call
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kowalska Family Law"})
    cache.clear()
    lawyer = factories.StaffFactory(
        first_name="Anna", last_name="Kowalska", time_zone="Europe/Warsaw"
    )
    working_week(lawyer, days=range(7))
    make_service(
        staff=[lawyer],
        slug="introductory-call",
        name="15-minute introductory call",
        minutes=15,
        min_notice_minutes=60,
    )

    # when the prospect opens the booking page on a phone and picks tomorrow's first slot
    page = new_page(browser, PHONE, timezone_id="Europe/London")
    page.goto(f"{live_server.url}/book/")
    screenshot(page, "booking-phone-01-services")
    page.click("h2 >> text=15-minute introductory call")
    # the browser's zone was detected (cookie or ?tz=) and the times are shown in it
    page.wait_for_selector("[data-booking-tz][data-current='Europe/London']")
    page.wait_for_load_state()
    page.locator(".days .day").nth(1).click()
    page.wait_for_selector(".slots .slot")
    screenshot(page, "booking-phone-02-slots")
    first_time = page.locator(".slots .slot").first.inner_text()
    page.locator(".slots .slot").first.click()
    page.fill("input[name=first_name]", "Ada")
    page.fill("input[name=last_name]", "Nowak")
    page.fill("input[name=email]", "ada@example.com")
    page.fill("input[name=phone]", "+48601234567")
    screenshot(page, "booking-phone-03-details")
    page.click("text=Confirm booking")

    # then the confirmation shows the time and offers the calendar file and both links
    page.wait_for_selector("text=You are booked")
    screenshot(page, "booking-phone-04-confirmation")
    assert first_time in page.inner_text("[data-appointment]")
    booked = Appointment.objects.get()
    assert booked.status == "booked"
    ics = page.request.get(live_server.url + page.get_attribute("a[download]", "href"))
    assert b"BEGIN:VCALENDAR" in ics.body()

    # when they reschedule through the link to another slot
    page.click("text=Reschedule")
    page.wait_for_selector(".slots .slot")
    screenshot(page, "booking-phone-05-reschedule")
    page.locator(".slots .slot").nth(4).click()
    page.wait_for_selector("text=You are booked")
    screenshot(page, "booking-phone-06-rescheduled")
    moved = Appointment.objects.get(status="booked")
    assert moved.replaces_id == booked.pk
    assert moved.uid == booked.uid and moved.sequence == 1

    # and then cancel it
    page.click(".actions a.danger")
    page.wait_for_selector("text=Cancel this appointment?")
    screenshot(page, "booking-phone-07-cancel")
    page.click("button.danger")
    page.wait_for_selector("text=This appointment is cancelled")
    screenshot(page, "booking-phone-08-cancelled")
    moved.refresh_from_db()
    assert moved.status == "cancelled"
    page.context.close()
