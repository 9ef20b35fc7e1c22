"""Rescheduling whatever the horizon, and old links that say what happened (issue 11)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from scheduling import services
from scheduling.models import Appointment
from tests.scheduling.helpers import make_appointment

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
# 120 days after the frozen Monday 1 June 2026, beyond the 60-day horizon: Tuesday.
FAR = dt.datetime(2026, 9, 29, 10, 0, tzinfo=WARSAW)


def _far_booking(intro, lawyers, world) -> Appointment:
    return make_appointment(
        service=intro, staff=lawyers[0], contact=world.contact_a, start=FAR.astimezone(dt.UTC)
    )


def test_a_booking_beyond_the_horizon_offers_times_around_its_date_and_moves(
    client, frozen, intro, lawyers, world
) -> None:
    appointment = _far_booking(intro, lawyers, world)
    url = reverse("scheduling:booking-reschedule", args=[appointment.manage_token])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    # the booked day is shown with its free times, not the horizon's last day
    assert 'aria-current="date"' in body
    assert "Tuesday, 29 September 2026" in body
    assert body.count('class="slot"') > 10
    response = client.post(url, {"start": "2026-09-30T11:00:00+02:00"})
    assert response.status_code == 302
    new = Appointment.objects.get(replaces=appointment)
    assert new.start_at == dt.datetime(2026, 9, 30, 9, 0, tzinfo=dt.UTC)


def test_a_move_still_respects_working_hours_and_reaches_only_a_month_past_the_date(
    client, frozen, intro, lawyers, world
) -> None:
    appointment = _far_booking(intro, lawyers, world)
    url = reverse("scheduling:booking-reschedule", args=[appointment.manage_token])
    # a Saturday and a time far past the booked date are refused, nothing changes
    assert client.post(url, {"start": "2026-10-03T10:00:00+02:00"}).status_code == 400
    assert client.post(url, {"start": "2027-01-05T10:00:00+01:00"}).status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_staff_move_a_check_in_months_ahead(frozen, intro, lawyers, world) -> None:
    appointment = _far_booking(intro, lawyers, world)
    new = services.appointment_reschedule(
        appointment=appointment, start_at=FAR + dt.timedelta(days=1), actor=lawyers[0]
    )
    assert new.start_at == (FAR + dt.timedelta(days=1)).astimezone(dt.UTC)


def test_old_links_of_a_moved_booking_say_it_moved_and_point_to_the_current_one(
    client, frozen, intro, lawyers, world
) -> None:
    appointment = _far_booking(intro, lawyers, world)
    new = services.appointment_reschedule(
        appointment=appointment, start_at=FAR + dt.timedelta(days=1, hours=2)
    )
    current = reverse("scheduling:booking-detail", args=[new.manage_token])
    for name, status in (
        ("booking-detail", 200),
        ("booking-reschedule", 410),
        ("booking-cancel", 410),
    ):
        response = client.get(reverse(f"scheduling:{name}", args=[appointment.manage_token]))
        assert response.status_code == status, name
        body = response.content.decode()
        assert "This appointment was moved" in body
        assert f'href="{current}"' in body
        assert "<strong>Wednesday, 30 September 2026, 12:00–12:15</strong>" in body
        assert "<strong>Tuesday, 29 September" not in body  # the old time is not in bold
    # a cancel through the old link cancels nothing
    client.post(reverse("scheduling:booking-cancel", args=[appointment.manage_token]))
    new.refresh_from_db()
    assert new.status == Appointment.Status.BOOKED


def test_an_old_link_still_explains_once_the_old_time_has_passed(
    client, intro, lawyers, world
) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC), tick=False):
        soon = make_appointment(
            service=intro,
            staff=lawyers[0],
            contact=world.contact_a,
            start=dt.datetime(2026, 6, 2, 8, tzinfo=dt.UTC),
        )
        new = services.appointment_reschedule(
            appointment=soon, start_at=dt.datetime(2026, 6, 9, 8, tzinfo=dt.UTC)
        )
    with time_machine.travel(dt.datetime(2026, 6, 3, 8, tzinfo=dt.UTC), tick=False):
        response = client.get(reverse("scheduling:booking-detail", args=[soon.manage_token]))
        assert response.status_code == 200
        assert reverse("scheduling:booking-detail", args=[new.manage_token]) in (
            response.content.decode()
        )


def test_a_used_cancel_link_says_the_appointment_was_cancelled(
    client, frozen, intro, lawyers, world
) -> None:
    appointment = _far_booking(intro, lawyers, world)
    url = reverse("scheduling:booking-cancel", args=[appointment.manage_token])
    assert client.post(url).status_code == 302
    for again in (client.get(url), client.post(url)):
        assert again.status_code == 410
        body = again.content.decode()
        assert "This appointment was cancelled" in body
        assert reverse("scheduling:book-service", args=[intro.slug]) in body
    detail = client.get(reverse("scheduling:booking-detail", args=[appointment.manage_token]))
    assert reverse("scheduling:book-service", args=[intro.slug]) in detail.content.decode()


def test_the_moved_page_reads_naturally_in_polish(client, frozen, intro, lawyers, world) -> None:
    appointment = _far_booking(intro, lawyers, world)
    services.appointment_reschedule(appointment=appointment, start_at=FAR + dt.timedelta(days=1))
    response = client.get(
        reverse("scheduling:booking-detail", args=[appointment.manage_token]),
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    body = response.content.decode()
    assert "środa, 30 września 2026, 10:00" in body
    assert "Wrzesień" not in body


def _month_data(body: str) -> dict:
    import json
    import re

    return json.loads(re.search(r'id="booking-month-data"[^>]*>(.*?)</script>', body).group(1))


def test_the_reschedule_page_is_the_booking_pages_month_around_the_booked_date(
    client, frozen, intro, lawyers, world
) -> None:
    import re

    appointment = _far_booking(intro, lawyers, world)
    url = reverse("scheduling:booking-reschedule", args=[appointment.manage_token])
    body = client.get(url).content.decode()
    # the month of the booked date, 120 days ahead and past the 60-day horizon
    assert '<table class="days">' in body and 'class="days" aria-label' not in body
    assert "September 2026" in body
    free = re.findall(r'data-day="(\d{4}-\d\d-\d\d)"', body)
    assert free[0] == "2026-09-01" and "2026-09-05" not in free  # weekdays only
    assert len(free) == 22
    # the booked day is chosen and ringed, its times are forms that post the new time
    booked = re.search(r'<a class="day[^"]*"[^>]*data-day="2026-09-29"', body).group(0)
    assert "current" in booked and "booked" in booked
    times = body[body.index('id="times"') :]
    assert "Tuesday, 29 September 2026" in times
    assert 'name="start" value="2026-09-29T09:00:00+02:00"' in times
    # every day's times come with the page for the script, which posts them
    data = _month_data(body)
    assert data["post"] is True and len(data["days"]) == 22
    assert data["days"]["2026-09-30"][0][:2] == ["09:00", "09:00:00+02:00"]
    # a month back and a month on; October only up to a month past the booked date
    assert "month=2026-08" in body and "month=2026-10" in body
    october = client.get(url, {"month": "2026-10"}).content.decode()
    days = re.findall(r'data-day="(\d{4}-\d\d-\d\d)"', october)
    assert days[-1] == "2026-10-29" and "month=2026-11" not in october
    # without the script: a day is a link drawing the page with that day's times
    day = client.get(url, {"date": "2026-10-02"}).content.decode()
    assert "Friday, 2 October 2026" in day[day.index('id="times"') :]
    assert 'name="start" value="2026-10-02T09:00:00+02:00"' in day
    # and a time posts the move
    response = client.post(url + "?date=2026-10-02", {"start": "2026-10-02T09:00:00+02:00"})
    assert response.status_code == 302
    assert Appointment.objects.get(replaces=appointment).start_at == dt.datetime(
        2026, 10, 2, 7, 0, tzinfo=dt.UTC
    )


def test_a_booking_on_a_day_without_free_times_opens_on_the_next_free_day(
    client, frozen, intro, lawyers, world
) -> None:
    # staff booked it on a Saturday, outside the working week (issue 11 allows them)
    saturday = make_appointment(
        service=intro,
        staff=lawyers[0],
        contact=world.contact_a,
        start=dt.datetime(2026, 10, 3, 8, 0, tzinfo=dt.UTC),
    )
    body = client.get(
        reverse("scheduling:booking-reschedule", args=[saturday.manage_token])
    ).content.decode()
    assert "October 2026" in body
    assert "Monday, 5 October 2026" in body[body.index('id="times"') :]
    assert '<span class="day-off booked">3</span>' in body


def test_the_reschedule_month_reads_in_polish(client, frozen, intro, lawyers, world) -> None:
    appointment = _far_booking(intro, lawyers, world)
    body = client.get(
        reverse("scheduling:booking-reschedule", args=[appointment.manage_token]),
        HTTP_ACCEPT_LANGUAGE="pl",
    ).content.decode()
    assert "Wrzesień 2026" in body
    assert "wtorek, 29 września 2026" in body.lower()


def test_the_reschedule_month_keeps_a_flat_query_count(client, frozen, intro, lawyers, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    appointment = _far_booking(intro, lawyers, world)
    url = reverse("scheduling:booking-reschedule", args=[appointment.manage_token])
    client.get(url)  # warm the firm settings
    with CaptureQueriesContext(connection) as month:
        assert client.get(url).status_code == 200
    # many more appointments that month: still the same queries, never one per day or time
    for day in range(1, 25):
        make_appointment(
            service=intro,
            staff=lawyers[0],
            contact=world.contact_b,
            start=dt.datetime(2026, 9, day, 12, 0, tzinfo=dt.UTC),
        )
    with CaptureQueriesContext(connection) as busier:
        assert client.get(url).status_code == 200
    assert len(busier) == len(month), [q["sql"][:120] for q in busier]
    assert len(month) <= 8, [q["sql"][:120] for q in month]
