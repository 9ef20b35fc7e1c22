"""External busy calendars: imported by the periodic task, never during a page request."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.errors import ServiceError
from scheduling import services, tasks
from scheduling.models import BusyTime, ExternalCalendar

pytestmark = pytest.mark.django_db

FEED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//Feed//EN
BEGIN:VEVENT
UID:weekly@test
DTSTART;TZID=Europe/Warsaw:20260601T120000
DTEND;TZID=Europe/Warsaw:20260601T130000
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Private: gym
END:VEVENT
BEGIN:VEVENT
UID:allday@test
DTSTART;VALUE=DATE:20260603
DTEND;VALUE=DATE:20260604
SUMMARY:Court day
END:VEVENT
BEGIN:VEVENT
UID:free@test
DTSTART:20260602T080000Z
DTEND:20260602T090000Z
TRANSP:TRANSPARENT
SUMMARY:Free time
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def feed_server(tmp_path: Path, settings: Any) -> Any:
    # The local server is on 127.0.0.1, which production refuses (see the SSRF test).
    settings.ATRIUM_CALENDAR_ALLOW_PRIVATE = True
    (tmp_path / "feed.ics").write_text(FEED.replace("\n", "\r\n"))
    handler = type(
        "Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None}
    )
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(tmp_path))
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_import_expands_recurring_and_all_day_events(frozen, lawyers, feed_server) -> None:
    staff = lawyers[0]
    calendar = services.external_calendar_add(
        staff=staff, name="Google", url=f"{feed_server}/feed.ics"
    )
    # when: the periodic task runs (eagerly in tests)
    tasks.external_calendars_import_all.delay()
    # then
    calendar.refresh_from_db()
    assert calendar.last_error == ""
    assert calendar.last_success_at is not None
    busy = sorted((b.start_at, b.end_at) for b in BusyTime.objects.filter(calendar=calendar))
    warsaw = ZoneInfo("Europe/Warsaw")
    assert busy == [
        (dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), dt.datetime(2026, 6, 1, 11, tzinfo=dt.UTC)),
        (dt.datetime(2026, 6, 3, tzinfo=warsaw), dt.datetime(2026, 6, 4, tzinfo=warsaw)),
        (dt.datetime(2026, 6, 8, 10, tzinfo=dt.UTC), dt.datetime(2026, 6, 8, 11, tzinfo=dt.UTC)),
        (dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC), dt.datetime(2026, 6, 15, 11, tzinfo=dt.UTC)),
    ]


def test_busy_times_remove_slots(client, frozen, lawyers, feed_server) -> None:
    from tests.scheduling.helpers import make_service

    make_service(staff=[lawyers[0]], slug="one", minutes=60, slot_step_minutes=60)
    calendar = services.external_calendar_add(
        staff=lawyers[0], name="G", url=f"{feed_server}/feed.ics"
    )
    services.external_calendar_import(calendar_id=calendar.pk)
    response = client.get(
        "/api/slots/",
        {"service": "one", "start": "2026-06-03", "end": "2026-06-03", "tz": "Europe/Warsaw"},
    )
    assert response.json()["slots"] == []  # the all-day event blocks Wednesday
    response = client.get(
        "/api/slots/",
        {"service": "one", "start": "2026-06-08", "end": "2026-06-08", "tz": "Europe/Warsaw"},
    )
    hours = [s["start"][11:13] for s in response.json()["slots"]]
    assert "12" not in hours and "11" in hours and "13" in hours


def test_failed_import_keeps_the_last_good_one_and_shows_the_error(
    client, frozen, lawyers, feed_server
) -> None:
    staff = lawyers[0]
    calendar = services.external_calendar_add(
        staff=staff, name="Google", url=f"{feed_server}/feed.ics"
    )
    assert services.external_calendar_import(calendar_id=calendar.pk)
    before = BusyTime.objects.count()
    ExternalCalendar.objects.filter(pk=calendar.pk).update(url=f"{feed_server}/missing.ics")
    # when
    assert not services.external_calendar_import(calendar_id=calendar.pk)
    # then
    calendar.refresh_from_db()
    assert calendar.last_error == "gone"  # a code: the secret address is never echoed
    assert calendar.status == ExternalCalendar.Health.BROKEN
    assert calendar.last_success_at is not None
    assert BusyTime.objects.count() == before
    client.force_login(staff)
    page = client.get(reverse("scheduling:staff-availability"))
    assert "The calendar address no longer works" in page.content.decode()
    assert "missing.ics" not in page.content.decode()


def test_garbage_feed_is_an_error_not_a_crash(frozen, lawyers, feed_server, tmp_path) -> None:
    calendar = services.external_calendar_add(
        staff=lawyers[0], name="G", url=f"{feed_server}/nothing.txt"
    )
    (tmp_path / "nothing.txt").write_text("hello")
    assert not services.external_calendar_import(calendar_id=calendar.pk)
    calendar.refresh_from_db()
    assert calendar.last_error


def test_only_http_addresses_are_accepted(lawyers) -> None:
    with pytest.raises(ServiceError):
        services.external_calendar_add(staff=lawyers[0], name="x", url="file:///etc/passwd")
    calendar = services.external_calendar_add(
        staff=lawyers[0], name="x", url="webcal://calendar.example.com/a.ics"
    )
    assert calendar.url.startswith("https://")


def test_slot_request_never_fetches_a_feed(client, frozen, intro, lawyers) -> None:
    ExternalCalendar.objects.create(staff=lawyers[0], name="G", url="http://127.0.0.1:9/x")
    response = client.get(
        "/api/slots/",
        {
            "service": "intro-call",
            "start": "2026-06-02",
            "end": "2026-06-02",
            "tz": "Europe/Warsaw",
        },
    )
    assert response.status_code == 200
    assert ExternalCalendar.objects.get().last_attempt_at is None


def test_feeds_on_private_addresses_are_refused(frozen, lawyers, tmp_path) -> None:
    calendar = services.external_calendar_add(
        staff=lawyers[0], name="G", url="http://127.0.0.1:9/secret.ics"
    )
    assert not services.external_calendar_import(calendar_id=calendar.pk)
    calendar.refresh_from_db()
    assert calendar.last_error == "not_public"
    assert calendar.status == ExternalCalendar.Health.BROKEN
