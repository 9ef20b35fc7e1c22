"""Monthly check-ins booked by staff: working hours, days off and busy times count, and
staff see the proposed dates before anything is booked (issue 11)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from scheduling import selectors, services
from scheduling.models import Appointment, AvailabilityRule, BusyTime, ExternalCalendar
from tests import factories
from tests.scheduling.helpers import make_appointment

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


def _warsaw(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WARSAW).astimezone(dt.UTC)


# Wednesday 3 June 2026, 10:00 in Warsaw; the 3rd of October 2026 is a Saturday.
FIRST = _warsaw(2026, 6, 3, 10, 0)


def test_a_series_never_lands_outside_working_hours_days_off_or_busy_times(
    frozen, intro, lawyers, world
) -> None:
    lawyer = lawyers[0]  # works Monday to Friday, 9 to 17
    AvailabilityRule.objects.create(staff=lawyer, date=dt.date(2026, 8, 3), is_off=True)
    calendar = ExternalCalendar.objects.create(staff=lawyer, name="Court", url="https://x.test/")
    BusyTime.objects.create(
        calendar=calendar,
        staff=lawyer,
        start_at=_warsaw(2026, 7, 3, 9, 0),
        end_at=_warsaw(2026, 7, 3, 12, 0),
    )
    make_appointment(
        service=intro, staff=lawyer, contact=world.contact_b, start=_warsaw(2026, 9, 3, 10, 0)
    )
    # when
    booked = services.recurring_book(
        service=intro,
        staff=lawyer,
        contact=world.contact_a,
        matter=None,
        first_start=FIRST,
        count=5,
        actor=lawyer,
    )
    # then: free aimed times are kept, the others go to the nearest Wednesday 10:00
    assert [a.start_at.astimezone(WARSAW).replace(tzinfo=None) for a in booked] == [
        dt.datetime(2026, 6, 3, 10, 0),  # Wednesday, free
        dt.datetime(2026, 7, 1, 10, 0),  # Friday 3 July is busy in the court calendar
        dt.datetime(2026, 8, 5, 10, 0),  # Monday 3 August is a day off
        dt.datetime(2026, 9, 2, 10, 0),  # Thursday 3 September is booked by someone else
        dt.datetime(2026, 9, 30, 10, 0),  # Saturday 3 October is not a working day
    ]
    assert all(a.start_at.astimezone(WARSAW).weekday() < 5 for a in booked)
    assert len({a.series for a in booked}) == 1


def test_a_series_prefers_the_same_time_over_another_time_when_the_weekday_is_full(
    frozen, intro, lawyers, world
) -> None:
    lawyer = lawyers[0]
    # Every Wednesday 10:00 near 3 July is taken: 1 July, 8 July; the time stays 10:00.
    for day in (dt.date(2026, 7, 1), dt.date(2026, 7, 8), dt.date(2026, 7, 3)):
        make_appointment(
            service=intro,
            staff=lawyer,
            contact=world.contact_b,
            start=_warsaw(day.year, day.month, day.day, 10, 0),
        )
    proposal = selectors.series_proposal(service=intro, staff=lawyer, first_start=FIRST, count=2)
    second = proposal[1].start
    assert second is not None
    local = second.astimezone(WARSAW)
    assert local.time() == dt.time(10, 0)
    assert local.date() in (dt.date(2026, 7, 2), dt.date(2026, 7, 6))
    assert proposal[1].moved


def _book(client, intro, lawyer, world, *, count: int, **extra: object):
    return client.post(
        reverse("scheduling:staff-book"),
        {
            "service": intro.pk,
            "staff": lawyer.pk,
            "contact": world.contact_a.pk,
            "matter": world.matter_a.pk,
            "start": "2026-06-03T10:00",
            "repeat_monthly": count,
            **extra,
        },
    )


def test_staff_see_the_proposed_dates_and_book_only_after_confirming(
    client, frozen, intro, lawyers, world, django_assert_max_num_queries
) -> None:
    factories.join_team(world.matter_a, lawyers[0])
    client.force_login(lawyers[0])
    with django_assert_max_num_queries(35):
        response = _book(client, intro, lawyers[0], world, count=5)
    # then: the dates are shown (the Saturday moved), nothing is booked yet
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("data-occurrence") == 5
    assert "Wednesday, 30 September 2026, 10:00" in page
    assert "Moved from" in page
    assert not Appointment.objects.exists()
    shown = [
        o.start.isoformat()
        for o in selectors.series_proposal(
            service=intro, staff=lawyers[0], first_start=FIRST, count=5
        )
    ]
    for value in shown:
        assert f'value="{value}"' in page
    # when: the staff member confirms what they saw
    response = _book(client, intro, lawyers[0], world, count=5, occurrence=shown, confirm="1")
    assert response.status_code == 302
    assert sorted(a.start_at.isoformat() for a in Appointment.objects.all()) == shown
    assert Notification.objects.filter(event="booked").count() == 1


def test_proposal_page_costs_the_same_queries_for_two_or_twenty_four_dates(
    client, frozen, intro, lawyers, world
) -> None:
    factories.join_team(world.matter_a, lawyers[0])
    client.force_login(lawyers[0])

    _book(client, intro, lawyers[0], world, count=2)  # the session and caches settle
    counts = []
    for count in (2, 24):
        with CaptureQueriesContext(connection) as queries:
            response = _book(client, intro, lawyers[0], world, count=count)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_dates_that_changed_since_staff_looked_are_not_booked(
    client, frozen, intro, lawyers, world
) -> None:
    factories.join_team(world.matter_a, lawyers[0])
    client.force_login(lawyers[0])
    shown = [
        o.start.isoformat()
        for o in selectors.series_proposal(
            service=intro, staff=lawyers[0], first_start=FIRST, count=3
        )
    ]
    # meanwhile someone books the second date
    taken = make_appointment(
        service=intro,
        staff=lawyers[0],
        contact=world.contact_b,
        start=dt.datetime.fromisoformat(shown[1]),
    )
    response = _book(client, intro, lawyers[0], world, count=3, occurrence=shown, confirm="1")
    assert response.status_code == 400
    assert "The free times changed" in response.content.decode()
    assert list(Appointment.objects.all()) == [taken]
    # the new proposal is shown to confirm instead
    assert response.content.decode().count("data-occurrence") == 3


@pytest.mark.parametrize(
    ("count", "occurrences"),
    [
        (500, []),
        (3, ["not a date"]),
        (3, ["2026-06-03T10:00"]),
        (3, ["2026-06-03T08:00+00:00"] * 30),
    ],
)
def test_bad_series_input_gets_a_message_and_stores_nothing(
    client, frozen, intro, lawyers, world, count, occurrences
) -> None:
    factories.join_team(world.matter_a, lawyers[0])
    client.force_login(lawyers[0])
    response = _book(
        client, intro, lawyers[0], world, count=count, occurrence=occurrences, confirm="1"
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode() or "errorlist" in response.content.decode()
    assert not Appointment.objects.exists()
    assert not Notification.objects.exists()
