from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.outbox import State
from scheduling import services as scheduling_services
from scheduling.models import Reminder
from tests.notifications.conftest import make_appointment, make_service


def _scheduling_links_ready() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("scheduling:booking-detail", kwargs={"token": "x" * 43})
        reverse("scheduling:book-service", kwargs={"slug": "x"})
    except NoReverseMatch:
        return False
    return True


# The calendar file and the links come from scheduling's selectors, which need its routes.
needs_scheduling_links = pytest.mark.skipif(
    not _scheduling_links_ready(), reason="scheduling's booking routes not there yet"
)


def _package(world: Any, count: int = 2) -> list[Any]:
    service = make_service(name="Estate plan")
    start = timezone.now() + dt.timedelta(days=7)
    import uuid

    group = uuid.uuid4()
    return [
        make_appointment(
            staff=world.staff_on,
            contact=world.contact_a,
            service=service,
            start=start + dt.timedelta(days=i),
            booking_group=group,
        )
        for i in range(count)
    ]


@needs_scheduling_links
def test_a_package_booking_gets_one_email_with_every_time_and_a_calendar_file(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    appointments = _package(world, 3)
    # when
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        scheduling_services.appointment_notify(appointments=appointments, event="booked")
    # then
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.contact_a.email]
    assert message.body.count("CET") + message.body.count("CEST") == 3
    # one action link; the foot below "-- " links only to the privacy notice
    text, foot = message.body.rsplit("\n-- \n", 1)
    assert text.count("http") == 1 and foot.strip().endswith("/privacy/")
    ics = [a for a in message.attachments if a[0].endswith(".ics")]
    assert len(ics) == 1
    content = ics[0][1].decode() if isinstance(ics[0][1], bytes) else ics[0][1]
    assert "METHOD:REQUEST" in content
    assert Notification.objects.get().state == State.SENT


def test_sms_confirmation_goes_only_with_consent(
    world: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    appointments = _package(world, 1)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_notify(appointments=appointments, event="booked")
    assert not (tmp_path / "sms").exists()
    world.contact_a.sms_consent, world.contact_a.phone = True, "+48600100200"
    world.contact_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_notify(appointments=appointments, event="booked")
    assert len(list((tmp_path / "sms").glob("*.sms"))) == 1


def test_nothing_is_sent_when_the_booking_transaction_rolls_back(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    appointments = _package(world, 1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            scheduling_services.appointment_notify(appointments=appointments, event="booked")
            scheduling_services.appointment_reminders_sync(appointment=appointments[0])
            raise RuntimeError("the booking failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists() and not Reminder.objects.exists()


@needs_scheduling_links
def test_cancellation_email_carries_a_cancel_calendar_file(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    appointments = _package(world, 1)
    appointments[0].status = "cancelled"
    appointments[0].save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_notify(appointments=appointments, event="cancelled")
    content = mail.outbox[0].attachments[0][1]
    content = content.decode() if isinstance(content, bytes) else content
    assert "METHOD:CANCEL" in content
    assert "cancelled" in mail.outbox[0].subject.lower()


@needs_scheduling_links
def test_no_show_email_has_the_rebooking_link_and_no_calendar_file(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    appointments = _package(world, 1)
    appointments[0].status = "no_show"
    appointments[0].save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_notify(appointments=appointments, event="no_show")
    message = mail.outbox[0]
    assert message.attachments == []
    assert appointments[0].service.slug in message.body


def test_a_confirmation_for_a_booking_already_cancelled_is_not_sent(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    appointments = _package(world, 1)
    scheduling_services.appointment_notify(appointments=appointments, event="booked")
    type(appointments[0]).objects.filter(pk=appointments[0].pk).update(status="cancelled")
    services.deliveries_sweep()
    assert mail.outbox == []
    assert Notification.objects.get().reason.startswith("superseded")


def _reset_pools(app: Any) -> None:
    """Forget pooled broker connections so the next publish uses the current broker_url."""
    app.amqp._producer_pool = None
    app._pool = None


def test_broker_down_the_booking_still_commits_and_the_sweep_sends_it(
    world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: Celery is not eager and its broker does not answer
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    app.conf.task_publish_retry = False
    _reset_pools(app)
    try:
        appointments = _package(world, 1)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            scheduling_services.appointment_notify(appointments=appointments, event="booked")
    finally:
        # Back to reading Django's settings (the overrides live in conf.changes).
        for key in ("broker_url", "task_always_eager", "task_publish_retry"):
            app.conf.changes.pop(key, None)
        _reset_pools(app)
    # then: the row is waiting, and the next sweep sends it
    assert mail.outbox == []
    assert Notification.objects.get().state == State.SCHEDULED
    services.deliveries_sweep()
    assert len(mail.outbox) == 1
