"""Booking, rescheduling and cancelling through the pages, the API and the services."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from portal.models import Contact
from scheduling import selectors, services
from scheduling.models import Appointment, BookingInvitation, PackageStep
from tests.scheduling.helpers import make_service

pytestmark = pytest.mark.django_db

# Tuesday 2026-06-02 09:00 Warsaw = 07:00 UTC
SLOT = "2026-06-02T09:00:00+02:00"
SLOT_UTC = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)


def _post(client: Any, **overrides: Any) -> Any:
    data = {
        "service": "intro-call",
        "start": SLOT,
        "first_name": "Ada",
        "last_name": "Nowak",
        "email": "ada@example.com",
        "phone": "+48601234567",
        "time_zone": "Europe/Warsaw",
    }
    data.update(overrides)
    return client.post(
        reverse("scheduling:api-bookings"), data=json.dumps(data), content_type="application/json"
    )


def test_prospect_books_through_the_api_and_gets_manage_links(client, frozen, intro) -> None:
    # when
    response = _post(client)
    # then
    assert response.status_code == 201
    body = response.json()
    appointment = Appointment.objects.get(pk=body["reference"])
    assert appointment.start_at == SLOT_UTC
    assert appointment.contact.kind == Contact.Kind.PROSPECT
    assert appointment.contact.email == "ada@example.com"
    assert str(appointment.contact.phone) == "+48601234567"
    assert appointment.blocked_end == SLOT_UTC + dt.timedelta(minutes=20)
    assert body["links"]["cancel"].endswith(f"/manage/{appointment.manage_token}/cancel/")
    assert body["links"]["reschedule"].startswith("http")
    # one confirmation was queued, and the booking was audited
    assert Notification.objects.filter(event="booked").count() == 1
    assert AuditEvent.objects.filter(
        action="appointment.booked", object_id=str(appointment.pk)
    ).exists()


def test_second_booking_of_the_same_slot_and_lawyer_gets_409(
    client, frozen, intro, lawyers
) -> None:
    first = _post(client, staff=str(lawyers[0].pk))
    assert first.status_code == 201
    # when
    second = _post(client, staff=str(lawyers[0].pk), email="bob@example.com")
    # then
    assert second.status_code == 409
    assert "just taken" in json.dumps(second.json())
    assert not Contact.objects.filter(email="bob@example.com").exists()


def test_any_lawyer_spreads_bookings_across_the_staff(client, frozen, intro, lawyers) -> None:
    a = _post(client, email="a@example.com")
    b = _post(client, email="b@example.com")
    c = _post(client, email="c@example.com")
    assert (a.status_code, b.status_code, c.status_code) == (201, 201, 409)
    staff = {Appointment.objects.get(pk=r.json()["reference"]).staff_id for r in (a, b)}
    assert staff == {lawyers[0].pk, lawyers[1].pk}


def test_existing_contact_is_matched_by_email(client, frozen, intro) -> None:
    contact = Contact.objects.create(first_name="Ada", last_name="N", email="ada@example.com")
    assert _post(client, email="ADA@example.com").status_code == 201
    assert Appointment.objects.get().contact == contact


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service": "no-such-service"}, "service"),
        ({"start": "2026-05-01T09:00:00+02:00"}, "start"),
        ({"start": "9999-06-02T09:00:00+02:00"}, "start"),
        ({"start": "9999-12-31T23:45:00-12:00"}, "start"),
        ({"start": "0001-01-01T00:00:00+14:00"}, "start"),
        ({"start": "2026-06-02T09:07:00+02:00"}, "start"),
        ({"start": "2026-06-02T21:00:00+02:00"}, "start"),
        ({"start": "not a date"}, "start"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"duration": "60"}, "duration"),
        ({"staff": "999999"}, "staff"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"first_name": "<script>"}, "first_name"),
    ],
)
def test_bad_booking_input_is_a_400_and_stores_nothing(
    client, frozen, intro, overrides, field
) -> None:
    # when
    response = _post(client, **overrides)
    # then
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Appointment.objects.count() == 0
    assert Contact.objects.count() == 0


def test_bad_json_is_a_400(client, frozen, intro) -> None:
    response = client.post(
        reverse("scheduling:api-bookings"), data="{nope", content_type="application/json"
    )
    assert response.status_code == 400


def test_bookings_are_rate_limited_per_address(client, frozen, intro, settings) -> None:
    settings.ATRIUM_BOOKING_RATE_LIMIT = 2
    codes = [
        _post(client, email=f"x{i}@example.com", start=f"2026-06-03T1{i}:00:00+02:00").status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Appointment.objects.count() == 2


def test_error_messages_follow_the_language(client, frozen, intro) -> None:
    response = client.post(
        reverse("scheduling:api-bookings"),
        data={"service": "intro-call"},
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    assert response.status_code == 400


def test_client_only_service_is_not_bookable_anonymously(client, frozen, lawyers) -> None:
    make_service(staff=lawyers, slug="review", audience="clients")
    assert client.get(reverse("scheduling:book-service", args=["review"])).status_code == 404
    assert _post(client, service="review").status_code == 400


def test_signed_in_client_can_book_a_client_only_service(client, frozen, lawyers, world) -> None:
    service = make_service(staff=lawyers, slug="review", audience="clients")
    client.force_login(world.client_a)
    url = reverse("scheduling:book-service", args=["review"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "start": SLOT,
            "time_zone": "Europe/Warsaw",
            "first_name": "A",
            "last_name": "B",
            "email": "whatever@example.com",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get(service=service)
    assert appointment.contact == world.contact_a


def test_invited_only_service_needs_the_invitation(client, frozen, lawyers) -> None:
    service = make_service(staff=lawyers, slug="vip", audience="invited")
    url = reverse("scheduling:book-service", args=["vip"])
    assert client.get(url).status_code == 404
    contact = Contact.objects.create(first_name="V", last_name="P", email="v@example.com")
    token = "personal-token-0123456789"
    BookingInvitation.objects.create(
        service=service,
        contact=contact,
        email=contact.email,
        token_hash=selectors.invitation_token_hash(token),
        expires_at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC),
    )
    assert client.get(url, {"invite": token}).status_code == 200
    assert _post(client, service="vip", invite=token).status_code == 201
    # personal and single-use (tests/scheduling/test_booking_invitations.py has the rest)
    assert _post(client, service="vip", invite=token, start=SLOT).status_code == 410


def test_booking_page_flow_redirects_to_the_confirmation(client, frozen, intro) -> None:
    url = reverse("scheduling:book-service", args=["intro-call"])
    page = client.get(url, {"date": "2026-06-02", "tz": "Europe/Warsaw"})
    assert page.status_code == 200
    assert b"09:00" in page.content
    response = client.post(
        url + "?tz=Europe/Warsaw",
        {
            "start": SLOT,
            "time_zone": "Europe/Warsaw",
            "first_name": "Ada",
            "last_name": "Nowak",
            "email": "ada@example.com",
            "phone": "+48601234567",
        },
    )
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert b"09:00" in detail.content


def test_booking_page_shows_errors_without_storing(client, frozen, intro) -> None:
    url = reverse("scheduling:book-service", args=["intro-call"])
    response = client.post(
        url, {"start": SLOT, "first_name": "Ada", "last_name": "N", "email": "nope"}
    )
    assert response.status_code == 400
    assert Appointment.objects.count() == 0


def test_reschedule_keeps_uid_raises_sequence_and_links_history(frozen, intro) -> None:
    contact = Contact.objects.create(first_name="A", last_name="B", email="a@example.com")
    (old,) = services.appointment_book(service=intro, start_at=SLOT_UTC, contact=contact)
    # when
    new = services.appointment_reschedule(
        appointment=old, start_at=SLOT_UTC + dt.timedelta(minutes=15)
    )
    # then
    old.refresh_from_db()
    assert old.status == Appointment.Status.RESCHEDULED
    assert new.replaces == old
    assert new.uid == old.uid
    assert new.sequence == old.sequence + 1
    assert new.manage_token != old.manage_token
    assert selectors.appointment_history(appointment=new) == [old]
    assert Notification.objects.filter(event="rescheduled").count() == 1


def test_reschedule_to_a_taken_time_changes_nothing(frozen, intro, lawyers) -> None:
    contact = Contact.objects.create(first_name="A", last_name="B", email="a@example.com")
    (first,) = services.appointment_book(
        service=intro, start_at=SLOT_UTC, contact=contact, staff=lawyers[0]
    )
    later = SLOT_UTC + dt.timedelta(hours=1)
    services.appointment_book(service=intro, start_at=later, contact=contact, staff=lawyers[0])
    with pytest.raises(services.SlotTaken):
        services.appointment_reschedule(appointment=first, start_at=later)
    first.refresh_from_db()
    assert first.status == Appointment.Status.BOOKED
    assert Appointment.objects.count() == 2


def test_late_cancellation_charges_the_fee_and_raises_sequence(frozen, lawyers) -> None:
    service = make_service(
        staff=lawyers,
        slug="paid",
        minutes=45,
        price=Decimal("300"),
        cancel_deadline_hours=48,
        cancel_fee=Decimal("100"),
    )
    contact = Contact.objects.create(first_name="A", last_name="B", email="a@example.com")
    (appointment,) = services.appointment_book(service=service, start_at=SLOT_UTC, contact=contact)
    assert services.cancellation_fee(appointment=appointment) == Decimal("100")
    cancelled = services.appointment_cancel(appointment=appointment)
    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.cancellation_fee == Decimal("100")
    assert cancelled.sequence == 1
    # the slot is free again
    assert services.appointment_book(
        service=service, start_at=SLOT_UTC, contact=contact, staff=appointment.staff
    )


def test_no_show_is_marked_by_staff_and_notified(frozen, intro, lawyers) -> None:
    contact = Contact.objects.create(first_name="A", last_name="B", email="a@example.com")
    (appointment,) = services.appointment_book(service=intro, start_at=SLOT_UTC, contact=contact)
    frozen.move_to(SLOT_UTC + dt.timedelta(minutes=30))
    services.appointment_mark(appointment=appointment, status="no_show", actor=lawyers[0])
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW
    assert Notification.objects.filter(event="no_show").count() == 1
    link = selectors.appointment_rebook_link(appointment=appointment)
    assert link.endswith("/book/intro-call/")


def test_package_books_every_step_with_gaps_and_one_confirmation(frozen, lawyers) -> None:
    consult = make_service(staff=lawyers, slug="consult", minutes=45)
    review = make_service(staff=lawyers, slug="review", minutes=30)
    package = make_service(staff=lawyers, slug="estate-package", minutes=45)
    PackageStep.objects.create(package=package, service=consult, position=0, min_gap_days=0)
    PackageStep.objects.create(package=package, service=review, position=1, min_gap_days=7)
    PackageStep.objects.create(package=package, service=consult, position=2, min_gap_days=2)
    contact = Contact.objects.create(first_name="A", last_name="B", email="a@example.com")
    # when
    booked = services.appointment_book(service=package, start_at=SLOT_UTC, contact=contact)
    # then
    assert [a.service.slug for a in booked] == ["consult", "review", "consult"]
    assert len({a.booking_group for a in booked}) == 1
    assert len({a.staff_id for a in booked}) == 1
    # gaps are calendar days: a week later at the same time, then two days after that
    assert (booked[1].start_at.date() - booked[0].end_at.date()).days >= 7
    assert (booked[2].start_at.date() - booked[1].end_at.date()).days >= 2
    assert Notification.objects.filter(event="booked").count() == 1


def test_monthly_check_ins_are_reschedulable_one_by_one(frozen, intro, lawyers, world) -> None:
    booked = services.recurring_book(
        service=intro,
        staff=lawyers[0],
        contact=world.contact_a,
        matter=world.matter_a,
        first_start=SLOT_UTC,
        count=3,
        actor=lawyers[0],
    )
    assert len(booked) == 3
    assert len({a.series for a in booked}) == 1
    assert [a.start_at.astimezone(dt.UTC).month for a in booked] == [6, 7, 8]
    moved = services.appointment_reschedule(
        appointment=booked[1], start_at=booked[1].start_at + dt.timedelta(hours=1)
    )
    assert moved.series == booked[0].series
    assert Appointment.objects.filter(series=booked[0].series, status="booked").count() == 3


def test_staff_booking_overlapping_is_refused_on_every_database(frozen, intro, lawyers) -> None:
    contact = Contact.objects.create(first_name="A", last_name="B", email="a@example.com")
    services.appointment_book(service=intro, start_at=SLOT_UTC, contact=contact, staff=lawyers[0])
    with pytest.raises(services.SlotTaken):
        services.recurring_book(
            service=intro,
            staff=lawyers[0],
            contact=contact,
            matter=None,
            first_start=SLOT_UTC + dt.timedelta(minutes=10),
            count=1,
            actor=lawyers[0],
            expected=[SLOT_UTC + dt.timedelta(minutes=10)],
        )
    assert Appointment.objects.count() == 1


def test_extra_fields_in_a_booking_are_ignored(client, frozen, intro, world) -> None:
    response = _post(
        client,
        status="attended",
        contact=str(world.contact_a.pk),
        matter=str(world.matter_a.pk),
        sequence="9",
        manage_token="mine",
        cancellation_fee="0",
        replaces=str(world.contact_a.pk),
    )
    assert response.status_code == 201
    appointment = Appointment.objects.get()
    assert appointment.status == "booked"
    assert appointment.contact != world.contact_a
    assert appointment.matter is None
    assert appointment.sequence == 0
    assert appointment.manage_token != "mine"


def test_a_public_booking_never_changes_an_existing_contact(client, frozen, intro) -> None:
    # given: a client's contact without a phone number
    contact = Contact.objects.create(first_name="Ewa", last_name="K", email="ewa@example.com")
    # when: someone books through the API with her address, another name and a phone
    response = _post(client, email="EWA@example.com", first_name="Eve", phone="+48601234567")
    # then: the booking is made, her record is exactly as it was
    assert response.status_code == 201
    fresh = Contact.objects.get(pk=contact.pk)
    assert (fresh.first_name, fresh.email, str(fresh.phone)) == ("Ewa", "ewa@example.com", "")
