"""Calendar connection health (calendar-sync §5): states, one alert, banner, /healthz,
fail-closed slots, and the staff feed's cancellations."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from typing import Any

import icalendar
import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from scheduling import services, tasks
from scheduling.models import Appointment, BusyTime, ExternalCalendar
from tests import factories
from tests.scheduling.conftest import NOW
from tests.scheduling.helpers import make_appointment

pytestmark = pytest.mark.django_db
Health = ExternalCalendar.Health

FEED = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:court@test\r\nDTSTART:20260602T080000Z\r\nDTEND:20260602T100000Z\r\n"
    "SUMMARY:Court\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def feed(settings: Any) -> Any:
    """A loopback feed whose answer a test can change: {"status": 200} or 500, 401..."""
    settings.ATRIUM_CALENDAR_ALLOW_PRIVATE = True
    state: dict[str, Any] = {"status": 200}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(state["status"])
            self.send_header("Content-Type", "text/calendar")
            self.end_headers()
            if state["status"] == 200:
                self.wfile.write(FEED.encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/secret-token-xyz/basic.ics"
    yield state
    server.shutdown()


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example", first_name="Anna")


def _calendar(staff: Any, feed: Any, **extra: Any) -> ExternalCalendar:
    return services.external_calendar_add(staff=staff, name="Work", url=feed["url"], **extra)


def test_passing_failures_degrade_then_six_in_a_row_break_with_one_alert(
    frozen, lawyers, admin, feed, django_capture_on_commit_callbacks
) -> None:
    staff = lawyers[0]
    calendar = _calendar(staff, feed)
    assert services.calendar_sync(calendar_id=calendar.pk)
    feed["status"] = 503
    # when: five failures
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            services.calendar_sync(calendar_id=calendar.pk)
    calendar.refresh_from_db()
    # then: degraded, the old busy times kept, nobody emailed
    assert calendar.status == Health.DEGRADED
    assert calendar.consecutive_failures == 5
    assert BusyTime.objects.filter(calendar=calendar).count() == 1
    assert mail.outbox == []
    # when: the sixth failure and more polls after it
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            services.calendar_sync(calendar_id=calendar.pk)
    calendar.refresh_from_db()
    # then: broken, and exactly one email to the lawyer and one to the admin
    assert calendar.status == Health.BROKEN
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@firm.example", "lawyer0@firm.example"]
    body = mail.outbox[0].body
    assert "Work" in body and "keeps trying" in body
    assert "secret-token-xyz" not in body
    assert reverse("scheduling:staff-calendar-detail", args=[calendar.pk]) in body
    # when: it works again, then breaks again
    feed["status"] = 200
    services.calendar_sync(calendar_id=calendar.pk)
    calendar.refresh_from_db()
    assert (calendar.status, calendar.consecutive_failures) == (Health.OK, 0)
    feed["status"] = 401
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_sync(calendar_id=calendar.pk)
        services.calendar_sync(calendar_id=calendar.pk)
    # then: an authentication failure breaks at once, and the new breakage alerts once more
    calendar.refresh_from_db()
    assert (calendar.status, calendar.last_error) == (Health.BROKEN, "auth")
    assert len(mail.outbox) == 4
    assert "app password" in mail.outbox[-1].body


def test_alert_is_in_the_recipients_language(
    frozen, lawyers, feed, django_capture_on_commit_callbacks
):
    staff = lawyers[0]
    staff.language = "pl"
    staff.save()
    calendar = _calendar(staff, feed)
    feed["status"] = 404
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_sync(calendar_id=calendar.pk)
    [message] = mail.outbox
    assert "Work" in message.subject
    assert "Napraw to tutaj" in message.body and "Hello" not in message.body


def test_broken_connection_shows_a_banner_to_its_owner_and_admins_only(
    client, frozen, lawyers, admin, feed
) -> None:
    calendar = _calendar(lawyers[0], feed)
    feed["status"] = 404
    services.calendar_sync(calendar_id=calendar.pk)
    page = reverse("scheduling:staff-calendar")
    for user, shown in ((lawyers[0], True), (admin, True), (lawyers[1], False)):
        client.force_login(user)
        html = client.get(page).content.decode()
        assert ("data-calendar-broken" in html) is shown, user.email
    client.force_login(lawyers[0])
    html = client.get(page).content.decode()
    assert "The calendar address no longer works" in html
    # fixed: the banner goes at once
    feed["status"] = 200
    services.calendar_sync(calendar_id=calendar.pk)
    assert "data-calendar-broken" not in client.get(page).content.decode()


def test_healthz_counts_broken_connections_without_naming_them(client, frozen, lawyers, feed):
    calendar = _calendar(lawyers[0], feed)
    feed["status"] = 401
    services.calendar_sync(calendar_id=calendar.pk)
    body = client.get("/healthz").json()
    assert body["calendar_connections_broken"] == 1
    assert "Work" not in str(body) and "secret-token" not in str(body)


def _slots(client: Any, day: str = "2026-06-03") -> Any:
    return client.get(
        "/api/slots/",
        {"service": "intro-call", "start": day, "end": day, "tz": "Europe/Warsaw"},
    ).json()


def test_fail_closed_hides_online_slots_after_two_hours_and_the_page_says_to_call(
    client, lawyers, intro, feed
) -> None:
    intro.staff.set([lawyers[0]])
    with time_machine.travel(NOW, tick=False):
        calendar = _calendar(lawyers[0], feed, fail_closed=True)
        assert services.calendar_sync(calendar_id=calendar.pk)
        feed["status"] = 500
        services.calendar_sync(calendar_id=calendar.pk)
        assert _slots(client)["slots"]  # degraded for minutes: slots stay
    # when: two hours without a successful read
    with time_machine.travel(NOW + dt.timedelta(hours=2, minutes=1), tick=False):
        services.calendar_sync(calendar_id=calendar.pk)
        body = _slots(client)
        page = client.get(reverse("scheduling:book-service", args=["intro-call"]))
    # then: no online slots, and the public page says to call
    assert body["slots"] == [] and body["online_booking_paused"] is True
    assert "please call us" in page.content.decode()
    # when: the same connection without fail-closed
    with time_machine.travel(NOW + dt.timedelta(hours=2, minutes=1), tick=False):
        services.calendar_settings_update(calendar=calendar, actor=lawyers[0], fail_closed=False)
        assert _slots(client)["slots"]


def test_fail_closed_still_lets_staff_book(client, lawyers, intro, feed) -> None:
    intro.staff.set([lawyers[0]])
    contact = factories.ContactFactory()
    with time_machine.travel(NOW, tick=False):
        ExternalCalendar.objects.create(
            staff=lawyers[0], name="Old", url=feed["url"], fail_closed=True
        )
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
        start = dt.datetime(2026, 6, 3, 8, 0, tzinfo=dt.UTC)
        with pytest.raises(services.SlotInvalid):
            services.appointment_book(
                service=intro,
                start_at=start,
                contact=contact,
                origin="public",
                time_zone="Europe/Warsaw",
            )
        [appointment] = services.appointment_book(
            service=intro,
            start_at=start,
            contact=contact,
            actor=lawyers[0],
            time_zone="Europe/Warsaw",
        )
    assert appointment.status == Appointment.Status.BOOKED


def _feed_events(client: Any, staff: Any) -> dict[str, list[tuple[str, int]]]:
    from portal import services as portal_services

    portal_services.user_calendar_token_rotate(user=staff)
    staff.refresh_from_db()
    body = client.get(reverse("scheduling:staff-feed", args=[staff.calendar_token])).content
    events: dict[str, list[tuple[str, int]]] = {}
    for event in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        events.setdefault(str(event["UID"]), []).append(
            (str(event.get("STATUS", "")), int(event["SEQUENCE"]))
        )
    return events


def test_feed_carries_cancellations_but_never_cancels_a_reschedule(
    client, frozen, lawyers, intro
) -> None:
    staff = lawyers[0]
    contact = factories.ContactFactory()
    start = NOW + dt.timedelta(days=2)
    kept = make_appointment(service=intro, staff=staff, contact=contact, start=start)
    cancelled = make_appointment(
        service=intro, staff=staff, contact=contact, start=start + dt.timedelta(hours=1)
    )
    services.appointment_cancel(appointment=cancelled, actor=staff)
    moved = make_appointment(
        service=intro, staff=staff, contact=contact, start=start + dt.timedelta(hours=2)
    )
    new = services.appointment_reschedule(
        appointment=moved, start_at=start + dt.timedelta(days=1), actor=staff
    )
    make_appointment(
        service=intro,
        staff=staff,
        contact=contact,
        start=start + dt.timedelta(hours=4),
        status=Appointment.Status.HELD,
        hold_expires_at=NOW + dt.timedelta(minutes=10),
    )
    # when
    events = _feed_events(client, staff)
    # then: the cancellation is in the feed, the reschedule only once and confirmed
    assert events[kept.uid] == [("CONFIRMED", kept.sequence)]
    cancelled.refresh_from_db()
    assert events[cancelled.uid] == [("CANCELLED", cancelled.sequence)]
    assert new.uid == moved.uid
    assert events[new.uid] == [("CONFIRMED", new.sequence)]
    assert len(events) == 3  # the held booking stays out


def test_setup_guide_shows_the_feed_address(client, lawyers) -> None:
    from portal import services as portal_services

    portal_services.user_calendar_token_rotate(user=lawyers[0])
    client.force_login(lawyers[0])
    html = client.get(reverse("scheduling:staff-calendar-guide")).content.decode()
    assert "Subscribe from web" in html and "From URL" in html
    assert lawyers[0].calendar_token in html


def test_staff_manage_only_their_own_connections_admins_all(
    client, lawyers, admin, feed, django_assert_max_num_queries
) -> None:
    mine = _calendar(lawyers[0], feed)
    theirs = _calendar(lawyers[1], feed)
    client.force_login(lawyers[0])
    assert (
        client.get(reverse("scheduling:staff-calendar-detail", args=[theirs.pk])).status_code == 404
    )
    response = client.post(
        reverse("scheduling:staff-calendar-detail", args=[theirs.pk]), {"action": "disconnect"}
    )
    assert response.status_code == 404
    listing = client.get(reverse("scheduling:staff-calendars")).content.decode()
    assert str(mine.pk) in listing and str(theirs.pk) not in listing
    client.force_login(admin)
    for i in range(10):
        ExternalCalendar.objects.create(staff=lawyers[i % 2], name=f"C{i}", url=feed["url"])
    client.get(reverse("scheduling:staff-calendars"))
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("scheduling:staff-calendars")).content.decode()
    assert str(mine.pk) in listing and str(theirs.pk) in listing


def test_disconnect_forgets_the_address_and_the_busy_times(client, frozen, lawyers, feed) -> None:
    calendar = _calendar(lawyers[0], feed)
    assert services.calendar_sync(calendar_id=calendar.pk)
    client.force_login(lawyers[0])
    url = reverse("scheduling:staff-calendar-detail", args=[calendar.pk])
    assert client.post(url, {"action": "disconnect"}).status_code == 302
    calendar.refresh_from_db()
    assert (calendar.status, calendar.url) == (Health.DISCONNECTED, "")
    assert not BusyTime.objects.filter(calendar=calendar).exists()
    # a disconnected calendar is not read again
    tasks.external_calendars_import_all.delay()
    assert not BusyTime.objects.filter(calendar=calendar).exists()


def test_fail_closed_setting_is_saved_from_the_page(client, lawyers, feed) -> None:
    calendar = _calendar(lawyers[0], feed)
    client.force_login(lawyers[0])
    url = reverse("scheduling:staff-calendar-detail", args=[calendar.pk])
    client.post(url, {"action": "settings", "fail_closed": "on"})
    calendar.refresh_from_db()
    assert calendar.fail_closed


def test_cached_slots_are_retired_when_a_calendar_changes_what_is_free(
    client, lawyers, intro, feed
) -> None:
    from scheduling.slots_cache import availability_version

    intro.staff.set([lawyers[0]])
    with time_machine.travel(NOW, tick=False):
        calendar = _calendar(lawyers[0], feed, fail_closed=True)
        assert services.calendar_sync(calendar_id=calendar.pk)
        before = availability_version()
        # a routine read of an unchanged feed keeps the cached slots
        assert services.calendar_sync(calendar_id=calendar.pk)
        assert availability_version() == before
    # a stale fail-closed calendar that reads again brings its owner back: retired
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
        assert services.calendar_sync(calendar_id=calendar.pk)
        assert availability_version() != before
