"""The cached slots answer is never stale: a slot booked, cancelled, rescheduled, made busy
by a calendar import or taken away by a new day off changes on the very next request.

Real commits (transactional tests), on SQLite with the file cache and on PostgreSQL with
Redis; the availability version is what retires the cached answers, not a short TTL.
"""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from scheduling import services
from scheduling.models import Appointment, AvailabilityRule, BusyTime, ExternalCalendar
from scheduling.services.booking import BookerData
from scheduling.slots_cache import VERSION_KEY

URL = "/api/slots/"
DAY = {"service": "intro-call", "start": "2026-06-02", "end": "2026-06-02", "tz": "Europe/Warsaw"}
NINE = "2026-06-02T09:00:00+02:00"


@pytest.fixture(
    params=[
        "file",
        pytest.param("redis", marks=pytest.mark.postgres),
    ]
)
def slots_cache(request: Any, settings: Any, tmp_path: Any) -> str:
    if request.param == "file":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    else:
        if connection.vendor != "postgresql" or not django_settings.REDIS_URL:
            pytest.skip("needs PostgreSQL and REDIS_URL")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": django_settings.REDIS_URL,
                "KEY_PREFIX": f"slots-cache-test-{tmp_path.name}",
            }
        }
    from django.core.cache import cache

    cache.clear()
    settings.ATRIUM_SLOTS_CACHE_SECONDS = 3600  # only the version may retire an answer
    return str(request.param)


def _slots(client: Any, **extra: str) -> dict[str, list[int]]:
    response = client.get(URL, {**DAY, **extra})
    assert response.status_code == 200
    return {s["start"]: s["staff"] for s in response.json()["slots"]}


