"""The reminder 24 h before the appointment for an after-booking form still not sent
(spec intake.md §3: once, content-free, in the client's language)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from intake import services as intake_services
from intake import tasks as intake_tasks
from intake.links import draft_token
from intake.models import IntakeDraft, IntakeSubmission
from notifications.models import Notification
from scheduling import services
from scheduling.models import Appointment
from tests import factories
from tests.intake.helpers import published_form, stage_one_answers
from tests.scheduling.helpers import make_service

pytestmark = pytest.mark.django_db

# Booked on Monday 1 June 08:00 UTC (the frozen clock) for Wednesday 09:00 in Warsaw.
SLOT_UTC = dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC)
DAY_BEFORE = SLOT_UTC - dt.timedelta(hours=23, minutes=30)
REMINDER = "intake_form_reminder"


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example")


@pytest.fixture
def booked(admin: Any, lawyers: list[Any], frozen: Any, django_capture_on_commit_callbacks: Any):
    service = make_service(staff=[lawyers[0]], slug="free-call", name="Free call", minutes=30)
    service = type(service).objects.prefetch_related("staff", "steps").get(pk=service.pk)
    form = published_form(admin)
    intake_services.service_intake_set(
        service_id=service.pk, form=form, timing="after", actor=admin
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.appointment_book(
            service=service,
            start_at=SLOT_UTC,
            booker=services.BookerData(
                first_name="Łukasz",
                last_name="Wiśniewski",
                email="lukasz@example.com",
                language="pl",
            ),
            time_zone="Europe/Warsaw",
        )
    mail.outbox.clear()
    return Appointment.objects.get(pk=result[0].pk)


def _sweep(capture: Any) -> None:
    with capture(execute=True):
        intake_tasks.form_reminders_queue()


def test_one_reminder_a_day_before_in_the_clients_language_even_if_the_sweep_runs_twice(
    booked: Any, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _sweep(django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(event=REMINDER).exists()  # two days ahead

    frozen.move_to(DAY_BEFORE)
    _sweep(django_capture_on_commit_callbacks)
    _sweep(django_capture_on_commit_callbacks)

    assert Notification.objects.filter(event=REMINDER).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lukasz@example.com"]
    assert "Przypomnienie" in message.subject
    assert "/intake/d/" in message.body
    # Content-free: no service, time or answer in it.
    assert "Free call" not in message.body and "09:00" not in message.body

    frozen.move_to(DAY_BEFORE + dt.timedelta(hours=12))
    _sweep(django_capture_on_commit_callbacks)
    assert Notification.objects.filter(event=REMINDER).count() == 1


def test_the_reminder_link_opens_the_same_form(
    client: Any, booked: Any, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    frozen.move_to(DAY_BEFORE)
    _sweep(django_capture_on_commit_callbacks)
    body = mail.outbox[0].body
    path = "/intake/d/" + body.split("/intake/d/")[1].split()[0]

    client.post(path, stage_one_answers())

    assert IntakeSubmission.objects.get().contact_id == booked.contact_id
    assert IntakeDraft.objects.count() == 1


def test_no_reminder_once_the_form_is_sent(
    client: Any, booked: Any, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    draft = IntakeDraft.objects.get()
    assert draft.booking_ref == f"after:{booked.pk}"
    link_row = Notification.objects.get(event="intake_form_link")
    assert link_row.about.endswith(str(draft.pk))
    path = "/intake/d/" + draft_token(draft) + "/"
    client.post(path, stage_one_answers())
    assert IntakeDraft.objects.get().submitted_at is not None

    frozen.move_to(DAY_BEFORE)
    _sweep(django_capture_on_commit_callbacks)

    assert not Notification.objects.filter(event=REMINDER).exists()
    assert mail.outbox == []


def test_no_reminder_for_a_cancelled_appointment(
    booked: Any, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services.appointment_cancel(appointment=booked)

    frozen.move_to(DAY_BEFORE)
    _sweep(django_capture_on_commit_callbacks)

    assert not Notification.objects.filter(event=REMINDER).exists()


def test_a_moved_appointment_is_reminded_a_day_before_its_new_time(
    booked: Any, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    later = SLOT_UTC + dt.timedelta(days=1)
    services.appointment_reschedule(appointment=booked, start_at=later)

    frozen.move_to(DAY_BEFORE)
    _sweep(django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(event=REMINDER).exists()

    frozen.move_to(DAY_BEFORE + dt.timedelta(days=1))
    _sweep(django_capture_on_commit_callbacks)
    assert Notification.objects.filter(event=REMINDER).count() == 1


def test_a_booking_made_the_day_before_gets_no_reminder_on_top_of_its_link(
    booked: Any, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    IntakeDraft.objects.update(created_at=DAY_BEFORE + dt.timedelta(minutes=10))

    frozen.move_to(DAY_BEFORE + dt.timedelta(minutes=20))
    _sweep(django_capture_on_commit_callbacks)

    assert not Notification.objects.filter(event=REMINDER).exists()


def test_the_beat_schedule_runs_the_reminder_sweep(settings: Any) -> None:
    tasks_named = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert intake_tasks.form_reminders_queue.name in tasks_named
