"""Staff: day and week views, booking on a client's behalf, history, attended/no-show."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from scheduling.models import Appointment, AvailabilityRule, ExternalCalendar
from tests import factories

pytestmark = pytest.mark.django_db


def test_staff_books_for_a_client_and_sees_it_in_the_week_view(
    client, frozen, intro, lawyers, world
) -> None:
    # given: the lawyer works on matter A, so its client is theirs to book for
    factories.join_team(world.matter_a, lawyers[0])
    client.force_login(lawyers[0])
    response = client.post(
        reverse("scheduling:staff-book"),
        {
            "service": intro.pk,
            "staff": lawyers[0].pk,
            "contact": world.contact_a.pk,
            "matter": world.matter_a.pk,
            "start": "2026-06-03T10:00",
            "repeat_monthly": 1,
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.start_at == dt.datetime(2026, 6, 3, 8, tzinfo=dt.UTC)  # Warsaw input
    assert appointment.booked_by == lawyers[0]
    week = client.get(
        reverse("scheduling:staff-calendar"),
        {"staff": lawyers[0].pk, "date": "2026-06-03", "view": "week"},
    )
    assert world.contact_a.full_name.encode() in week.content
    day = client.get(
        reverse("scheduling:staff-calendar"), {"staff": lawyers[1].pk, "date": "2026-06-03"}
    )
    assert world.contact_a.full_name.encode() not in day.content


def test_staff_books_monthly_check_ins(client, frozen, intro, lawyers, world) -> None:
    # given: the lawyer works on matter A, so its client is theirs to book for
    factories.join_team(world.matter_a, lawyers[0])
    client.force_login(lawyers[0])
    data = {
        "service": intro.pk,
        "staff": lawyers[0].pk,
        "contact": world.contact_a.pk,
        "matter": world.matter_a.pk,
        "start": "2026-06-03T10:00",
        "repeat_monthly": 4,
    }
    preview = client.post(reverse("scheduling:staff-book"), data)
    assert not Appointment.objects.exists()
    shown = re.findall(r'name="occurrence" value="([^"]+)"', preview.content.decode())
    assert len(shown) == 4
    client.post(reverse("scheduling:staff-book"), {**data, "occurrence": shown, "confirm": "1"})
    assert Appointment.objects.filter(series__isnull=False).count() == 4
    assert Notification.objects.filter(event="booked").count() == 1


def test_staff_booking_a_taken_time_shows_an_error(client, frozen, intro, lawyers, world) -> None:
    # given: the lawyer works on matter A, so its client is theirs to book for
    factories.join_team(world.matter_a, lawyers[0])
    client.force_login(lawyers[0])
    data = {
        "service": intro.pk,
        "staff": lawyers[0].pk,
        "contact": world.contact_a.pk,
        "start": "2026-06-03T10:00",
        "repeat_monthly": 1,
    }
    client.post(reverse("scheduling:staff-book"), data)
    response = client.post(reverse("scheduling:staff-book"), data)
    assert response.status_code == 400
    assert Appointment.objects.count() == 1


def test_staff_reschedule_keeps_history_and_marks_no_show(
    client, frozen, intro, lawyers, world
) -> None:
    # given: the lawyer works on matter A, so its client is theirs to book for
    factories.join_team(world.matter_a, lawyers[0])
    client.force_login(lawyers[0])
    client.post(
        reverse("scheduling:staff-book"),
        {
            "service": intro.pk,
            "staff": lawyers[0].pk,
            "contact": world.contact_a.pk,
            "start": "2026-06-03T10:00",
            "repeat_monthly": 1,
        },
    )
    old = Appointment.objects.get()
    url = reverse("scheduling:staff-appointment-action", args=[old.pk, "reschedule"])
    response = client.post(url, {"start": "2026-06-03T11:00"})
    new = Appointment.objects.get(replaces=old)
    assert response["Location"] == reverse("scheduling:staff-appointment", args=[new.pk])
    page = client.get(response["Location"])
    assert reverse("scheduling:staff-appointment", args=[old.pk]).encode() in page.content
    # no-show only once it started
    no_show = reverse("scheduling:staff-appointment-action", args=[new.pk, "no_show"])
    client.post(no_show)
    new.refresh_from_db()
    assert new.status == "booked"
    frozen.move_to(new.start_at + dt.timedelta(minutes=20))
    client.force_login(lawyers[0])  # two days later the session has expired
    client.post(no_show)
    new.refresh_from_db()
    assert new.status == "no_show"
    assert AuditEvent.objects.filter(action="appointment.no_show").count() == 1
    assert Notification.objects.filter(event="no_show").count() == 1


def test_staff_manage_own_hours_calendars_and_feed(client, frozen, lawyers) -> None:
    me, other = lawyers
    client.force_login(me)
    url = reverse("scheduling:staff-availability")
    assert (
        client.post(url, {"action": "add-rule", "date": "2026-06-05", "is_off": "on"}).status_code
        == 302
    )
    assert AvailabilityRule.objects.filter(staff=me, date="2026-06-05", is_off=True).exists()
    bad = client.post(url, {"action": "add-rule", "weekday": 1, "start": "18:00", "end": "09:00"})
    assert bad.status_code == 400
    assert (
        client.post(
            url,
            {
                "action": "add-calendar",
                "name": "Google",
                "url": "webcal://cal.example.com/secret.ics",
            },
        ).status_code
        == 302
    )
    client.post(url, {"action": "rotate-feed"})
    me.refresh_from_db()
    assert me.calendar_token
    assert me.calendar_token.encode() in client.get(url).content
    # someone else's rule or calendar cannot be removed
    theirs = AvailabilityRule.objects.filter(staff=other).first()
    assert client.post(url, {"action": "remove-rule", "rule": theirs.pk}).status_code == 404
    cal = ExternalCalendar.objects.create(staff=other, name="x", url="https://x")
    assert client.post(url, {"action": "remove-calendar", "calendar": cal.pk}).status_code == 404
    assert client.post(url, {"action": "remove-calendar", "calendar": "junk"}).status_code == 404


def test_embed_mode_lets_only_the_firms_origins_frame_the_page(
    client, frozen, intro, settings
) -> None:
    settings.ATRIUM_BOOKING_FRAME_ANCESTORS = ["https://www.firm.example"]
    normal = client.get(reverse("scheduling:book"))
    assert normal["X-Frame-Options"] == "DENY"
    embed = client.get(reverse("scheduling:book"), {"embed": "1"})
    assert "X-Frame-Options" not in embed
    assert "frame-ancestors 'self' https://www.firm.example" in embed["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in normal["Content-Security-Policy"]


def test_firm_settings_show_the_embed_snippet(client, world) -> None:
    client.force_login(world.admin)
    page = client.get(reverse("staff:firm-settings"))
    assert b"/book/?embed=1" in page.content


@pytest.mark.parametrize(
    "params",
    [
        {"date": "9999-12-31"},
        {"date": "0001-01-01", "view": "week"},
        {"staff": "junk"},
        {"date": "x"},
    ],
)
def test_staff_calendar_survives_odd_dates(client, frozen, lawyers, params) -> None:
    client.force_login(lawyers[0])
    assert client.get(reverse("scheduling:staff-calendar"), params).status_code == 200


def test_staff_booking_far_future_is_a_form_error(client, frozen, intro, lawyers, world) -> None:
    client.force_login(lawyers[0])
    response = client.post(
        reverse("scheduling:staff-book"),
        {
            "service": intro.pk,
            "staff": lawyers[0].pk,
            "contact": world.contact_a.pk,
            "start": "9999-12-31T23:59",
            "repeat_monthly": 1,
        },
    )
    assert response.status_code == 400
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    "query",
    [
        {"start": "9999-12-31T23:59:00-12:00"},
        {"date": "9999-12-31"},
        {"tz": "Nope/Zone"},
        {"date": "0001-01-01", "start": "junk"},
    ],
)
def test_public_booking_page_survives_odd_parameters(client, frozen, intro, query) -> None:
    page = client.get(reverse("scheduling:book-service", args=["intro-call"]), query)
    assert page.status_code == 200


def _booking_post() -> dict[str, str]:
    return {
        "start": "2026-06-02T09:00:00+02:00",
        "time_zone": "Europe/Warsaw",
        "first_name": "Ada",
        "last_name": "Nowak",
        "email": "ada@example.com",
    }


def test_booking_form_needs_csrf_outside_embed_mode(frozen, intro, world) -> None:
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    url = reverse("scheduling:book-service", args=["intro-call"])
    assert browser.post(url, _booking_post()).status_code == 403
    assert Appointment.objects.count() == 0


def test_embedded_booking_works_without_csrf_and_ignores_the_session(frozen, intro, world) -> None:
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.client_a)
    url = reverse("scheduling:book-service", args=["intro-call"]) + "?embed=1"
    response = browser.post(url, _booking_post())
    assert response.status_code == 302
    assert "embed=1" in response["Location"]
    appointment = Appointment.objects.get()
    assert appointment.contact != world.contact_a  # not booked as the signed-in client
    assert appointment.contact.email == "ada@example.com"
    cancel = reverse("scheduling:booking-cancel", args=[appointment.manage_token])
    assert browser.post(cancel + "?embed=1").status_code == 302
