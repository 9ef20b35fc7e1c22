"""Issue 11: the public booking page as a month, working without JavaScript.

Screen 1 is the month with the days that have free times marked (from the first free day,
to the end of the horizon); screen 2 the day's times with the summary and the form; the
browser switches days and times in place, and every step is also a plain link.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import ConsentRecord, Contact
from scheduling import selectors
from scheduling.models import Appointment
from tests import factories
from tests.scheduling.helpers import make_appointment, make_service

pytestmark = pytest.mark.django_db

SLOT = "2026-06-02T09:00:00+02:00"
URL = "/book/intro-call/"
# The month page of an anonymous visitor: firm, service and staff, working hours, busy
# times and appointments, calendar health; never one query per day or per slot.
MAX_BOOKING_PAGE_QUERIES = 12


def _details(body: str) -> str:
    return body[body.index('id="details"') :]


def test_the_page_opens_on_the_month_with_the_free_days_marked(client, frozen, intro) -> None:
    body = client.get(URL, {"tz": "Europe/Warsaw"}).content.decode()
    # Monday 1 June 2026, 10:00: the lawyers work Monday to Friday 9-17, notice 60 minutes
    free = re.findall(r'data-day="(2026-06-\d\d)"', body)
    assert free[0] == "2026-06-01"
    assert "2026-06-06" not in free and "2026-06-07" not in free  # the weekend
    assert len(free) == 22  # every weekday of June
    assert "Czerwiec 2026" in client.get(URL, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    # the first free day's times are shown, every day's are ready for the page's script
    times = body[body.index('id="times"') :]
    assert "Monday, 1 June 2026" in times
    assert 'aria-label="Tuesday, 2 June 2026"' in body
    data = json.loads(re.search(r'id="booking-month-data"[^>]*>(.*?)</script>', body).group(1))
    assert len(data["days"]) == 22
    assert data["days"]["2026-06-02"][0][:2] == ["09:00", "09:00:00+02:00"]
    assert len(data["days"]["2026-06-02"][0][2]) == 2  # both lawyers are free
    # the next month is a link (the horizon is 60 days), there is no previous one
    assert "month=2026-07" in body and "month=2026-05" not in body
    # the summary and form wait, hidden, until a time is chosen
    assert re.search(r'id="details"[^>]*hidden', body)


def test_a_month_without_free_times_starts_at_the_first_one_that_has(
    client, frozen, lawyers
) -> None:
    make_service(staff=lawyers, slug="later", min_notice_minutes=40 * 24 * 60)
    body = client.get("/book/later/", {"tz": "Europe/Warsaw"}).content.decode()
    free = re.findall(r'data-day="(\d{4}-\d\d-\d\d)"', body)
    assert free[0] == "2026-07-13"  # 40 days ahead, a Friday: July's first weekday after
    assert "month=2026-06" in body  # and June is one tap back


def test_the_month_reaches_the_end_of_the_horizon_and_no_further(client, frozen, intro) -> None:
    body = client.get(URL, {"tz": "Europe/Warsaw", "month": "2026-07"}).content.decode()
    free = re.findall(r'data-day="(\d{4}-\d\d-\d\d)"', body)
    assert free[-1] == "2026-07-31"  # 60 days from 1 June
    assert "month=2026-08" not in body
    past = client.get(URL, {"tz": "Europe/Warsaw", "month": "2025-01"}).content.decode()
    assert re.findall(r'data-day="(\d{4}-\d\d)', past)[0] == "2026-06"


def test_without_javascript_a_day_then_a_time_are_links_to_the_same_page(
    client, frozen, intro
) -> None:
    body = client.get(URL, {"tz": "Europe/Warsaw", "date": "2026-06-02"}).content.decode()
    times = body[body.index('id="times"') :]
    assert "Tuesday, 2 June 2026" in times
    link = re.search(r'href="(\?[^"]*start=2026-06-02T09%3A00%3A00%2B02%3A00#details)"', times)
    assert link is not None
    chosen = client.get(URL + link.group(1).replace("&amp;", "&").split("#")[0])
    details = _details(chosen.content.decode())
    assert not re.match(r'id="details"[^>]*hidden', details)
    assert "Tuesday, 2 June 2026, 09:00" in details
    assert 'name="start" value="2026-06-02T09:00:00+02:00"' in details
    assert 'name="first_name"' in details and 'name="sms_opt_in"' in details


def test_the_zone_is_shown_with_a_change_form_not_a_list_of_every_zone(
    client, frozen, intro
) -> None:
    body = client.get(URL, {"tz": "America/New_York", "date": "2026-06-02"}).content.decode()
    assert 'data-current="America/New_York"' in body
    assert body.count("<option") < 40
    # 09:00 in Warsaw is 03:00 in New York
    assert ">03:00<" in body[body.index('id="times"') :]
    wrong = client.get(URL, {"tz": "Mars/Olympus"}).content.decode()
    assert "We do not know this time zone" in wrong
    assert 'data-current="Europe/Warsaw"' in wrong


def test_choosing_a_person_shows_only_their_times_and_books_them(
    client, frozen, intro, lawyers
) -> None:
    first, second = lawyers
    anyone = client.get(URL, {"tz": "Europe/Warsaw", "date": "2026-06-02"}).content.decode()
    assert "Anyone" in anyone and first.get_full_name() in anyone
    assert "Anyone available: " in anyone
    # the second lawyer is busy on Tuesday morning
    make_appointment(
        service=intro,
        staff=second,
        contact=factories.ContactFactory(),
        start=dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC),
    )
    theirs = client.get(
        URL, {"tz": "Europe/Warsaw", "date": "2026-06-02", "staff": second.pk}
    ).content.decode()
    assert "T09%3A00" not in theirs[theirs.index('id="times"') :]
    response = client.post(
        f"{URL}?tz=Europe/Warsaw&staff={first.pk}",
        {
            "start": SLOT,
            "time_zone": "Europe/Warsaw",
            "staff": first.pk,
            "first_name": "Ada",
            "last_name": "Nowak",
            "email": "ada@example.com",
        },
    )
    assert response.status_code == 302
    assert Appointment.objects.get(contact__email="ada@example.com").staff == first


def test_the_anyone_choice_reads_as_a_person_in_russian_not_as_an_audience(
    client, frozen, intro, lawyers
) -> None:
    body = client.get(URL, {"tz": "Europe/Warsaw"}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    people = body[
        body.index('class="people-list"') : body.index("</ul>", body.index('class="people-list"'))
    ]
    assert "<strong>Любой</strong>" in people
    assert "Все" not in people


def _book(client: Any, **extra: Any) -> Any:
    data = {
        "start": SLOT,
        "time_zone": "Europe/Warsaw",
        "first_name": "Ada",
        "last_name": "Nowak",
        "email": "ada@example.com",
        "phone": "+48601234567",
    }
    data.update(extra)
    return client.post(URL + "?tz=Europe/Warsaw", data, HTTP_ACCEPT_LANGUAGE="pl")


def test_sms_opt_in_at_booking_stores_the_consent_and_adds_sms_reminders(
    client, frozen, intro
) -> None:
    assert _book(client, sms_opt_in="on").status_code == 302
    contact = Contact.objects.get()
    assert contact.sms_consent
    consent = ConsentRecord.objects.get(contact=contact)
    assert consent.purpose == "sms" and consent.channel == "booking"
    assert consent.language == "pl" and "SMS" in consent.text
    assert consent.text_version == "booking-sms-1"
    appointment = Appointment.objects.get()
    assert set(appointment.reminders.values_list("channel", flat=True)) == {"email", "sms"}


def test_without_the_tick_there_is_no_sms(client, frozen, intro) -> None:
    assert _book(client).status_code == 302
    assert not Contact.objects.get().sms_consent
    assert not ConsentRecord.objects.exists()
    assert set(Appointment.objects.get().reminders.values_list("channel", flat=True)) == {"email"}


def test_sms_opt_in_needs_a_phone_and_stores_nothing_without_it(client, frozen, intro) -> None:
    response = _book(client, phone="", sms_opt_in="on")
    assert response.status_code == 400
    assert "Do przypomnień SMS potrzebny jest numer telefonu" in response.content.decode()
    assert not Appointment.objects.exists() and not Contact.objects.exists()


def test_a_stranger_cannot_point_an_existing_clients_texts_to_another_phone(
    client, frozen, intro
) -> None:
    known = factories.ContactFactory(email="ada@example.com", phone="+48600000001")
    assert _book(client, sms_opt_in="on", phone="+48601234567").status_code == 302
    known.refresh_from_db()
    assert not known.sms_consent and str(known.phone) == "+48600000001"
    assert not ConsentRecord.objects.exists()


def test_the_api_takes_the_sms_opt_in_too(client, frozen, intro) -> None:
    response = client.post(
        reverse("scheduling:api-bookings"),
        data=json.dumps(
            {
                "service": "intro-call",
                "start": SLOT,
                "first_name": "Ada",
                "last_name": "Nowak",
                "email": "ada@example.com",
                "phone": "+48601234567",
                "sms_opt_in": True,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Contact.objects.get().sms_consent


def test_the_month_page_keeps_its_query_budget(client, frozen, intro) -> None:
    client.get(URL, {"tz": "Europe/Warsaw"})  # warm the firm settings
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"tz": "Europe/Warsaw"})
    assert response.status_code == 200
    assert len(captured) <= MAX_BOOKING_PAGE_QUERIES, "\n".join(q["sql"][:160] for q in captured)
    # a month of times is one page, small enough for a phone
    assert len(response.content) < 60_000, len(response.content)


def test_the_month_selector_groups_times_by_the_viewers_day(frozen, intro) -> None:
    # Monday 08:00 UTC is 22:00 at UTC+14; Warsaw's 9-17 is 21:00-05:00 there, and the
    # hour of notice makes 23:00 the first free time: still Monday 1 June for the viewer
    month = selectors.booking_month(service=intro, zone=ZoneInfo("Pacific/Kiritimati"))
    assert month.first_free == dt.date(2026, 6, 1)
    first = month.times[month.first_free][0].start
    assert (first.date(), first.hour) == (dt.date(2026, 6, 1), 23)
    assert month.times[dt.date(2026, 6, 2)][0].start.hour == 0
