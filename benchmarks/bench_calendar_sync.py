"""Calendar sync figures: one CalDAV sync of a 2,000-event calendar (first, then
incremental), and /api/slots with 10 staff whose calendars are connected.

Radicale runs on a loopback thread (as in the tests); the database is a throwaway test
database. Usage: python benchmarks/bench_calendar_sync.py [--events 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    setup_test_environment()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.ATRIUM_CALDAV_ALLOWED_HOSTS = ["127.0.0.1"]
    # Radicale hashes a 2,000-event collection slowly on first contact; the figure shows it.
    settings.ATRIUM_CALDAV_TIMEOUT_SECONDS = 120
    settings.ALLOWED_HOSTS = ["*"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args.events)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _calendar_file(events: int, start: dt.datetime) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bench//EN"]
    for i in range(events):
        s = start + dt.timedelta(hours=3 * i)
        e = s + dt.timedelta(hours=1)
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{i}",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:{s:%Y%m%dT%H%M%SZ}",
            f"DTEND:{e:%Y%m%dT%H%M%SZ}",
            f"SUMMARY:Event {i}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def run(events: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from portal.models import Firm, User
    from scheduling import services
    from scheduling.models import AvailabilityRule, BusyTime, ExternalCalendar, Service
    from scheduling.slots_cache import availability_changed
    from tests.scheduling import radicale_server

    Firm.objects.get_or_create(pk=1, defaults={"time_zone": "Europe/Warsaw"})
    staff = [
        User.objects.create_user(f"bench{i}@example.com", role="staff", time_zone="Europe/Warsaw")
        for i in range(10)
    ]
    servers = radicale_server.start(Path(tempfile.mkdtemp()))
    radicale = next(servers)
    try:
        now = timezone.now()
        work = radicale.make_calendar("work", "Work")
        radicale.make_calendar("atrium", "Atrium")
        radicale.http("DELETE", work)
        body = _calendar_file(events, now.replace(minute=0, second=0, microsecond=0))
        put = radicale.http("PUT", work, body, timeout=600, **{"Content-Type": "text/calendar"})
        assert put.status_code in (201, 204), put.status_code
        calendar = services.caldav_connect(
            staff=staff[0],
            url=radicale.url + "/",
            username=radicale_server.USER,
            password=radicale_server.PASSWORD,
            busy=None,  # every calendar (the write one is empty)
            write="Atrium",
        )
        began = time.perf_counter()
        assert services.calendar_sync(calendar_id=calendar.pk)
        first = time.perf_counter() - began
        stored = BusyTime.objects.filter(calendar=calendar).count()
        runs = []
        for _ in range(5):
            began = time.perf_counter()
            assert services.calendar_sync(calendar_id=calendar.pk)
            runs.append(time.perf_counter() - began)
        radicale.put_event(
            work,
            "bench-new",
            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:bench-new\n"
            f"DTSTAMP:20260101T000000Z\nDTSTART:{now + dt.timedelta(days=1):%Y%m%dT%H%M%SZ}\n"
            f"DTEND:{now + dt.timedelta(days=1, hours=1):%Y%m%dT%H%M%SZ}\n"
            "END:VEVENT\nEND:VCALENDAR\n",
        )
        began = time.perf_counter()
        assert services.calendar_sync(calendar_id=calendar.pk)
        one_change = time.perf_counter() - began
        print(f"CalDAV sync, {events} events in the calendar ({stored} busy intervals kept):")
        print(f"  first (full) sync            {first * 1000:8.0f} ms")
        print(
            f"  incremental, nothing changed {statistics.median(runs) * 1000:8.1f} ms (median of 5)"
        )
        print(f"  incremental, one new event   {one_change * 1000:8.1f} ms")

        # /api/slots with 10 connected staff: each with a connection and 300 busy times.
        for i, person in enumerate(staff):
            for weekday in range(7):
                AvailabilityRule.objects.create(
                    staff=person, weekday=weekday, start=dt.time(8), end=dt.time(18)
                )
            if i:
                other = ExternalCalendar.objects.create(
                    staff=person,
                    provider="caldav",
                    name="c",
                    url="https://x.example/",
                    last_success_at=now,
                    fail_closed=True,
                )
                BusyTime.objects.bulk_create(
                    [
                        BusyTime(
                            calendar=other,
                            staff=person,
                            start_at=now + dt.timedelta(hours=5 * k),
                            end_at=now + dt.timedelta(hours=5 * k + 1),
                        )
                        for k in range(300)
                    ]
                )
        service = Service.objects.create(slug="bench", name="Bench", duration_minutes=30)
        service.staff.set(staff)
        client = Client()
        day = (now + dt.timedelta(days=1)).date()
        query = {
            "service": "bench",
            "start": day.isoformat(),
            "end": (day + dt.timedelta(days=13)).isoformat(),
            "tz": "Europe/Warsaw",
        }
        cold, warm = [], []
        for _ in range(10):
            availability_changed()
            began = time.perf_counter()
            assert client.get("/api/slots/", query).status_code == 200
            cold.append(time.perf_counter() - began)
            began = time.perf_counter()
            assert client.get("/api/slots/", query).status_code == 200
            warm.append(time.perf_counter() - began)
        print("/api/slots, 14 days, 10 staff with connected calendars (no remote call):")
        print(
            f"  computed (cache miss)        {statistics.median(cold) * 1000:8.1f} ms (median of 10)"
        )
        print(
            f"  cached                       {statistics.median(warm) * 1000:8.1f} ms (median of 10)"
        )
    finally:
        servers.close()


if __name__ == "__main__":
    main()
