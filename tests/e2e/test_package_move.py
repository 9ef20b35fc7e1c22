"""A client on a phone, in Polish, moves the first step of a package past the second:
the page shows the draft review's new date, time and person, and moves both after the
client confirms; the consultation stays before the draft review (issue 11)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from portal.models import Contact, Firm
from scheduling import services
from scheduling.models import Appointment, PackageStep, Service
from tests import factories
from tests.e2e.conftest import PHONE, new_page
from tests.scheduling.helpers import make_service, working_week

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.django_db(transaction=True)
def test_client_moves_a_package_step_and_the_later_step_follows_in_polish(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kowalska i Wspólnicy"})
    cache.clear()
    anna = factories.StaffFactory(
        first_name="Anna", last_name="Kowalska", time_zone="Europe/Warsaw"
    )
    piotr = factories.StaffFactory(first_name="Piotr", last_name="Nowak", time_zone="Europe/Warsaw")
    for person in (anna, piotr):
        working_week(person, days=range(7))
    consult = make_service(staff=[anna], slug="konsultacja", minutes=45, name="Konsultacja wstępna")
    review = make_service(staff=[piotr], slug="przeglad", minutes=30, name="Omówienie projektu")
    package = make_service(staff=[anna], slug="testament", minutes=45, name="Testament")
    PackageStep.objects.create(package=package, service=consult, position=0, min_gap_days=0)
    PackageStep.objects.create(package=package, service=review, position=1, min_gap_days=0)
    package = Service.objects.prefetch_related("staff", "steps__service__staff").get(pk=package.pk)
    contact = Contact.objects.create(
        first_name="Ewa",
        last_name="Wiśniewska",
        email="ewa@example.com",
        language="pl",
        time_zone="Europe/Warsaw",
    )
    day = (dt.datetime.now(WARSAW) + dt.timedelta(days=2)).date()
    first, second = services.appointment_book(
        service=package,
        start_at=dt.datetime.combine(day, dt.time(10), tzinfo=WARSAW),
        contact=contact,
        staff=anna,
        time_zone="Europe/Warsaw",
    )

    page = new_page(browser, PHONE, locale="pl-PL")
    page.goto(f"{live_server.url}/manage/{first.manage_token}/reschedule/?date={day:%Y-%m-%d}")
    page.wait_for_selector("[data-moving-slots]")
    screenshot(page, "package-move-pl-01-times")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("[data-moving-slots] .slot", has_text="14:00").click()
    page.wait_for_selector("[data-package-move]")
    screenshot(page, "package-move-pl-02-proposal")
    proposal = page.inner_text("[data-package-move]")
    assert "Omówienie projektu" in proposal and "Piotr Nowak" in proposal
    assert "14:45" in proposal
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("[data-package-move] button[name=confirm_move]")
    page.wait_for_load_state()
    screenshot(page, "package-move-pl-03-moved")
    current = list(Appointment.objects.filter(status="booked").order_by("start_at"))
    assert [a.service_id for a in current] == [consult.pk, review.pk]
    assert current[0].start_at == dt.datetime.combine(day, dt.time(14), tzinfo=WARSAW)
    assert current[0].end_at <= current[1].start_at
