"""Domain events (core.events): who listens to what, and how handlers run."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import logging
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from core import events
from scheduling.events import AppointmentCancelled
from scheduling.services import appointment_cancel
from tests.scheduling.helpers import make_appointment, make_service

# Every event an app declares, with the handlers other apps subscribe to it. A new event or
# handler adds its line here, so this file is where a reader finds who reacts to what.
EXPECTED = {
    "billing.events.InvoicePaid": ["intake.services.retain.on_invoice_paid"],
    "portal.events.ContactNamesChanged": ["intake.services.conflicts.on_contact_names_changed"],
    "portal.events.MatterPartiesChanged": ["intake.services.conflicts.on_matter_parties_changed"],
    "portal.events.MatterStageChanged": ["insights.services.feedback.on_matter_stage_changed"],
    "scheduling.events.AppointmentBooked": [
        "scheduling.handlers.staff_hear_of_booking",
        "scheduling.handlers.appointments_to_calendars",
        "intake.services.booking.lead_form_after_booking",
        "intake.services.pipeline.lead_on_booked",
    ],
    "scheduling.events.AppointmentCancelled": [
        "scheduling.handlers.staff_hear_of_cancellation",
        "scheduling.handlers.appointments_to_calendars",
        "billing.services.bookings.on_appointment_cancelled",
        "intake.services.pipeline.lead_on_cancelled",
    ],
    "scheduling.events.AppointmentHeld": [],
    "scheduling.events.AppointmentHoldExpired": ["billing.services.bookings.on_hold_expired"],
    "scheduling.events.AppointmentHoldReleased": ["billing.services.bookings.on_hold_released"],
    "scheduling.events.AppointmentMarked": [
        "intake.services.pipeline.lead_on_marked",
        "insights.services.feedback.on_appointment_marked",
    ],
    "scheduling.events.AppointmentRescheduled": [
        "scheduling.handlers.staff_hear_of_reschedule",
        "scheduling.handlers.appointments_to_calendars",
    ],
}


def _import_every_apps_events() -> None:
    for config in apps.get_app_configs():
        name = f"{config.name}.events"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def test_every_event_is_listed_with_its_handlers() -> None:
    _import_every_apps_events()
    assert events.handlers_by_event() == EXPECTED


@pytest.fixture
def received() -> Any:
    seen: list[AppointmentCancelled] = []

    def handler(event: AppointmentCancelled) -> None:
        seen.append(event)

    events.subscribe(AppointmentCancelled, handler)
    yield seen
    events.unsubscribe(AppointmentCancelled, handler)


def _booked(world: Any) -> Any:
    service = make_service(staff=[world.staff_on], slug="event-call")
    return make_appointment(
        service=service,
        staff=world.staff_on,
        contact=world.contact_a,
        start=timezone.now() + dt.timedelta(days=3),
        matter=world.matter_a,
    )


@pytest.mark.django_db
def test_a_handler_runs_once_after_the_change_commits(
    world: Any,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    appointment = _booked(world)

    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, actor=world.staff_on, by_client=False)
        assert received == []  # not inside the transaction

    assert received == [
        AppointmentCancelled(
            appointment_id=appointment.pk,
            contact_id=world.contact_a.pk,
            matter_id=world.matter_a.pk,
            by_client=False,
            fee=appointment.cancellation_fee,
        )
    ]


@pytest.mark.django_db
def test_no_handler_runs_for_a_change_that_rolled_back(
    world: Any,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    appointment = _booked(world)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            appointment_cancel(appointment=appointment, actor=world.staff_on)
            raise RuntimeError("the request failed after the cancellation")

    assert received == []


@pytest.mark.django_db
def test_a_failing_handler_is_logged_and_the_next_one_still_runs(
    world: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    seen: list[AppointmentCancelled] = []

    def broken(event: AppointmentCancelled) -> None:
        raise ValueError("handler bug")

    def after(event: AppointmentCancelled) -> None:
        seen.append(event)

    events.subscribe(AppointmentCancelled, broken)
    events.subscribe(AppointmentCancelled, after)
    try:
        with (
            caplog.at_level(logging.ERROR, logger="atrium.events"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            appointment_cancel(appointment=_booked(world), actor=world.staff_on)
    finally:
        events.unsubscribe(AppointmentCancelled, broken)
        events.unsubscribe(AppointmentCancelled, after)

    assert len(seen) == 1
    assert "broken" in caplog.text and "AppointmentCancelled" in caplog.text


def test_only_frozen_event_dataclasses_can_be_subscribed_to() -> None:
    class NotAnEvent:
        pass

    with pytest.raises(TypeError):
        events.subscribe(NotAnEvent, lambda e: None)  # type: ignore[type-var]  # the point
    with pytest.raises(TypeError):
        events.subscribe(events.Event, lambda e: None)
