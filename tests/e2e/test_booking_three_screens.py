"""Issue 11: booking on a phone in three screens, measured in Chromium at 390x844.

From /book/<service>/ to the confirmation: at most 3 page loads (the month with the free
days, the times and the form in place; the confirmation), no horizontal scroll on any
screen, and the confirm button in view once a time is tapped. Screenshots in
var/screenshots/booking-3screens-<language>-*.png.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache

from portal.models import ConsentRecord, Contact, Firm
from scheduling.models import Appointment
from tests import factories
from tests.e2e.conftest import PHONE, SCREENSHOTS, new_page
from tests.scheduling.helpers import make_service, working_week

# The whole journey (three screens, every asset) stays small on a phone connection.
MAX_REQUESTS = 20
MAX_BYTES = 250_000


def _no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _in_view(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("locale", "zone", "words"),
    [
        (
            "pl-PL",
            "Europe/Warsaw",
            {"confirm": "Potwierdź rezerwację", "booked": "Spotkanie zarezerwowane"},
        ),
        ("ru-RU", "Europe/Moscow", {"confirm": "Подтвердить запись", "booked": "Вы записаны"}),
    ],
)
def test_three_screens_on_a_phone(
    browser: Any, live_server: Any, screenshot: Any, locale: str, zone: str, words: dict[str, str]
) -> None:
    # given a firm with two lawyers and a paid consultation at the office
    Firm.objects.update_or_create(
        pk=1,
        defaults={"name": "Kowalska & Nowak", "time_zone": "Europe/Warsaw"},
    )
    cache.clear()
    anna = factories.StaffFactory(
        first_name="Anna", last_name="Kowalska", time_zone="Europe/Warsaw", staff_title="lawyer"
    )
    marek = factories.StaffFactory(
        first_name="Marek", last_name="Nowak", time_zone="Europe/Warsaw", staff_title="lawyer"
    )
    for lawyer in (anna, marek):
        working_week(lawyer, days=range(7))
    make_service(
        staff=[anna, marek],
        slug="konsultacja",
        name="Konsultacja",
        minutes=45,
        price=Decimal("300"),
        location_kind="office",
        location_detail="ul. Piękna 1, Warszawa",
        min_notice_minutes=60,
    )
    language = locale[:2]
    page = new_page(browser, PHONE, locale=locale, timezone_id=zone)
    loads: list[str] = []
    sizes: list[int] = []
    page.on("load", lambda p: loads.append(p.url))
    page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]))

    # screen 1: the month, with the free days marked, in the detected zone
    page.goto(f"{live_server.url}/book/konsultacja/")
    page.wait_for_selector(f"[data-booking-tz][data-current='{zone}']")
    page.wait_for_load_state("load")
    assert page.inner_text("[data-tz-name]") == zone
    assert page.locator("table.days a.day").count() > 5
    assert _no_horizontal_scroll(page)
    screenshot(page, f"booking-3screens-{language}-1-month")

    # screen 2: a day's times, then a time: the summary and the form in view
    page.locator("table.days a.day").nth(1).click()
    page.locator("#times .slot").nth(2).click()
    page.wait_for_selector("[data-details]:not([hidden])")
    assert _no_horizontal_scroll(page)
    when = page.inner_text("[data-when]")
    assert when
    assert "Anna Kowalska" in page.inner_text("[data-person]") or "Marek Nowak" in page.inner_text(
        "[data-person]"
    )
    assert _in_view(page, "button.confirm"), page.locator("button.confirm").bounding_box()
    # what the phone shows without scrolling, then the whole page
    page.screenshot(path=str(SCREENSHOTS / f"booking-3screens-{language}-2-details-in-view.png"))
    screenshot(page, f"booking-3screens-{language}-2-details")
    page.fill("input[name=first_name]", "Ada")
    page.fill("input[name=last_name]", "Nowak")
    page.fill("input[name=email]", "ada@example.com")
    page.fill("input[name=phone]", "+48601234567")
    page.check("input[name=sms_opt_in]")
    page.click(f"text={words['confirm']}")

    # screen 3: the confirmation
    page.wait_for_selector("[data-booking-code]")
    assert words["booked"] in page.inner_text("h1")
    assert _no_horizontal_scroll(page)
    screenshot(page, f"booking-3screens-{language}-3-confirmation")
    booked = Appointment.objects.get()
    assert booked.status == "booked"
    assert booked.time_zone == zone
    assert booked.contact.sms_consent
    assert ConsentRecord.objects.filter(contact=booked.contact, purpose="sms").count() == 1
    assert Contact.objects.count() == 1

    # measured: page loads, requests and bytes from /book/<service>/ to the confirmation
    assert len(loads) <= 3, loads
    assert len(sizes) <= MAX_REQUESTS, len(sizes)
    assert sum(sizes) <= MAX_BYTES, sum(sizes)
    print(f"{language}: {len(loads)} page loads, {len(sizes)} requests, {sum(sizes)} bytes")
