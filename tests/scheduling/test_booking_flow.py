"""The booking flow: registered steps hold a booking, the last one confirms it, lapsed holds
give their time back (scheduling.booking_flow and the hold services)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.urls import reverse

from audit.models import AuditEvent
from core.errors import ServiceError
from core.links import absolute_url
from notifications.models import Notification
from portal import services as portal_services
from scheduling import booking_flow, selectors, services, tasks
from scheduling.events import (
    AppointmentBooked,
    AppointmentHeld,
    AppointmentHoldExpired,
    AppointmentHoldReleased,
)
from scheduling.models import Appointment, PackageStep, Reminder
from tests.scheduling.conftest import NOW
from tests.scheduling.flow_steps import FORM_STEP, PAY_STEP, published, registered
from tests.scheduling.helpers import make_service

pytestmark = pytest.mark.django_db

# Tuesday 2026-06-02 09:00 Warsaw = 07:00 UTC
SLOT_UTC = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)
ALL_EVENTS = (AppointmentBooked, AppointmentHeld, AppointmentHoldExpired, AppointmentHoldReleased)


@pytest.fixture
def solo(lawyers: list[Any]) -> Any:
    """A service only one lawyer offers, so a second booker cannot be given another one."""
    service = make_service(staff=[lawyers[0]], slug="solo-call", minutes=30, hold_minutes=10)
    return type(service).objects.prefetch_related("staff", "steps").get(pk=service.pk)


@pytest.fixture
def form_step() -> Any:
    with registered(FORM_STEP):
        yield FORM_STEP


@pytest.fixture
def two_steps() -> Any:
    with registered(PAY_STEP, FORM_STEP):  # registered out of order on purpose
        yield (FORM_STEP, PAY_STEP)


def _book(service: Any, n: int = 1, **extra: Any) -> services.BookedAppointments:
    return services.appointment_book(
        service=service,
        start_at=extra.pop("start_at", SLOT_UTC),
        booker=services.BookerData(
            first_name="Ada", last_name=f"Nowak{n}", email=f"ada{n}@example.com"
        ),
        time_zone="Europe/Warsaw",
        **extra,
    )


def _statuses() -> list[str]:
    return list(
        Appointment.objects.order_by("created_at", "start_at").values_list("status", flat=True)
    )


# -- without steps, nothing changes ----------------------------------------------------------


def test_without_a_registered_step_a_booking_is_confirmed_as_before(
    frozen: Any, solo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Intake registers its form step, which applies only to services tied to a form, and
    # billing its payment step, only for services paid when booking.
    assert [step.key for step in booking_flow.registered_steps()] == ["intake", "payment"]
    with published(*ALL_EVENTS) as seen, django_capture_on_commit_callbacks(execute=True):
        booked = _book(solo)

    appointment = booked[0]
    assert appointment.status == Appointment.Status.BOOKED
    assert booked.next_url is None and not booked.held
    assert appointment.hold_expires_at is None and appointment.pending_steps == []
    assert appointment.origin == "public"
    assert Notification.objects.filter(event="booked").count() == 1
    assert Reminder.objects.filter(appointment=appointment).count() == 2  # 24 h and 2 h email
    assert [type(e) for e in seen] == [AppointmentBooked]


def test_a_step_that_does_not_apply_leaves_the_booking_confirmed(
    frozen: Any, solo: Any, form_step: Any, lawyers: list[Any], world: Any
) -> None:
    # staff bookings pass their origin, and this step does not apply to them
    booked = services.appointment_book(
        service=solo,
        start_at=SLOT_UTC,
        staff=lawyers[0],
        contact=world.contact_a,
        actor=lawyers[0],
        origin="staff",
    )
    assert booked[0].status == Appointment.Status.BOOKED
    assert booked[0].origin == "staff"
    assert booked.next_url is None


# -- a step holds the booking -----------------------------------------------------------------


def test_a_step_holds_the_booking_without_confirmation_or_reminders(
    frozen: Any, solo: Any, form_step: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # when
    with published(*ALL_EVENTS) as seen, django_capture_on_commit_callbacks(execute=True):
        booked = _book(solo)

    # then
    held = Appointment.objects.get()
    assert held.status == Appointment.Status.HELD
    assert booked.held
    assert held.hold_started_at == NOW
    assert held.hold_expires_at == NOW + dt.timedelta(minutes=10)
    assert held.pending_steps == ["test-form"] and held.done_steps == []
    assert booked.next_url == f"/manage/{held.manage_token}/?step=test-form"
    assert Notification.objects.count() == 0
    assert Reminder.objects.count() == 0
    assert seen == [
        AppointmentHeld(
            booking_ref=str(held.pk),
            appointment_ids=(held.pk,),
            contact_id=held.contact_id,
            service_ids=(solo.pk,),
        )
    ]
    assert AuditEvent.objects.filter(action="appointment.held", object_id=str(held.pk)).exists()
    assert not AuditEvent.objects.filter(action="appointment.booked").exists()


def test_a_held_time_is_blocked_for_another_booker(frozen: Any, solo: Any, form_step: Any) -> None:
    # given
    _book(solo, 1)

    # then the time is not offered, and booking it anyway is refused as taken
    slots = selectors.slots_list(
        service=solo, start=SLOT_UTC - dt.timedelta(hours=1), end=SLOT_UTC + dt.timedelta(hours=1)
    )
    assert SLOT_UTC not in [s.start for s in slots]
    with pytest.raises(services.SlotTaken):
        _book(solo, 2)
    assert _statuses() == ["held"]


def test_the_api_returns_next_url_for_a_held_booking_and_the_page_follows_it(
    client: Any, frozen: Any, solo: Any, form_step: Any
) -> None:
    payload = {
        "service": "solo-call",
        "start": "2026-06-02T09:00:00+02:00",
        "first_name": "Ada",
        "last_name": "Nowak",
        "email": "ada@example.com",
        "time_zone": "Europe/Warsaw",
    }
    # through the JSON API
    response = client.post(
        reverse("scheduling:api-bookings"), json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    held = Appointment.objects.get(pk=body["reference"])
    assert body["status"] == "held"
    assert body["next_url"] == absolute_url(f"/manage/{held.manage_token}/?step=test-form")
    assert body["hold_expires_at"] == (NOW + dt.timedelta(minutes=10)).isoformat()

    # through the booking page (another time), which sends the booker to the first step
    response = client.post(
        reverse("scheduling:book-service", kwargs={"slug": "solo-call"}),
        {**payload, "start": "2026-06-02T11:00:00+02:00", "email": "bo@example.com"},
    )
    second = Appointment.objects.get(contact__email="bo@example.com")
    assert second.status == "held"
    assert response.status_code == 302
    assert response["Location"] == f"/manage/{second.manage_token}/?step=test-form"


def test_without_steps_the_api_says_booked_and_no_next_url(
    client: Any, frozen: Any, solo: Any
) -> None:
    response = client.post(
        reverse("scheduling:api-bookings"),
        json.dumps(
            {
                "service": "solo-call",
                "start": "2026-06-02T09:00:00+02:00",
                "first_name": "Ada",
                "last_name": "Nowak",
                "email": "ada@example.com",
                "time_zone": "Europe/Warsaw",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "booked"
    assert response.json()["next_url"] is None


# -- completing the steps ---------------------------------------------------------------------


def test_each_step_leads_to_the_next_and_the_last_confirms_once(
    frozen: Any, solo: Any, two_steps: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    booked = _book(solo)
    token = booked[0].manage_token
    assert booked.next_url.endswith("?step=test-form")  # order 10 runs before order 20

    with published(*ALL_EVENTS) as seen, django_capture_on_commit_callbacks(execute=True):
        # when the first step is done
        url = services.booking_step_complete(token=token, step_key="test-form")
        # then the booker goes to the next one; the time is still only held
        assert url.endswith("?step=test-pay")
        assert _statuses() == ["held"]
        assert Notification.objects.count() == 0

        # when the last step is done (twice: a payment webhook may arrive again)
        done = services.booking_step_complete(token=token, step_key="test-pay")
        again = services.booking_step_complete(token=token, step_key="test-pay")

    # then the booking is confirmed once, with its reminders
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.pending_steps == []
    assert appointment.done_steps == ["test-form", "test-pay"]
    assert done == again == absolute_url(f"/manage/{token}/")
    assert Notification.objects.filter(event="booked").count() == 1
    assert Reminder.objects.filter(appointment=appointment).count() == 2
    assert seen == [
        AppointmentBooked(
            appointment_ids=(appointment.pk,),
            service_id=solo.pk,
            contact_id=appointment.contact_id,
            matter_id=None,
            booked_by_id=None,
        )
    ]
    assert AuditEvent.objects.filter(action="appointment.booked").count() == 1
    assert AuditEvent.objects.filter(action="appointment.step_done").count() == 1


def test_a_step_not_part_of_the_booking_is_refused(frozen: Any, solo: Any, form_step: Any) -> None:
    booked = _book(solo)
    with pytest.raises(ServiceError):
        services.booking_step_complete(token=booked[0].manage_token, step_key="payment")
    assert _statuses() == ["held"]


def test_a_held_booking_past_its_time_can_still_be_finished_until_swept(
    frozen: Any, solo: Any, form_step: Any
) -> None:
    booked = _book(solo)
    frozen.shift(dt.timedelta(minutes=12))

    services.booking_step_complete(token=booked[0].manage_token, step_key="test-form")

    assert _statuses() == ["booked"]


def test_finishing_a_step_of_an_expired_hold_raises_hold_lapsed(
    frozen: Any, solo: Any, form_step: Any
) -> None:
    booked = _book(solo)
    frozen.shift(dt.timedelta(minutes=11))
    assert services.booking_holds_expire() == 1

    with pytest.raises(services.HoldLapsed):
        services.booking_step_complete(token=booked[0].manage_token, step_key="test-form")
    assert _statuses() == ["expired"]
    assert Notification.objects.count() == 0


def test_finishing_a_step_of_a_released_hold_raises_hold_lapsed(
    frozen: Any, solo: Any, form_step: Any
) -> None:
    booked = _book(solo)
    services.booking_hold_release(token=booked[0].manage_token, reason="conflict")

    with pytest.raises(services.HoldLapsed):
        services.booking_step_complete(token=booked[0].manage_token, step_key="test-form")


# -- expiry ------------------------------------------------------------------------------------


def test_the_sweep_expires_a_lapsed_hold_and_publishes_once_when_run_twice(
    frozen: Any, solo: Any, form_step: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a hold, and a sweep before its time
    booked = _book(solo)
    assert services.booking_holds_expire() == 0
    frozen.shift(dt.timedelta(minutes=10))

    # when the sweep runs twice (two beat ticks, or beat and the command)
    with published(*ALL_EVENTS) as seen, django_capture_on_commit_callbacks(execute=True):
        first = services.booking_holds_expire()
        second = services.booking_holds_expire()

    # then
    assert (first, second) == (1, 0)
    assert _statuses() == ["expired"]
    assert seen == [
        AppointmentHoldExpired(
            booking_ref=booked[0].booking_ref,
            appointment_ids=(booked[0].pk,),
            contact_id=booked[0].contact_id,
            service_ids=(solo.pk,),
        )
    ]
    assert AuditEvent.objects.filter(action="appointment.hold_expired").count() == 1


def test_the_beat_task_and_the_command_run_the_sweep(
    frozen: Any, solo: Any, form_step: Any
) -> None:
    _book(solo, 1)
    _book(solo, 2, start_at=SLOT_UTC + dt.timedelta(hours=2))
    frozen.shift(dt.timedelta(minutes=11))

    tasks.booking_holds_expire()
    assert _statuses() == ["expired", "expired"]
    _book(solo, 3, start_at=SLOT_UTC + dt.timedelta(hours=4))
    frozen.shift(dt.timedelta(minutes=11))
    out = StringIO()
    call_command("expire_holds", stdout=out)
    assert _statuses() == ["expired", "expired", "expired"]
    assert out.getvalue().strip() == "expired=1"


def test_the_command_takes_a_now_and_refuses_a_naive_one(
    frozen: Any, solo: Any, form_step: Any
) -> None:
    _book(solo)
    out = StringIO()
    call_command("expire_holds", "--now", "2026-06-01T08:11:00+00:00", stdout=out)
    assert out.getvalue().strip() == "expired=1"
    with pytest.raises(CommandError, match="UTC offset"):
        call_command("expire_holds", "--now", "2026-06-01T08:11:00")


def test_a_lapsed_hold_does_not_block_the_next_booker_even_when_the_sweep_is_late(
    frozen: Any, solo: Any, form_step: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a hold whose time is up, and no sweep yet
    first = _book(solo, 1)
    frozen.shift(dt.timedelta(minutes=11))
    slots = selectors.slots_list(
        service=solo, start=SLOT_UTC - dt.timedelta(hours=1), end=SLOT_UTC + dt.timedelta(hours=1)
    )
    assert SLOT_UTC in [s.start for s in slots]  # offered again at once

    # when someone else books the same time
    with (
        published(AppointmentHoldExpired) as seen,
        django_capture_on_commit_callbacks(execute=True),
    ):
        second = _book(solo, 2)

    # then the old hold expired inside that booking, and the new one holds the time
    assert Appointment.objects.get(pk=first[0].pk).status == "expired"
    assert second[0].status == "held"
    assert [e.appointment_ids for e in seen] == [(first[0].pk,)]
    with pytest.raises(services.HoldLapsed):
        services.booking_step_complete(token=first[0].manage_token, step_key="test-form")


# -- extend and release -----------------------------------------------------------------------


def test_a_hold_is_extended_but_never_beyond_sixty_minutes_from_its_start(
    frozen: Any, solo: Any, form_step: Any
) -> None:
    token = _book(solo)[0].manage_token

    assert services.booking_hold_extend(token=token, minutes=20) == NOW + dt.timedelta(minutes=30)
    assert services.booking_hold_extend(token=token, minutes=20) == NOW + dt.timedelta(minutes=50)
    assert services.booking_hold_extend(token=token, minutes=20) == NOW + dt.timedelta(minutes=60)
    frozen.shift(dt.timedelta(minutes=55))
    assert services.booking_hold_extend(token=token, minutes=30) == NOW + dt.timedelta(minutes=60)
    assert Appointment.objects.get().hold_expires_at == NOW + dt.timedelta(minutes=60)
    with pytest.raises(ServiceError):
        services.booking_hold_extend(token=token, minutes=0)


def test_an_expired_hold_cannot_be_extended(frozen: Any, solo: Any, form_step: Any) -> None:
    token = _book(solo)[0].manage_token
    frozen.shift(dt.timedelta(minutes=11))
    services.booking_holds_expire()
    with pytest.raises(services.HoldLapsed):
        services.booking_hold_extend(token=token, minutes=20)


def test_releasing_a_hold_frees_the_slot_and_sends_nothing(
    frozen: Any, solo: Any, form_step: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    first = _book(solo, 1)

    # when
    with published(*ALL_EVENTS) as seen, django_capture_on_commit_callbacks(execute=True):
        assert services.booking_hold_release(token=first[0].manage_token, reason="conflict")
        assert not services.booking_hold_release(token=first[0].manage_token, reason="again")

    # then
    assert Appointment.objects.get(pk=first[0].pk).status == "cancelled"
    assert seen == [
        AppointmentHoldReleased(
            booking_ref=first[0].booking_ref,
            appointment_ids=(first[0].pk,),
            contact_id=first[0].contact_id,
            service_ids=(solo.pk,),
            reason="conflict",
        )
    ]
    assert Notification.objects.count() == 0
    second = _book(solo, 2)
    assert second[0].start_at == SLOT_UTC


def test_a_confirmed_booking_cannot_be_released(frozen: Any, solo: Any, form_step: Any) -> None:
    token = _book(solo)[0].manage_token
    services.booking_step_complete(token=token, step_key="test-form")
    with pytest.raises(ServiceError):
        services.booking_hold_release(token=token, reason="too late")
    assert _statuses() == ["booked"]


def test_the_selector_returns_the_booking_with_its_steps(
    frozen: Any, solo: Any, two_steps: Any
) -> None:
    token = _book(solo)[0].manage_token
    services.booking_step_complete(token=token, step_key="test-form")

    booking = selectors.booking_get_by_token(token=token)

    assert booking.is_held and not booking.is_lapsed
    assert booking.pending_steps == ("test-pay",) and booking.done_steps == ("test-form",)
    assert booking.hold_expires_at == NOW + dt.timedelta(minutes=10)
    assert [s.key for s in booking.remaining_steps()] == ["test-pay"]
    assert booking.next_url.endswith("?step=test-pay")
    assert booking.context.origin == "public" and booking.context.token == token
    with pytest.raises(Http404):
        selectors.booking_get_by_token(token="no-such-token")


# -- packages ---------------------------------------------------------------------------------


@pytest.fixture
def package(lawyers: list[Any]) -> Any:
    first = make_service(staff=[lawyers[0]], slug="consult", minutes=45)
    review = make_service(staff=[lawyers[0]], slug="review", minutes=30)
    package = make_service(staff=[lawyers[0]], slug="estate", minutes=45, hold_minutes=15)
    PackageStep.objects.create(package=package, service=first, position=0, min_gap_days=0)
    PackageStep.objects.create(package=package, service=review, position=1, min_gap_days=2)
    return (
        type(package).objects.prefetch_related("staff", "steps__service__staff").get(pk=package.pk)
    )


def test_a_package_holds_every_appointment_and_confirms_them_together(
    frozen: Any, package: Any, form_step: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # when
    with published(*ALL_EVENTS) as seen, django_capture_on_commit_callbacks(execute=True):
        booked = _book(package)
    # then every appointment is held, under one booking
    assert len(booked) == 2
    rows = list(Appointment.objects.order_by("start_at"))
    assert {a.status for a in rows} == {"held"}
    assert len({a.booking_group for a in rows}) == 1 and rows[0].booking_group is not None
    assert {a.hold_expires_at for a in rows} == {NOW + dt.timedelta(minutes=15)}
    assert [type(e) for e in seen] == [AppointmentHeld]
    assert seen[0].booking_ref == str(rows[0].booking_group)
    assert seen[0].appointment_ids == tuple(a.pk for a in rows)
    assert Notification.objects.count() == 0 and Reminder.objects.count() == 0

    # when the step is done through the second appointment's link
    with published(*ALL_EVENTS) as seen, django_capture_on_commit_callbacks(execute=True):
        services.booking_step_complete(token=rows[1].manage_token, step_key="test-form")

    # then both are booked, with one confirmation and the reminders of each
    assert set(Appointment.objects.values_list("status", flat=True)) == {"booked"}
    assert Notification.objects.filter(event="booked").count() == 1
    for appointment in rows:
        assert Reminder.objects.filter(appointment=appointment).count() == 2
    assert [type(e) for e in seen] == [AppointmentBooked]
    assert seen[0].appointment_ids == tuple(a.pk for a in rows)


def test_a_lapsed_package_expires_as_a_whole(frozen: Any, package: Any, form_step: Any) -> None:
    booked = _book(package)
    frozen.shift(dt.timedelta(minutes=16))
    assert services.booking_holds_expire() == 1
    assert set(Appointment.objects.values_list("status", flat=True)) == {"expired"}
    with pytest.raises(services.HoldLapsed):
        services.booking_step_complete(token=booked[0].manage_token, step_key="test-form")


# -- where held rows do not appear ------------------------------------------------------------


def test_held_rows_stay_out_of_the_staff_feed_and_client_lists(
    client: Any, frozen: Any, solo: Any, form_step: Any, lawyers: list[Any], world: Any
) -> None:
    lawyer = lawyers[0]
    portal_services.user_calendar_token_rotate(user=lawyer, meta=None)
    lawyer.refresh_from_db()
    services.appointment_book(
        service=solo, start_at=SLOT_UTC, contact=world.contact_a, origin="portal"
    )
    feed = client.get(reverse("scheduling:staff-feed", kwargs={"token": lawyer.calendar_token}))
    assert feed.status_code == 200
    assert b"VEVENT" not in feed.content
    assert selectors.appointments_for_client(user=world.client_a) == ([], [])
