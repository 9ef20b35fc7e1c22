"""Rescheduling on a 390 px phone, in Russian: the booking page's month around the booked
date (three months ahead, past the 60-day horizon), the booked day ringed; tapping another
day shows its times in place, tapping a time moves the booking (issue 11)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from portal.models import Firm
from scheduling.models import Appointment
from tests import factories
from tests.e2e.conftest import PHONE, new_page
from tests.scheduling.helpers import make_appointment, make_service, working_week

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.django_db(transaction=True)
def test_a_client_moves_a_far_booking_in_the_month_on_a_phone_in_russian(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kowalska & Nowak"})
    cache.clear()
    lawyer = factories.StaffFactory(first_name="Anna", last_name="Kowalska")
    working_week(lawyer, days=range(7))
    service = make_service(staff=[lawyer], slug="konsultacja", minutes=30, horizon_days=60)
    # on the 10th of the month three months ahead, 10:00 in Warsaw
    today = timezone.now().astimezone(WARSAW).date()
    month = (today.replace(day=1) + dt.timedelta(days=95)).replace(day=1)
    booked_day = month.replace(day=10)
    booking = make_appointment(
        service=service,
        staff=lawyer,
        contact=factories.ContactFactory(email="ivan@example.com", language="ru"),
        start=dt.datetime.combine(booked_day, dt.time(10), tzinfo=WARSAW).astimezone(dt.UTC),
    )

    page = new_page(browser, PHONE, locale="ru-RU")
    page.goto(f"{live_server.url}/manage/{booking.manage_token}/reschedule/")
    ringed = page.locator(f'table.days a.day.booked[data-day="{booked_day:%Y-%m-%d}"]')
    assert "current" in (ringed.get_attribute("class") or "")
    assert page.locator("#times .slots .slot").count() > 5
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "reschedule-month-phone-ru-01")

    # another day: its times appear in place, without a page load
    other = booked_day.replace(day=12)
    url = page.url
    page.locator(f'table.days a.day[data-day="{other:%Y-%m-%d}"]').click()
    heading = page.locator("#times .day-heading")
    assert f"{other.day} " in heading.inner_text()
    assert page.url == url
    screenshot(page, "reschedule-month-phone-ru-02-day")
    page.locator("#times .slots .slot").first.click()
    page.wait_for_url("**/manage/**")
    page.wait_for_load_state()
    moved = Appointment.objects.get(status="booked")
    assert moved.replaces_id == booking.pk
    assert moved.start_at.astimezone(WARSAW).date() == other
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "reschedule-month-phone-ru-03-moved")
