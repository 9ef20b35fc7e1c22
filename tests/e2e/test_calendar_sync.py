"""A lawyer connects a CalDAV calendar in Polish; its busy time removes a public slot; a
booking lands in the calendar (Radicale on loopback)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from portal.models import Firm
from scheduling.models import Appointment, ExternalCalendar
from tests import factories
from tests.e2e.conftest import DESKTOP, new_page, sign_in
from tests.scheduling import radicale_server
from tests.scheduling.helpers import make_service, working_week

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.django_db(transaction=True)
def test_lawyer_connects_caldav_busy_time_hides_a_slot_and_the_booking_lands_there(
    browser: Any, live_server: Any, screenshot: Any, settings: Any, tmp_path: Any
) -> None:
    settings.ATRIUM_CALDAV_ALLOWED_HOSTS = ["127.0.0.1"]
    Firm.objects.update_or_create(
        pk=1, defaults={"name": "Kancelaria Kowalska", "default_language": "pl"}
    )
    cache.clear()
    lawyer = factories.StaffFactory(
        email="anna@firm.example",
        first_name="Anna",
        last_name="Kowalska",
        time_zone="Europe/Warsaw",
        language="pl",
    )
    working_week(lawyer, days=range(7))
    make_service(staff=[lawyer], slug="konsultacja", name="Konsultacja", minutes=60)
    servers = radicale_server.start(tmp_path)
    radicale = next(servers)
    try:
        work = radicale.make_calendar("work", "Praca")
        atrium = radicale.make_calendar("atrium", "Wizyty Atrium")
        base = live_server.url

        # when the lawyer signs in and connects the CalDAV account
        page = new_page(browser, DESKTOP, locale="pl-PL")
        sign_in(page, base, lawyer.email, lawyer.totp_secret)
        page.goto(f"{base}/staff/schedule/calendars/")
        screenshot(page, "calsync-desktop-pl-01-connections")
        page.click("a.button >> text=Połącz kalendarz CalDAV")
        page.fill("input[name=url]", radicale.url + "/")
        page.fill("input[name=username]", radicale_server.USER)
        page.fill("input[name=password]", radicale_server.PASSWORD)
        page.fill("input[name=name]", "Mój Radicale")
        screenshot(page, "calsync-desktop-pl-02-connect")
        page.click("main form button[type=submit]")
        page.wait_for_selector("[data-caldav]")
        calendar = ExternalCalendar.objects.get()
        # and picks "Praca" as busy and "Wizyty Atrium" for appointments
        page.uncheck(f"input[name=busy][value='{atrium}']")
        page.check(f"input[name=busy][value='{work}']")
        page.check(f"input[name=write][value='{atrium}']")
        page.click("[data-caldav] button[type=submit]")
        page.wait_for_selector(".msg-success")
        screenshot(page, "calsync-desktop-pl-03-chosen")
        calendar.refresh_from_db()
        assert calendar.write_calendar_id == atrium
        assert [c["name"] for c in calendar.busy_calendars] == ["Praca"]

        # given a court hearing tomorrow 10:00-11:00 added in the lawyer's own calendar app
        tomorrow = (timezone.now().astimezone(WARSAW) + dt.timedelta(days=1)).date()
        ten = dt.datetime.combine(tomorrow, dt.time(10), tzinfo=WARSAW).astimezone(dt.UTC)
        stamp = "%Y%m%dT%H%M%SZ"
        radicale.put_event(
            work,
            "rozprawa",
            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Phone//EN\nBEGIN:VEVENT\nUID:rozprawa\n"
            f"DTSTAMP:20260101T000000Z\nDTSTART:{ten:{stamp}}\n"
            f"DTEND:{ten + dt.timedelta(hours=1):{stamp}}\nSUMMARY:Rozprawa\n"
            "END:VEVENT\nEND:VCALENDAR\n",
        )
        page.click("text=Synchronizuj teraz")
        page.wait_for_selector("[data-health=ok]")
        screenshot(page, "calsync-desktop-pl-04-synced")

        # then the public page offers 09:00 and 11:00 but not 10:00
        client = new_page(browser, DESKTOP, locale="pl-PL")
        client.goto(f"{base}/book/konsultacja/?date={tomorrow:%Y-%m-%d}&tz=Europe/Warsaw")
        client.wait_for_selector(".slots .slot")
        times = client.locator(".slots .slot").all_inner_texts()
        screenshot(client, "calsync-desktop-pl-05-public-slots")
        assert "09:00" in times and "11:00" in times and "10:00" not in times
        assert "10:30" not in times and "09:30" not in times

        # when a client books 12:00
        client.locator(".slots .slot >> text=12:00").click()
        client.fill("input[name=first_name]", "Ewa")
        client.fill("input[name=last_name]", "Nowak")
        client.fill("input[name=email]", "ewa@example.com")
        client.click("text=Potwierdź rezerwację")
        client.wait_for_selector("[data-appointment]")
        screenshot(client, "calsync-desktop-pl-06-booked")

        # then the appointment is in the lawyer's "Wizyty Atrium" calendar, once
        booked = Appointment.objects.get()
        events = radicale.events(atrium)
        assert len(events) == 1
        [data] = events.values()
        noon = dt.datetime.combine(tomorrow, dt.time(12), tzinfo=WARSAW).astimezone(dt.UTC)
        assert f"DTSTART:{noon:{stamp}}" in data and booked.uid in data
        assert "Nowak" not in data
        page.reload()
        screenshot(page, "calsync-desktop-pl-07-after-booking")
        client.context.close()
        page.context.close()
    finally:
        servers.close()
