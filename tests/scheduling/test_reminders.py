from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

from notifications import services
from notifications.outbox import State
from scheduling import services as scheduling_services
from scheduling.models import Reminder
from tests.notifications.conftest import make_appointment, make_service

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sms_contact(world: Any) -> Any:
    c = world.contact_a
    c.sms_consent, c.phone = True, "+48600100200"
    c.save()
    return c


def _book(world: Any, start: dt.datetime, **kw: Any) -> Any:
    with transaction.atomic():
        appointment = make_appointment(
            staff=world.staff_on, contact=world.contact_a, start=start, matter=world.matter_a, **kw
        )
        scheduling_services.appointment_reminders_sync(appointment=appointment)
    return appointment


def _sweep_at(when: dt.datetime) -> Any:
    with time_machine.travel(when, tick=False):
        return services.deliveries_sweep()


def test_booking_creates_one_reminder_per_kind_and_channel(
    world: Any, frozen: Any, sms_contact: Any
) -> None:
    appointment = _book(world, NOW + dt.timedelta(days=3))
    rows = {(r.kind, r.channel): r for r in Reminder.objects.filter(appointment=appointment)}
    assert set(rows) == {("24h", "email"), ("24h", "sms"), ("2h", "email"), ("2h", "sms")}
    assert rows[("24h", "email")].due_at == appointment.start_at - dt.timedelta(hours=24)
    assert rows[("2h", "sms")].due_at == appointment.start_at - dt.timedelta(hours=2)
    # syncing again changes nothing; a second row for the same kind and channel is refused
    scheduling_services.appointment_reminders_sync(appointment=appointment)
    assert Reminder.objects.filter(appointment=appointment).count() == 4
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            appointment=appointment,
            kind="24h",
            channel="email",
            offset_minutes=1440,
            due_at=NOW,
            next_attempt_at=NOW,
        )


def test_without_sms_consent_only_email_reminders_exist(world: Any, frozen: Any) -> None:
    appointment = _book(world, NOW + dt.timedelta(days=3))
    assert set(
        Reminder.objects.filter(appointment=appointment).values_list("channel", flat=True)
    ) == {"email"}


def test_each_reminder_is_sent_exactly_once_at_its_time(
    world: Any, frozen: Any, sms_contact: Any, tmp_path: Any
) -> None:
    appointment = _book(world, NOW + dt.timedelta(days=3))
    due_24 = appointment.start_at - dt.timedelta(hours=24)
    assert _sweep_at(due_24 - dt.timedelta(minutes=1)).claimed == 0
    assert _sweep_at(due_24).sent == 2
    assert _sweep_at(due_24 + dt.timedelta(minutes=1)).claimed == 0
    assert len(mail.outbox) == 1
    assert len(list((tmp_path / "sms").glob("*.sms"))) == 1
    assert _sweep_at(appointment.start_at - dt.timedelta(hours=2)).sent == 2
    assert len(mail.outbox) == 2
    states = set(Reminder.objects.values_list("state", flat=True))
    assert states == {State.SENT}


def test_reschedule_after_the_reminder_was_created_never_sends_the_old_time(
    world: Any, frozen: Any
) -> None:
    # given: booked for Thursday 10:00 Warsaw, reminders created
    old_start = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)
    old = _book(world, old_start)
    # when: rescheduled to Friday 15:00 Warsaw (scheduling's way: a new appointment
    # replaces the old one, both synced in the same transaction)
    new_start = dt.datetime(2026, 3, 6, 14, 0, tzinfo=dt.UTC)
    with transaction.atomic():
        old.status = "rescheduled"
        old.save(update_fields=["status"])
        scheduling_services.appointment_reminders_sync(appointment=old)
        new = make_appointment(
            staff=world.staff_on,
            contact=world.contact_a,
            start=new_start,
            service=old.service,
            replaces=old,
        )
        scheduling_services.appointment_reminders_sync(appointment=new)
    # then: nothing at the old times, the new time at the new times
    _sweep_at(old_start - dt.timedelta(hours=24))
    _sweep_at(old_start - dt.timedelta(hours=2))
    assert mail.outbox == []
    assert set(Reminder.objects.filter(appointment=old).values_list("reason", flat=True)) == {
        "appointment rescheduled"
    }
    _sweep_at(new_start - dt.timedelta(hours=24))
    assert len(mail.outbox) == 1
    assert "15:00" in mail.outbox[0].body and "10:00" not in mail.outbox[0].body


