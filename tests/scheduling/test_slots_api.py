"""GET /api/slots/: live slots in the viewer's zone, bad input, and a fixed query budget."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from portal.models import Contact
from scheduling.models import BusyTime, ExternalCalendar
from tests import factories
from tests.scheduling.helpers import make_appointment, make_service, working_week

pytestmark = pytest.mark.django_db
URL = "/api/slots/"


def test_slots_are_listed_in_the_viewers_zone(client, frozen, intro) -> None:
    response = client.get(
        URL,
        {
            "service": "intro-call",
            "start": "2026-06-02",
            "end": "2026-06-02",
            "tz": "America/New_York",
        },
    )
    assert response.status_code == 200
    body = response.json()
    slots = body["slots"]
    # 09:00 Warsaw is 03:00 in New York; both lawyers are free
    assert slots[0]["start"] == "2026-06-02T03:00:00-04:00"
    assert body["duration"] == 15  # each slot ends 15 minutes after its start
    assert len(slots[0]["staff"]) == 2
    assert len(slots) == 32
    # the names come once, for the ids the slots use
    assert {p["id"] for p in body["staff"]} == set(slots[0]["staff"])
    assert all(p["name"] for p in body["staff"])


def test_taken_and_externally_busy_times_disappear(client, frozen, intro, lawyers) -> None:
    contact = Contact.objects.create(first_name="A", last_name="B", email="a@example.com")
    make_appointment(
        service=intro,
        staff=lawyers[0],
        contact=contact,
        start=dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC),
    )
    cal = ExternalCalendar.objects.create(staff=lawyers[1], name="Google", url="https://x")
    BusyTime.objects.create(
        calendar=cal,
        staff=lawyers[1],
        start_at=dt.datetime(2026, 6, 2, 6, 0, tzinfo=dt.UTC),
        end_at=dt.datetime(2026, 6, 2, 6, 50, tzinfo=dt.UTC),
    )
    response = client.get(
        URL,
        {
            "service": "intro-call",
            "start": "2026-06-02",
            "end": "2026-06-02",
            "tz": "Europe/Warsaw",
        },
    )
    slots = {s["start"][11:16]: s["staff"] for s in response.json()["slots"]}
    assert "08:45" not in slots  # lawyer 1 busy elsewhere, lawyer 0 would overlap 09:00
    assert slots["09:00"] == [lawyers[1].pk]  # lawyer 0 is booked
    assert slots["09:15"] == [lawyers[1].pk]  # lawyer 0's buffer runs to 09:20
    assert sorted(slots["09:30"]) == sorted([lawyers[0].pk, lawyers[1].pk])


def test_warsaw_fall_back_day_through_the_api(client, lawyers) -> None:
    import time_machine

    # A lawyer who works Sunday 01:00-05:00 on the day the clocks go back.
    from scheduling.models import AvailabilityRule

    AvailabilityRule.objects.create(
        staff=lawyers[0], date=dt.date(2026, 10, 25), start=dt.time(1), end=dt.time(5)
    )
    make_service(staff=[lawyers[0]], slug="hour", minutes=60, slot_step_minutes=60)
    with time_machine.travel(dt.datetime(2026, 10, 1, tzinfo=dt.UTC), tick=False):
        response = client.get(
            URL,
            {"service": "hour", "start": "2026-10-25", "end": "2026-10-25", "tz": "Europe/Warsaw"},
        )
    starts = [s["start"] for s in response.json()["slots"]]
    assert starts == [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T03:00:00+01:00",
        "2026-10-25T04:00:00+01:00",
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"service": "nope"}, "service"),
        ({"start": "2026-05-01", "end": "2026-05-02"}, "start"),
        ({"start": "9999-01-01", "end": "9999-01-02"}, "start"),
        ({"start": "2026-06-02", "end": "2026-09-02"}, "end"),
        ({"end": "2026-06-01", "start": "2026-06-05"}, "end"),
        ({"tz": "Not/AZone"}, "tz"),
        ({"start": "2026-13-45"}, "start"),
        ({"staff": "424242"}, "staff"),
        ({"duration": "60"}, "duration"),
        ({"end": "9999-12-31"}, "end"),
    ],
)
def test_bad_slot_queries_are_400_with_a_message(client, frozen, intro, params, field) -> None:
    query = {
        "service": "intro-call",
        "start": "2026-06-02",
        "end": "2026-06-03",
        "tz": "Europe/Warsaw",
        **params,
    }
    response = client.get(URL, query)
    assert response.status_code == 400
    assert response.json()["errors"][field]


def _load(lawyers: list[Any], intro: Any, *, staff: int, appointments: int, busy: int) -> None:
    extra = [factories.StaffFactory(time_zone="Europe/Warsaw") for _ in range(staff)]
    for person in extra:
        working_week(person)
    intro.staff.add(*extra)
    people = lawyers + extra
    contact = Contact.objects.create(first_name="A", last_name="B", email="a@example.com")
    base = dt.datetime(2026, 6, 2, 6, tzinfo=dt.UTC)
    for i in range(appointments):
        make_appointment(
            service=intro,
            staff=people[i % len(people)],
            contact=contact,
            start=base + dt.timedelta(minutes=30 * (i // len(people))),
        )
    for person in people:
        cal = ExternalCalendar.objects.create(staff=person, name="G", url="https://x")
        BusyTime.objects.bulk_create(
            [
                BusyTime(
                    calendar=cal,
                    staff=person,
                    start_at=base + dt.timedelta(hours=3 * i),
                    end_at=base + dt.timedelta(hours=3 * i, minutes=20),
                )
                for i in range(busy)
            ]
        )


@pytest.mark.parametrize("size", [0, 1, 30])
def test_slots_api_and_booking_page_query_counts_do_not_grow(
    client, frozen, intro, lawyers, size, django_assert_max_num_queries
) -> None:
    _load(lawyers, intro, staff=size, appointments=size * 5, busy=size * 3)
    with django_assert_max_num_queries(6):
        response = client.get(
            URL,
            {
                "service": "intro-call",
                "start": "2026-06-01",
                "end": "2026-06-30",
                "tz": "Europe/Warsaw",
            },
        )
    assert response.status_code == 200
    with django_assert_max_num_queries(6):
        page = client.get(
            reverse("scheduling:book-service", args=["intro-call"]),
            {"date": "2026-06-02", "tz": "Europe/Warsaw"},
        )
    assert page.status_code == 200


def test_the_firms_website_may_call_the_api_and_others_may_not(
    client, frozen, intro, settings
) -> None:
    settings.ATRIUM_BOOKING_FRAME_ANCESTORS = ["https://www.firm.example"]
    query = {"service": "intro-call", "start": "2026-06-02", "end": "2026-06-02"}
    ours = client.get(URL, query, HTTP_ORIGIN="https://www.firm.example")
    assert ours["Access-Control-Allow-Origin"] == "https://www.firm.example"
    theirs = client.get(URL, query, HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in theirs
    preflight = client.options("/api/bookings/", HTTP_ORIGIN="https://www.firm.example")
    assert preflight.status_code == 204
    assert "POST" in preflight["Access-Control-Allow-Methods"]


def _schema(client: Any, name: str) -> Any:
    import jsonschema_rs

    document = client.get("/api/openapi.json").json()
    schema = {**document["components"]["schemas"][name], "components": document["components"]}
    return jsonschema_rs.validator_for(schema)


def test_the_served_openapi_description_matches_real_answers(
    client, frozen, intro, lawyers
) -> None:
    # the description the site serves is the one kept in the repository
    served = client.get("/api/openapi.json")
    assert served.status_code == 200 and served["Content-Type"] == "application/json"
    assert set(served.json()["paths"]) == {"/api/slots/", "/api/bookings/"}

    slots = client.get(
        URL, {"service": "intro-call", "start": "2026-06-02", "end": "2026-06-05", "tz": "UTC"}
    ).json()
    _schema(client, "Slots").validate(slots)
    booked = client.post(
        "/api/bookings/",
        {
            "service": "intro-call",
            "start": slots["slots"][0]["start"],
            "first_name": "Ada",
            "last_name": "Nowak",
            "email": "ada@example.com",
        },
        content_type="application/json",
    )
    assert booked.status_code == 201
    _schema(client, "Booking").validate(booked.json())
    refused = client.get(URL, {"service": "nope", "start": "2026-06-02", "end": "2026-06-02"})
    _schema(client, "Errors").validate(refused.json())
    # and a slots answer that does not match would be caught
    broken = {**slots, "slots": [{"start": 1}]}
    assert not _schema(client, "Slots").is_valid(broken)