def _cached(client: Any, slots: dict[str, list[int]]) -> None:
    """The same answer again, and from the cache: no query reaches the database."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert _slots(client) == slots
    assert ctx.captured_queries == []


pytestmark = pytest.mark.django_db(transaction=True)


def test_a_booked_slot_is_gone_on_the_next_request(
    client: Any, frozen: Any, intro: Any, lawyers: Any, slots_cache: str
) -> None:
    before = _slots(client)
    _cached(client, before)
    assert len(before[NINE]) == 2

    booked = client.post(
        "/api/bookings/",
        {
            "service": "intro-call",
            "start": NINE,
            "staff": lawyers[0].pk,
            "first_name": "Ada",
            "last_name": "Nowak",
            "email": "ada@example.com",
            "time_zone": "Europe/Warsaw",
        },
    )
    assert booked.status_code == 201

    after = _slots(client)
    assert after[NINE] == [lawyers[1].pk]
    # a second booking of the same lawyer at that time is refused, not offered
    assert lawyers[0].pk not in after[NINE]


def test_a_cancelled_booking_frees_the_slot_on_the_next_request(
    client: Any, frozen: Any, intro: Any, lawyers: Any, slots_cache: str
) -> None:
    booked = services.appointment_book(
        service=intro,
        start_at=dt.datetime.fromisoformat(NINE),
        staff=lawyers[0],
        booker=BookerData(first_name="Ada", last_name="Nowak", email="ada@example.com"),
    )
    assert _slots(client)[NINE] == [lawyers[1].pk]
    _cached(client, _slots(client))

    services.appointment_cancel(appointment=booked[0])

    assert sorted(_slots(client)[NINE]) == sorted(p.pk for p in lawyers)


def test_a_rescheduled_booking_moves_on_the_next_request(
    client: Any, frozen: Any, intro: Any, lawyers: Any, slots_cache: str
) -> None:
    booked = services.appointment_book(
        service=intro,
        start_at=dt.datetime.fromisoformat(NINE),
        staff=lawyers[0],
        booker=BookerData(first_name="Ada", last_name="Nowak", email="ada@example.com"),
    )
    later = "2026-06-02T11:00:00+02:00"
    before = _slots(client)
    assert before[NINE] == [lawyers[1].pk] and len(before[later]) == 2

    services.appointment_reschedule(
        appointment=booked[0], start_at=dt.datetime.fromisoformat(later)
    )

    after = _slots(client)
    assert len(after[NINE]) == 2
    assert after[later] == [lawyers[1].pk]


FEED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:busy-1@example.com
DTSTAMP:20260501T000000Z
DTSTART:20260602T070000Z
DTEND:20260602T080000Z
SUMMARY:Court
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def feed_url(tmp_path: Any, settings: Any) -> Any:
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
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.ics"
    server.shutdown()


def test_a_busy_time_imported_from_a_calendar_removes_the_slot_on_the_next_request(
    client: Any, frozen: Any, intro: Any, lawyers: Any, slots_cache: str, feed_url: str
) -> None:
    calendar = services.external_calendar_add(staff=lawyers[0], name="Google", url=feed_url)
    assert len(_slots(client)[NINE]) == 2

    assert services.external_calendar_import(calendar_id=calendar.pk)

    assert BusyTime.objects.filter(calendar=calendar).exists()
    assert _slots(client)[NINE] == [lawyers[1].pk]  # 09:00-10:00 Warsaw is in court

    # and the slot comes back when the calendar is removed
    ExternalCalendar.objects.filter(pk=calendar.pk).delete()
    assert len(_slots(client)[NINE]) == 2


def test_a_new_day_off_removes_the_days_slots_on_the_next_request(
    client: Any, frozen: Any, intro: Any, lawyers: Any, slots_cache: str
) -> None:
    assert len(_slots(client)[NINE]) == 2

    rule = services.availability_rule_add(
        rule=AvailabilityRule(staff=lawyers[1], date=dt.date(2026, 6, 2), is_off=True)
    )

    assert {tuple(ids) for ids in _slots(client).values()} == {(lawyers[0].pk,)}

    services.availability_rule_remove(rule=rule)
    assert len(_slots(client)[NINE]) == 2


def test_queryset_writes_retire_the_answer_too(
    client: Any, frozen: Any, intro: Any, lawyers: Any, slots_cache: str
) -> None:
    services.appointment_book(
        service=intro,
        start_at=dt.datetime.fromisoformat(NINE),
        staff=lawyers[0],
        booker=BookerData(first_name="Ada", last_name="Nowak", email="ada@example.com"),
    )
    assert _slots(client)[NINE] == [lawyers[1].pk]

    # a sweep or an admin action that updates rows without save()
    Appointment.objects.filter(staff=lawyers[0]).update(status=Appointment.Status.CANCELLED)

    assert len(_slots(client)[NINE]) == 2


def test_the_version_moves_only_when_the_change_commits(
    client: Any, frozen: Any, intro: Any, lawyers: Any, slots_cache: str
) -> None:
    from django.core.cache import cache
    from django.db import transaction

    _slots(client)
    with transaction.atomic():
        AvailabilityRule.objects.create(staff=lawyers[0], date=dt.date(2026, 6, 2), is_off=True)
        inside = cache.get(VERSION_KEY)
        # a request meanwhile sees the committed rows and caches them under this version
        _slots(client)
    assert cache.get(VERSION_KEY) != inside  # retired again at commit
    assert all(ids == [lawyers[1].pk] for ids in _slots(client).values())


def test_a_miss_reuses_the_service_lookup_until_a_change_replaces_the_version(
    client: Any, frozen: Any, intro: Any, lawyers: Any, slots_cache: str
) -> None:
    from django.test.utils import CaptureQueriesContext

    # given an availability version (any change sets one)
    AvailabilityRule.objects.create(staff=lawyers[0], date=dt.date(2026, 6, 20), is_off=True)
    with CaptureQueriesContext(connection) as first:
        _slots(client)
    # when another window of the same service is asked for (a miss of the answer)
    with CaptureQueriesContext(connection) as second:
        _slots(client, end="2026-06-03")

    # then the service and its staff are not read again
    def service_reads(ctx: Any) -> int:
        return sum('FROM "scheduling_service"' in q["sql"] for q in ctx.captured_queries)

    assert service_reads(first) >= 1
    assert service_reads(second) == 0
    assert len(second.captured_queries) < len(first.captured_queries)

    # and a change to the service is seen on the very next request
    lawyers[1].first_name = "Renamed"
    lawyers[1].save(update_fields=["first_name"])
    names = {
        s["id"]: s["name"] for s in client.get(URL, {**DAY, "end": "2026-06-04"}).json()["staff"]
    }
    assert names[lawyers[1].pk].startswith("Renamed")
    intro.is_active = False
    intro.save(update_fields=["is_active"])
    answer = client.get(URL, {**DAY, "end": "2026-06-05"})
    assert answer.status_code == 400 and "service" in answer.json()["errors"]