def test_moving_an_appointment_in_place_moves_its_reminders(world: Any, frozen: Any) -> None:
    appointment = _book(world, dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
    old_due = appointment.start_at - dt.timedelta(hours=24)
    appointment.start_at += dt.timedelta(days=1)
    appointment.end_at += dt.timedelta(days=1)
    appointment.save(update_fields=["start_at", "end_at"])
    scheduling_services.appointment_reminders_sync(appointment=appointment)
    _sweep_at(old_due)
    assert mail.outbox == []
    _sweep_at(old_due + dt.timedelta(days=1))
    assert len(mail.outbox) == 1


def test_a_row_left_at_the_old_time_is_held_back_not_sent(world: Any, frozen: Any) -> None:
    # given: the appointment moved but (a bug elsewhere) the reminder was not re-synced
    appointment = _book(world, dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
    old_due = appointment.start_at - dt.timedelta(hours=24)
    type(appointment).objects.filter(pk=appointment.pk).update(
        start_at=appointment.start_at + dt.timedelta(days=2),
        end_at=appointment.end_at + dt.timedelta(days=2),
    )
    # when
    _sweep_at(old_due)
    # then: the text rendered at send time would quote the new time, but it waits for it
    assert mail.outbox == []
    _sweep_at(old_due + dt.timedelta(days=2))
    assert len(mail.outbox) == 1


def test_cancellation_sends_no_reminder(
    world: Any, frozen: Any, sms_contact: Any, tmp_path: Any
) -> None:
    appointment = _book(world, NOW + dt.timedelta(days=2))
    with transaction.atomic():
        appointment.status = "cancelled"
        appointment.save(update_fields=["status"])
        scheduling_services.appointment_reminders_sync(appointment=appointment)
    for hours in (24, 2):
        _sweep_at(appointment.start_at - dt.timedelta(hours=hours))
    assert mail.outbox == []
    assert not (tmp_path / "sms").exists()
    reasons = set(Reminder.objects.values_list("state", "reason"))
    assert reasons == {(State.SUPPRESSED, "appointment cancelled")}


def test_cancellation_after_a_claim_but_before_sending_sends_nothing(
    world: Any, frozen: Any
) -> None:
    from notifications.services.sweep import claim

    appointment = _book(world, NOW + dt.timedelta(days=2))
    due = appointment.start_at - dt.timedelta(hours=24)
    with time_machine.travel(due, tick=False):
        token, ids = claim(model=Reminder, now=due, limit=10)
    type(appointment).objects.filter(pk=appointment.pk).update(status="cancelled")
    from notifications.registry import SendContext
    from notifications.services.sweep import SweepResult, send_claimed

    send_claimed(
        model=Reminder, token=token, ctx=SendContext(now=due, templates={}), result=SweepResult()
    )
    assert mail.outbox == []
    assert Reminder.objects.get(pk=ids[0]).state == State.SUPPRESSED


def test_booking_less_than_two_hours_ahead_creates_no_reminder_for_a_past_time(
    world: Any, frozen: Any
) -> None:
    appointment = _book(world, NOW + dt.timedelta(minutes=90))
    rows = list(Reminder.objects.filter(appointment=appointment))
    assert rows and all(
        r.state == State.SUPPRESSED and r.reason.startswith("too late") for r in rows
    )
    _sweep_at(NOW + dt.timedelta(minutes=1))
    _sweep_at(NOW + dt.timedelta(minutes=89))
    assert mail.outbox == []


def test_booking_five_hours_ahead_gets_only_the_two_hour_reminder(world: Any, frozen: Any) -> None:
    appointment = _book(world, NOW + dt.timedelta(hours=5))
    states = dict(Reminder.objects.filter(appointment=appointment).values_list("kind", "state"))
    assert states == {"24h": State.SUPPRESSED, "2h": State.SCHEDULED}
    _sweep_at(NOW + dt.timedelta(hours=3))
    assert len(mail.outbox) == 1


def test_a_sweep_that_runs_after_the_appointment_started_does_not_send(
    world: Any, frozen: Any
) -> None:
    appointment = _book(world, NOW + dt.timedelta(hours=5))
    _sweep_at(appointment.start_at + dt.timedelta(minutes=5))
    assert mail.outbox == []
    assert Reminder.objects.get(kind="2h").reason == "too late: the appointment has started"


def test_daylight_saving_monday_gets_its_reminder_exactly_24_hours_before(world: Any) -> None:
    # given: Europe/Warsaw moves to summer time on Sunday 29 March 2026 at 02:00 local;
    # the appointment is Monday 30 March 09:00 CEST (07:00 UTC)
    world.contact_a.time_zone = "Europe/Warsaw"
    world.contact_a.save()
    start = dt.datetime(2026, 3, 30, 7, 0, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        appointment = _book(world, start)
    reminder = Reminder.objects.get(appointment=appointment, kind="24h")
    # then: 24 elapsed hours, which is 09:00 CEST on Sunday (not 08:00 or 10:00)
    assert reminder.due_at == dt.datetime(2026, 3, 29, 7, 0, tzinfo=dt.UTC)
    assert _sweep_at(reminder.due_at - dt.timedelta(seconds=1)).claimed == 0
    _sweep_at(reminder.due_at)
    body = mail.outbox[0].body
    assert "Monday, 30 March 2026, 09:00 CEST" in body


def test_reminder_text_is_in_the_clients_language_and_zone(world: Any, frozen: Any) -> None:
    world.contact_a.language, world.contact_a.time_zone = "es", "America/Mexico_City"
    world.contact_a.save()
    appointment = _book(world, dt.datetime(2026, 3, 5, 17, 0, tzinfo=dt.UTC))
    _sweep_at(appointment.start_at - dt.timedelta(hours=24))
    message = mail.outbox[0]
    assert message.subject.startswith("Recordatorio")
    assert "11:00 CST" in message.body  # 17:00 UTC is 11:00 in Mexico City
    assert "jue" in message.body.lower()


def test_sms_reminder_in_quiet_hours_is_suppressed_with_the_reason(
    world: Any, sms_contact: Any
) -> None:
    # given: quiet 21:00-08:00, appointment Tuesday 09:30 Warsaw: the 2 h SMS is at 07:30
    sms_contact.quiet_hours_start, sms_contact.quiet_hours_end = dt.time(21), dt.time(8)
    sms_contact.save()
    start = dt.datetime(2026, 1, 13, 8, 30, tzinfo=dt.UTC)
    with time_machine.travel(start - dt.timedelta(days=3), tick=False):
        _book(world, start)
    _sweep_at(start - dt.timedelta(hours=2))
    sms = Reminder.objects.get(kind="2h", channel="sms")
    assert (sms.state, sms.reason) == (State.SUPPRESSED, "quiet hours")
    assert Reminder.objects.get(kind="2h", channel="email").state == State.SENT


def test_per_service_offsets_override_the_default(world: Any, frozen: Any) -> None:
    service = make_service()
    service.reminder_offsets = [2880, 60]
    service.save(update_fields=["reminder_offsets"])
    appointment = _book(world, NOW + dt.timedelta(days=5), service=service)
    assert set(Reminder.objects.filter(appointment=appointment).values_list("kind", flat=True)) == {
        "48h",
        "1h",
    }


def test_email_failures_end_failed_before_the_appointment_with_the_reason(
    world: Any, frozen: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    appointment = _book(world, NOW + dt.timedelta(hours=3))
    due = appointment.start_at - dt.timedelta(hours=2)
    for minutes in range(0, 60, 1):
        _sweep_at(due + dt.timedelta(minutes=minutes))
    row = Reminder.objects.get(kind="2h")
    assert row.state == State.FAILED
    assert 1 < row.attempts <= settings.NOTIFICATIONS_MAX_ATTEMPTS
    assert "ConnectionRefusedError" in row.reason


def test_staff_page_lists_every_reminder_with_its_state(
    client: Any, world: Any, frozen: Any
) -> None:
    appointment = _book(world, NOW + dt.timedelta(minutes=90))
    client.force_login(world.staff_on)
    from django.urls import reverse

    page = client.get(
        reverse("scheduling:appointment-reminders", kwargs={"appointment_id": appointment.pk})
    ).content.decode()
    assert "Suppressed" in page and "too late" in page
    client.force_login(world.staff_off)
    assert (
        client.get(
            reverse("scheduling:appointment-reminders", kwargs={"appointment_id": appointment.pk})
        ).status_code
        == 404
    )
