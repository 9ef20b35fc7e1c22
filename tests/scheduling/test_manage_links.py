"""Manage links, the .ics files, the staff feed, and who may see which appointment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import icalendar
import pytest
import time_machine
from django.urls import reverse

from portal import services as portal_services
from portal.models import Contact
from scheduling import selectors, services
from scheduling.models import Appointment
from tests.scheduling.helpers import make_service

pytestmark = pytest.mark.django_db
SLOT_UTC = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)


def _book(service, email="ada@example.com", start=SLOT_UTC):
    contact = Contact.objects.filter(email=email).first() or Contact.objects.create(
        first_name="Ada", last_name=email.split("@")[0], email=email
    )
    (appointment,) = services.appointment_book(
        service=service, start_at=start, contact=contact, time_zone="Europe/Warsaw"
    )
    return appointment


def test_manage_link_shows_only_its_own_booking(client, frozen, intro) -> None:
    mine = _book(intro, "ada@example.com")
    other = _book(intro, "zed@example.com", start=SLOT_UTC + dt.timedelta(hours=2))
    response = client.get(reverse("scheduling:booking-detail", args=[mine.manage_token]))
    assert response.status_code == 200
    assert selectors.booking_code(mine.pk).encode() in response.content
    assert str(other.pk).encode() not in response.content
    assert b"zed" not in response.content
    assert response["Cache-Control"] == "no-store"


def test_get_on_cancel_and_reschedule_links_changes_nothing(client, frozen, intro) -> None:
    appointment = _book(intro)
    for name in ("booking-cancel", "booking-reschedule", "booking-detail", "booking-ics"):
        assert (
            client.get(reverse(f"scheduling:{name}", args=[appointment.manage_token])).status_code
            == 200
        )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.sequence == 0


def test_links_expire_after_the_appointment(client, intro) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC), tick=False):
        appointment = _book(intro)
    with time_machine.travel(appointment.end_at + dt.timedelta(minutes=1), tick=False):
        for name in ("booking-cancel", "booking-reschedule", "booking-detail", "booking-ics"):
            url = reverse(f"scheduling:{name}", args=[appointment.manage_token])
            assert client.get(url).status_code == 404


def test_cancel_link_shows_the_fee_inside_the_deadline_then_cancels(
    client, frozen, lawyers
) -> None:
    paid = make_service(
        staff=lawyers,
        slug="paid",
        minutes=45,
        price=Decimal("300"),
        cancel_deadline_hours=48,
        cancel_fee=Decimal("100"),
    )
    appointment = _book(paid)
    url = reverse("scheduling:booking-cancel", args=[appointment.manage_token])
    page = client.get(url)
    assert b"100" in page.content and b"data-fee" in page.content
    response = client.post(url)
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancellation_fee == Decimal("100")
    # a used cancel link cannot act again: it says the appointment was cancelled
    assert client.post(url).status_code == 410


def test_reschedule_link_moves_the_booking_and_the_old_link_stops(client, frozen, intro) -> None:
    appointment = _book(intro)
    url = reverse("scheduling:booking-reschedule", args=[appointment.manage_token])
    response = client.post(url, {"start": "2026-06-02T11:00:00+02:00"})
    assert response.status_code == 302
    new = Appointment.objects.get(replaces=appointment)
    assert response["Location"].startswith(
        reverse("scheduling:booking-detail", args=[new.manage_token])
    )
    assert client.get(url).status_code == 410


def test_reschedule_link_refuses_a_time_outside_the_list(client, frozen, intro) -> None:
    appointment = _book(intro)
    url = reverse("scheduling:booking-reschedule", args=[appointment.manage_token])
    assert client.post(url, {"start": "2026-06-02T03:00:00+02:00"}).status_code == 400
    assert client.post(url, {"start": "garbage"}).status_code == 400
    assert client.post(url, {"start": "9999-12-31T23:59:00-12:00"}).status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_client_sees_own_appointments_on_the_portal_home_only(client, frozen, intro, world) -> None:
    mine = services.appointment_book(service=intro, start_at=SLOT_UTC, contact=world.contact_a)[0]
    theirs = services.appointment_book(
        service=intro, start_at=SLOT_UTC + dt.timedelta(hours=1), contact=world.contact_b
    )[0]
    client.force_login(world.client_a)
    page = client.get(reverse("portal:home"))
    assert mine.manage_token.encode() in page.content
    assert theirs.manage_token.encode() not in page.content


def test_client_cannot_open_staff_appointment_pages(client, frozen, intro, world) -> None:
    appointment = services.appointment_book(
        service=intro, start_at=SLOT_UTC, contact=world.contact_a
    )[0]
    client.force_login(world.client_a)
    url = reverse("scheduling:staff-appointment", args=[appointment.pk])
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------------------
# Calendar files
# ---------------------------------------------------------------------------
def _event(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    return cal, event


def test_ics_request_parses_back_field_by_field(client, frozen, lawyers, settings) -> None:
    video = make_service(
        staff=lawyers,
        slug="video",
        location_kind="video",
        location_detail="https://meet.example.com/room",
        name="Video call",
    )
    appointment = _book(video)
    response = client.get(reverse("scheduling:booking-ics", args=[appointment.manage_token]))
    assert response["Content-Type"].startswith("text/calendar")
    cal, event = _event(response.content)
    assert cal["METHOD"] == "REQUEST"
    assert cal["VERSION"] == "2.0"
    assert str(event["UID"]) == appointment.uid
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].dt == SLOT_UTC
    assert event["DTEND"].dt == SLOT_UTC + dt.timedelta(minutes=15)
    assert event["DTSTAMP"].dt.tzinfo is not None
    assert str(event["URL"]) == "https://meet.example.com/room"
    assert "Video call" in str(event["SUMMARY"])
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert event["ORGANIZER"].params["CN"] == "Test Firm"
    assert str(event["STATUS"]) == "CONFIRMED"
    links = selectors.appointment_manage_links(appointment=appointment)
    assert links["cancel"] in str(event["DESCRIPTION"])


def test_ics_after_reschedule_keeps_uid_and_raises_sequence(frozen, intro) -> None:
    appointment = _book(intro)
    new = services.appointment_reschedule(
        appointment=appointment, start_at=SLOT_UTC + dt.timedelta(hours=1)
    )
    _cal, event = _event(selectors.appointment_ics(appointments=[new], method="REQUEST"))
    assert str(event["UID"]) == appointment.uid
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == SLOT_UTC + dt.timedelta(hours=1)
    assert "LOCATION" in event and "Phone" in str(event["LOCATION"])


def test_ics_cancel_has_method_cancel_and_the_same_uid(frozen, intro) -> None:
    appointment = _book(intro)
    cancelled = services.appointment_cancel(appointment=appointment)
    cal, event = _event(selectors.appointment_ics(appointments=[cancelled], method="CANCEL"))
    assert cal["METHOD"] == "CANCEL"
    assert str(event["UID"]) == appointment.uid
    assert event["SEQUENCE"] == 1
    assert str(event["STATUS"]) == "CANCELLED"


def test_package_ics_has_one_event_per_appointment(frozen, lawyers) -> None:
    from scheduling.models import PackageStep

    a = make_service(staff=lawyers, slug="a", minutes=30)
    package = make_service(staff=lawyers, slug="pkg", minutes=30)
    PackageStep.objects.create(package=package, service=a, position=0, min_gap_days=0)
    PackageStep.objects.create(package=package, service=a, position=1, min_gap_days=1)
    contact = Contact.objects.create(first_name="A", last_name="B", email="a@example.com")
    booked = services.appointment_book(service=package, start_at=SLOT_UTC, contact=contact)
    cal = icalendar.Calendar.from_ical(
        selectors.appointment_ics(appointments=booked, method="REQUEST")
    )
    assert sorted(str(e["UID"]) for e in cal.walk("VEVENT")) == sorted(b.uid for b in booked)


def test_staff_feed_has_name_and_service_only_and_rotates(client, frozen, intro, lawyers) -> None:
    appointment = _book(intro)
    staff = appointment.staff
    old = portal_services.user_calendar_token_rotate(user=staff)
    response = client.get(reverse("scheduling:staff-feed", args=[old]))
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.content)
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == f"Intro call: {appointment.contact.full_name}"
    assert b"ada@example.com" not in response.content
    assert "DESCRIPTION" not in event and "ATTENDEE" not in event
    new = portal_services.user_calendar_token_rotate(user=staff)
    assert client.get(reverse("scheduling:staff-feed", args=[old])).status_code == 404
    assert client.get(reverse("scheduling:staff-feed", args=[new])).status_code == 200
