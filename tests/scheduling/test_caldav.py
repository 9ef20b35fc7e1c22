"""CalDAV against a real Radicale server on loopback (calendar-sync §7.2)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from core.errors import ServiceError
from scheduling import secrets, services
from scheduling.models import Appointment, BusyTime, ExternalCalendar, ExternalEventLink
from tests import factories
from tests.scheduling import radicale_server
from tests.scheduling.conftest import NOW
from tests.scheduling.helpers import make_appointment
from tests.scheduling.radicale_server import PASSWORD, USER

pytestmark = pytest.mark.django_db
Health = ExternalCalendar.Health


def event(uid: str, start: str, end: str, *extra: str) -> str:
    lines = "\n".join(extra)
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Phone//EN\nBEGIN:VEVENT\n"
        f"UID:{uid}\nDTSTAMP:20260501T000000Z\nDTSTART:{start}\nDTEND:{end}\n"
        f"SUMMARY:Private {uid}\n{lines}\nEND:VEVENT\nEND:VCALENDAR\n"
    ).replace("\n\n", "\n")


@pytest.fixture
def radicale(tmp_path: Any, settings: Any) -> Any:
    # Only this host may be private: the per-host allow-list, not "allow everything".
    settings.ATRIUM_CALDAV_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.ATRIUM_CALENDAR_ALLOW_PRIVATE = False
    yield from radicale_server.start(tmp_path)


@pytest.fixture
def calendars(radicale: Any) -> dict[str, str]:
    return {
        "work": radicale.make_calendar("work", "Work"),
        "private": radicale.make_calendar("private", "Private"),
        "atrium": radicale.make_calendar("atrium", "Atrium"),
    }


def _connect(staff: Any, radicale: Any, **extra: Any) -> ExternalCalendar:
    return services.caldav_connect(
        staff=staff,
        url=radicale.url + "/",
        username=USER,
        password=PASSWORD,
        busy=extra.pop("busy", ["Work", "Private"]),
        write=extra.pop("write", "Atrium"),
        **extra,
    )


def _busy(calendar: ExternalCalendar) -> list[tuple[dt.datetime, dt.datetime]]:
    return sorted(BusyTime.objects.filter(calendar=calendar).values_list("start_at", "end_at"))


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_connect_lists_calendars_and_keeps_the_password_encrypted(
    frozen, lawyers, radicale, calendars
) -> None:
    calendar = _connect(lawyers[0], radicale)
    assert {c["name"]: c["busy"] for c in calendar.read_calendars} == {
        "Work": True,
        "Private": True,
        "Atrium": False,
    }
    assert calendar.write_calendar_id == calendars["atrium"]
    assert PASSWORD not in calendar.secret_encrypted
    assert secrets.decrypt(calendar.secret_encrypted) == PASSWORD
    assert PASSWORD not in repr(calendar.__dict__.get("secret_encrypted"))


def test_wrong_password_or_unknown_calendar_stores_nothing(frozen, lawyers, radicale, calendars):
    with pytest.raises(ServiceError, match="refused"):
        services.caldav_connect(
            staff=lawyers[0], url=radicale.url + "/", username=USER, password="wrong"
        )
    with pytest.raises(ServiceError, match="Holiday"):
        _connect(lawyers[0], radicale, busy=["Holiday"])
    assert not ExternalCalendar.objects.exists()


def test_a_private_address_needs_the_host_allow_list(
    frozen, lawyers, radicale, calendars, settings
):
    settings.ATRIUM_CALDAV_ALLOWED_HOSTS = []
    with pytest.raises(ServiceError, match="public internet"):
        _connect(lawyers[0], radicale)
    assert "PROPFIND" not in radicale.methods[1:]  # refused before any request was sent


def test_busy_sync_skips_free_and_cancelled_expands_recurrences_and_is_incremental(
    frozen, lawyers, radicale, calendars
) -> None:
    work, private = calendars["work"], calendars["private"]
    radicale.put_event(work, "court", event("court", "20260602T080000Z", "20260602T100000Z"))
    radicale.put_event(
        work, "free", event("free", "20260602T110000Z", "20260602T120000Z", "TRANSP:TRANSPARENT")
    )
    radicale.put_event(
        work, "off", event("off", "20260602T130000Z", "20260602T140000Z", "STATUS:CANCELLED")
    )
    radicale.put_event(
        private,
        "gym",
        event("gym", "20260603T160000Z", "20260603T170000Z", "RRULE:FREQ=WEEKLY;COUNT=2"),
    )
    calendar = _connect(lawyers[0], radicale)
    # when
    assert services.calendar_sync(calendar_id=calendar.pk)
    # then
    assert _busy(calendar) == [
        (_utc(2026, 6, 2, 8), _utc(2026, 6, 2, 10)),
        (_utc(2026, 6, 3, 16), _utc(2026, 6, 3, 17)),
        (_utc(2026, 6, 10, 16), _utc(2026, 6, 10, 17)),
    ]
    calendar.refresh_from_db()
    assert calendar.status == Health.OK and calendar.last_success_at == NOW
    # when: nothing changed
    radicale.methods.clear()
    assert services.calendar_sync(calendar_id=calendar.pk)
    # then: one REPORT per calendar (sync-collection), no event fetched
    assert radicale.methods == ["REPORT", "REPORT", "REPORT"]
    # when: one event moved, one deleted
    radicale.put_event(work, "court", event("court", "20260602T120000Z", "20260602T130000Z"))
    radicale.http("DELETE", f"{private}gym.ics")
    radicale.methods.clear()
    assert services.calendar_sync(calendar_id=calendar.pk)
    assert _busy(calendar) == [(_utc(2026, 6, 2, 12), _utc(2026, 6, 2, 13))]
    assert radicale.methods.count("REPORT") == 4  # three syncs and one multiget


def test_two_workers_reading_from_the_same_token_store_no_duplicate(
    frozen, lawyers, radicale, calendars
) -> None:
    radicale.put_event(
        calendars["work"], "court", event("court", "20260602T080000Z", "20260602T100000Z")
    )
    calendar = _connect(lawyers[0], radicale)
    assert services.calendar_sync(calendar_id=calendar.pk)
    token = ExternalCalendar.objects.get(pk=calendar.pk).sync_state
    radicale.put_event(
        calendars["work"], "court", event("court", "20260602T090000Z", "20260602T100000Z")
    )
    # when: two syncs both start from the same stored token (two workers at once)
    assert services.calendar_sync(calendar_id=calendar.pk)
    ExternalCalendar.objects.filter(pk=calendar.pk).update(sync_state=token)
    assert services.calendar_sync(calendar_id=calendar.pk)
    # then
    assert _busy(calendar) == [(_utc(2026, 6, 2, 9), _utc(2026, 6, 2, 10))]


def _book(staff: Any, service: Any, start: dt.datetime, capture: Any) -> Appointment:
    with capture(execute=True):
        [appointment] = services.appointment_book(
            service=service,
            start_at=start,
            staff=staff,
            contact=factories.ContactFactory(last_name="Zyxwvut"),
            time_zone="Europe/Warsaw",
            actor=staff,
        )
    return appointment


def test_appointments_are_written_updated_and_deleted_once_each(
    frozen, lawyers, intro, radicale, calendars, django_capture_on_commit_callbacks
) -> None:
    staff = lawyers[0]
    calendar = _connect(staff, radicale, busy=["Work", "Atrium"])
    atrium = calendars["atrium"]
    # when: booked
    appointment = _book(staff, intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    # then: one event at the address of its uid, minimal content
    [(href, data)] = radicale.events(atrium).items()
    assert href.endswith(appointment.uid.split("@")[0] + ".ics")
    assert "DTSTART:20260602T080000Z" in data and "Intro call (Atrium)" in data
    assert "Zyxwvut" not in data and "ATTENDEE" not in data
    link = ExternalEventLink.objects.get()
    assert link.state == ExternalEventLink.State.SYNCED and link.remote_etag
    # own events are never busy, though the write calendar is also a busy one
    assert services.calendar_sync(calendar_id=calendar.pk)
    assert _busy(calendar) == []
    # when: written again with nothing changed (a repeated task)
    radicale.methods.clear()
    services.appointment_writeback(appointment_uid=appointment.uid)
    assert "PUT" not in radicale.methods
    # when: rescheduled
    with django_capture_on_commit_callbacks(execute=True):
        new = services.appointment_reschedule(
            appointment=appointment, start_at=_utc(2026, 6, 3, 9), actor=staff
        )
    [(href2, data)] = radicale.events(atrium).items()
    assert href2 == href and "DTSTART:20260603T090000Z" in data
    assert f"SEQUENCE:{new.sequence}" in data
    # when: cancelled
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=new, actor=staff)
    assert radicale.events(atrium) == {}
    assert ExternalEventLink.objects.get().state == ExternalEventLink.State.DELETED


def test_a_write_retried_after_a_timeout_creates_one_event(
    frozen, lawyers, intro, radicale, calendars, settings, django_capture_on_commit_callbacks
) -> None:
    settings.ATRIUM_CALDAV_TIMEOUT_SECONDS = 0.5
    staff = lawyers[0]
    calendar = _connect(staff, radicale, busy=["Work"])
    # when: the server stores the event but answers too late
    radicale.slow_next["PUT"] = 1.5
    appointment = _book(staff, intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    link = ExternalEventLink.objects.get()
    assert link.state == ExternalEventLink.State.FAILED and link.last_error == "timeout"
    settings.ATRIUM_CALDAV_TIMEOUT_SECONDS = 10
    # when: the next sync retries it
    assert services.calendar_sync(calendar_id=calendar.pk)
    # then: still one event, now known with its ETag
    assert len(radicale.events(calendars["atrium"])) == 1
    link.refresh_from_db()
    assert link.state == ExternalEventLink.State.SYNCED and link.remote_etag
    assert link.appointment_id == appointment.pk


def test_an_external_edit_is_flagged_not_applied_and_atrium_can_restore_it(
    client, frozen, lawyers, intro, radicale, calendars, django_capture_on_commit_callbacks
) -> None:
    staff = lawyers[0]
    calendar = _connect(staff, radicale, busy=["Work"])
    appointment = _book(staff, intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    [(href, data)] = radicale.events(calendars["atrium"]).items()
    # when: the lawyer drags the event in their calendar app
    moved = data.replace("DTSTART:20260602T080000Z", "DTSTART:20260602T100000Z").replace(
        "DTEND:20260602T081500Z", "DTEND:20260602T101500Z"
    )
    assert radicale.http("PUT", radicale.url + href, moved).status_code in (201, 204)
    assert services.calendar_sync(calendar_id=calendar.pk)
    # then: flagged; the appointment is untouched
    link = ExternalEventLink.objects.get()
    assert link.external_change_seen_at == NOW
    appointment.refresh_from_db()
    assert appointment.start_at == _utc(2026, 6, 2, 8) and appointment.status == "booked"
    client.force_login(staff)
    page = client.get(reverse("scheduling:staff-calendars")).content.decode()
    assert "changed or deleted" in page
    # when: staff restore Atrium's version (its stored ETag is stale: a 412 first)
    client.post(
        reverse("scheduling:staff-calendar-detail", args=[calendar.pk]),
        {"action": "restore", "link": link.pk},
    )
    [(_href, data)] = radicale.events(calendars["atrium"]).items()
    assert "DTSTART:20260602T080000Z" in data
    link.refresh_from_db()
    assert link.external_change_seen_at is None


def test_a_deleted_atrium_event_is_flagged(
    frozen, lawyers, intro, radicale, calendars, django_capture_on_commit_callbacks
) -> None:
    staff = lawyers[0]
    calendar = _connect(staff, radicale, busy=["Work"])
    _book(staff, intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    [href] = radicale.events(calendars["atrium"])
    radicale.http("DELETE", radicale.url + href)
    assert services.calendar_sync(calendar_id=calendar.pk)
    assert ExternalEventLink.objects.get().external_change_seen_at == NOW


def test_a_changed_password_breaks_the_connection_with_one_alert(
    frozen, lawyers, radicale, calendars, django_capture_on_commit_callbacks
) -> None:
    calendar = _connect(lawyers[0], radicale)
    assert services.calendar_sync(calendar_id=calendar.pk)
    radicale.set_password("rotated")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert not services.calendar_sync(calendar_id=calendar.pk)
    calendar.refresh_from_db()
    assert (calendar.status, calendar.last_error) == (Health.BROKEN, "auth")
    assert len(mail.outbox) == 1 and "app password" in mail.outbox[0].body
    assert "rotated" not in mail.outbox[0].body and PASSWORD not in mail.outbox[0].body
    # when: reconnected with the new password
    services.caldav_reconnect(calendar=calendar, password="rotated", actor=lawyers[0])
    assert services.calendar_sync(calendar_id=calendar.pk)
    calendar.refresh_from_db()
    assert calendar.status == Health.OK


def test_connect_and_sync_commands(frozen, lawyers, radicale, calendars, monkeypatch) -> None:
    radicale.put_event(
        calendars["work"], "court", event("court", "20260602T080000Z", "20260602T100000Z")
    )
    monkeypatch.setenv("CALDAV_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command(
        "calendar_connect",
        "--staff",
        lawyers[0].email,
        "--caldav",
        radicale.url + "/",
        "--username",
        USER,
        "--password-env",
        "CALDAV_PASSWORD",
        "--busy",
        "Work",
        "--write",
        "Atrium",
        stdout=out,
    )
    assert "busy Work; appointments to Atrium" in out.getvalue()
    assert "first sync: ok" in out.getvalue()
    assert PASSWORD not in out.getvalue()
    out = io.StringIO()
    call_command("calendar_sync", "--staff", lawyers[0].email, stdout=out)
    assert "caldav" in out.getvalue() and "\tok\t" in out.getvalue()
    assert BusyTime.objects.count() == 1


def test_choosing_calendars_from_the_page(client, frozen, lawyers, radicale, calendars) -> None:
    radicale.put_event(
        calendars["private"], "gym", event("gym", "20260602T080000Z", "20260602T090000Z")
    )
    calendar = _connect(lawyers[0], radicale, busy=["Work"], write=None)
    client.force_login(lawyers[0])
    url = reverse("scheduling:staff-calendar-detail", args=[calendar.pk])
    assert "Private" in client.get(url).content.decode()
    client.post(
        url, {"action": "choose", "busy": [calendars["private"]], "write": calendars["atrium"]}
    )
    calendar.refresh_from_db()
    assert [c["name"] for c in calendar.busy_calendars] == ["Private"]
    assert calendar.write_calendar_id == calendars["atrium"]
    assert len(_busy(calendar)) == 1  # read at once


def test_connect_page_shows_a_clear_error(client, frozen, lawyers, radicale, calendars) -> None:
    client.force_login(lawyers[0])
    response = client.post(
        reverse("scheduling:staff-calendar-caldav"),
        {"url": radicale.url + "/", "username": USER, "password": "nope"},
    )
    assert response.status_code == 400
    assert "refused" in response.content.decode()
    assert not ExternalCalendar.objects.exists()


def test_secrets_rotate_to_a_new_key(settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ATRIUM_CALENDAR_KEYS = [old]
    token = secrets.encrypt("s3cret")
    settings.ATRIUM_CALENDAR_KEYS = [new, old]
    assert secrets.decrypt(token) == "s3cret"
    rotated = secrets.rotate(token)
    settings.ATRIUM_CALENDAR_KEYS = [new]
    assert secrets.decrypt(rotated) == "s3cret"
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(token)


def _public_book(service: Any, start: dt.datetime) -> Any:
    return services.appointment_book(
        service=service,
        start_at=start,
        booker=services.BookerData(
            first_name="Ewa", last_name="Nowak", email="ewa@example.com", phone="", language="pl"
        ),
        time_zone="Europe/Warsaw",
        origin="public",
    )


def test_live_check_respects_an_event_added_since_the_last_sync(
    frozen, lawyers, intro, radicale, calendars
) -> None:
    intro.staff.set([lawyers[0]])
    calendar = _connect(lawyers[0], radicale, busy=["Work"])
    assert services.calendar_sync(calendar_id=calendar.pk)
    # when: an event appears in the lawyer's calendar a minute before the booking
    radicale.put_event(
        calendars["work"], "call", event("call", "20260602T080000Z", "20260602T083000Z")
    )
    # then: the booking is refused although the synced data still shows the time free
    with pytest.raises(services.SlotTaken):
        _public_book(intro, _utc(2026, 6, 2, 8))
    assert not Appointment.objects.exists()
    # and a time next to it is still bookable
    [appointment] = _public_book(intro, _utc(2026, 6, 2, 9))
    assert appointment.status == "booked"


def test_live_check_gives_up_after_two_seconds_and_uses_the_synced_data(
    frozen, lawyers, intro, radicale, calendars
) -> None:
    import time

    intro.staff.set([lawyers[0]])
    calendar = _connect(lawyers[0], radicale, busy=["Work"])
    assert services.calendar_sync(calendar_id=calendar.pk)
    radicale.slow_next["REPORT"] = 4.0
    began = time.monotonic()
    [appointment] = _public_book(intro, _utc(2026, 6, 2, 8))
    assert time.monotonic() - began < 3.5
    assert appointment.status == "booked"


def test_deploy_check_asks_for_calendar_keys_and_refuses_a_bad_one(settings) -> None:
    from scheduling import checks

    settings.ATRIUM_CALENDAR_KEYS = []
    assert [m.id for m in checks.calendar_keys_set()] == ["scheduling.W001"]
    settings.ATRIUM_CALENDAR_KEYS = ["not-a-key"]
    assert [m.id for m in checks.calendar_keys_valid()] == ["scheduling.E001"]
    settings.ATRIUM_CALENDAR_KEYS = [Fernet.generate_key().decode()]
    assert checks.calendar_keys_set() == [] and checks.calendar_keys_valid() == []


def test_the_password_never_goes_to_another_site(radicale, calendars) -> None:
    from scheduling import caldav

    client = caldav.Client(
        radicale.url + "/", username=USER, password=PASSWORD, private_hosts=frozenset({"127.0.0.1"})
    )
    before = len(radicale.methods)
    # an answer naming a calendar on another host, or a redirect there, is refused unsent
    other = radicale.url.replace("127.0.0.1", "localhost") + "/lawyer/work/"
    with pytest.raises(caldav.CalDAVError) as refused:
        client.changes(other)
    assert refused.value.code == "other_site"
    assert len(radicale.methods) == before
    secure = caldav.Client("https://caldav.icloud.com/", username="u", password="p")
    assert secure._same_site("https://p42-caldav.icloud.com/123/calendars/")
    assert not secure._same_site("http://caldav.icloud.com/")
    assert not secure._same_site("https://evil.example/")


def test_a_caldav_host_that_rebinds_to_loopback_is_reached_at_the_checked_address(
    monkeypatch: Any,
) -> None:
    from scheduling import caldav
    from tests.core.test_fetch import PUBLIC_IP, _fake_dns, _Server

    internal, public = _Server(b"INTERNAL SECRET"), _Server(b"public calendar")
    try:
        # given: the name answers a public address to the check and loopback afterwards
        lookups = _fake_dns(
            monkeypatch, {"dav.rebind.test": [PUBLIC_IP, "127.0.0.1"]}, {PUBLIC_IP: public.port}
        )
        client = caldav.Client(
            f"http://dav.rebind.test:{internal.port}/", username="u", password="secret"
        )
        # when
        response = client.request("GET", "calendars/")
        # then: the request went to the checked address (no second lookup by the HTTP
        # client), never to loopback; the name stayed in the Host header
        assert response.content == b"public calendar"
        assert internal.requests == []
        assert public.requests == [
            {"path": "/calendars/", "host": f"dav.rebind.test:{internal.port}"}
        ]
        assert lookups.count("dav.rebind.test") == 1
    finally:
        internal.close()
        public.close()


def test_appointments_booked_before_connecting_are_written_by_the_first_sync(
    frozen, lawyers, intro, radicale, calendars
) -> None:
    # given: an upcoming appointment, one in the past and a cancelled one, all booked
    # before the lawyer connected a calendar
    staff = lawyers[0]
    contact = factories.ContactFactory(last_name="Zyxwvut")
    upcoming = make_appointment(
        service=intro, staff=staff, contact=contact, start=_utc(2026, 6, 3, 8)
    )
    make_appointment(service=intro, staff=staff, contact=contact, start=_utc(2026, 5, 20, 8))
    make_appointment(
        service=intro,
        staff=staff,
        contact=contact,
        start=_utc(2026, 6, 4, 8),
        status=Appointment.Status.CANCELLED,
    )
    # when: the calendar is connected and read
    calendar = _connect(staff, radicale, busy=["Work"])
    assert services.calendar_sync(calendar_id=calendar.pk)
    # then: only the upcoming appointment is in the write calendar, once
    [(href, data)] = radicale.events(calendars["atrium"]).items()
    assert href.endswith(upcoming.uid.split("@")[0] + ".ics")
    assert "DTSTART:20260603T080000Z" in data
    # and the next sync writes nothing more
    radicale.methods.clear()
    assert services.calendar_sync(calendar_id=calendar.pk)
    assert "PUT" not in radicale.methods
