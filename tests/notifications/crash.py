"""Due reminders for the crash tests, and how a worker that died mid-send leaves a row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from notifications import channels, registry
from notifications.registry import SendContext
from notifications.services.sweep import claim
from scheduling.models import Appointment, Reminder, reminder_kind
from tests.notifications.conftest import make_service


def due_reminders(world: Any, appointments: int) -> list[Reminder]:
    """`appointments` booked calls for one client (SMS consent, no quiet hours), each with
    an email and an SMS reminder due a minute ago: 2 x `appointments` rows."""
    contact = world.contact_a
    contact.sms_consent, contact.phone = True, "+48600100200"
    contact.quiet_hours_start = contact.quiet_hours_end = None
    contact.save()
    service = make_service(duration_minutes=5)
    now = timezone.now().replace(second=0, microsecond=0)
    booked = Appointment.objects.bulk_create(
        [
            Appointment(
                service=service,
                staff=world.staff_on,
                contact=contact,
                start_at=now + dt.timedelta(minutes=30 + 6 * i),
                end_at=now + dt.timedelta(minutes=35 + 6 * i),
                blocked_start=now + dt.timedelta(minutes=30 + 6 * i),
                blocked_end=now + dt.timedelta(minutes=35 + 6 * i),
                status=Appointment.Status.BOOKED,
                time_zone=contact.time_zone,
            )
            for i in range(appointments)
        ]
    )
    rows = []
    for i, appointment in enumerate(booked):
        offset = 31 + 6 * i  # due one minute ago
        due = appointment.start_at - dt.timedelta(minutes=offset)
        for channel in ("email", "sms"):
            rows.append(
                Reminder(
                    appointment=appointment,
                    kind=reminder_kind(offset),
                    offset_minutes=offset,
                    channel=channel,
                    due_at=due,
                    next_attempt_at=due,
                )
            )
    return Reminder.objects.bulk_create(rows)


def die_while_sending(row: Reminder, *, provider_took_it: bool) -> str:
    """What a worker killed mid-send leaves: the row claimed and "send started"; with
    `provider_took_it` the provider accepted the message first. Returns the provider id."""
    _token, ids = claim(model=Reminder, now=timezone.now(), limit=1, pks=[row.pk])
    assert ids == [row.pk]
    Reminder.objects.filter(pk=row.pk).update(send_started_at=timezone.now())
    if not provider_took_it:
        return ""
    loaded = Reminder.objects.select_related(*Reminder.SWEEP_SELECT_RELATED).get(pk=row.pk)
    message = registry.notice(loaded.notice_event()).compose(
        loaded, SendContext(now=timezone.now(), templates={})
    )
    message.reference = str(row.pk)
    return channels.send(message)
