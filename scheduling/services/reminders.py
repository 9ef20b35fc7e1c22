"""Appointment reminders and confirmations: the outbox rows scheduling writes.

The booking, reschedule, cancel and no-show services call these inside their own
transactions. They only write rows; nothing is sent before the transaction commits, and
every text is rendered at send time from the appointment as it is then (scheduling.notices).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications import services as notifications
from notifications.outbox import State, object_key
from portal import selectors as portal_selectors
from scheduling.models import Appointment, Reminder, Service, reminder_kind

# The appointment notices (scheduling.notices registers them).
EVENTS = ("booked", "rescheduled", "cancelled", "no_show")
SUPPRESS_REASONS: dict[str, str] = {
    Appointment.Status.CANCELLED: "appointment cancelled",
    Appointment.Status.RESCHEDULED: "appointment rescheduled",
    Appointment.Status.NO_SHOW: "marked as no-show",
    Appointment.Status.ATTENDED: "appointment attended",
}


def reminder_offsets(*, service: Service) -> list[int]:
    """Minutes before the start: none when the service sends none, its own offsets, else
    the firm-wide default."""
    if service.reminders_off:
        return []
    own = {int(v) for v in service.reminder_offsets or () if int(v) > 0}
    return sorted(own or set(settings.NOTIFICATIONS_REMINDER_OFFSETS), reverse=True)


def _channels(appointment: Appointment) -> list[str]:
    return portal_selectors.contact_recipient(appointment.contact).reminder_channels()


def appointment_reminders_sync(*, appointment: Appointment) -> None:
    """Make the reminder rows match the appointment; call inside the booking transaction.

    One row per (appointment, kind, channel) (unique constraint). A new time moves due_at;
    a cancelled, rescheduled or no-show appointment suppresses what has not gone out; a
    reminder whose time has already passed is recorded as suppressed "too late", so it can
    never be sent and staff can see why.
    """
    now = timezone.now()
    # A booking waiting for the owner of its email has no reminders until confirmed.
    active = (
        appointment.status == Appointment.Status.BOOKED
        and appointment.owner_check != Appointment.OwnerCheck.PENDING
    )
    with transaction.atomic():
        existing = {
            (r.kind, r.channel): r
            for r in Reminder.objects.select_for_update().filter(appointment=appointment)
        }
        wanted: dict[tuple[str, str], tuple[int, dt.datetime]] = {}
        if active:
            for minutes in reminder_offsets(service=appointment.service):
                due = appointment.start_at - dt.timedelta(minutes=minutes)
                for channel in _channels(appointment):
                    wanted[(reminder_kind(minutes), channel)] = (minutes, due)
        stop_reason = SUPPRESS_REASONS.get(appointment.status, "no longer needed")
        for key, row in existing.items():
            if key not in wanted and row.state == State.SCHEDULED:
                reason = (
                    stop_reason
                    if not active
                    else ("no SMS consent" if key[1] == "sms" else "reminder removed")
                )
                Reminder.objects.filter(pk=row.pk, state=State.SCHEDULED).update(
                    state=State.SUPPRESSED, reason=reason, updated_at=now
                )
        for (kind, channel), (minutes, due) in wanted.items():
            found = existing.get((kind, channel))
            too_late = due <= now
            if found is None:
                Reminder.objects.create(
                    appointment=appointment,
                    kind=kind,
                    channel=channel,
                    offset_minutes=minutes,
                    due_at=due,
                    next_attempt_at=due,
                    state=State.SUPPRESSED if too_late else State.SCHEDULED,
                    reason="too late: booked after this reminder was due" if too_late else "",
                )
            elif found.state in (State.SCHEDULED, State.SUPPRESSED):
                if too_late:
                    if found.state == State.SCHEDULED:
                        Reminder.objects.filter(pk=found.pk, state=State.SCHEDULED).update(
                            state=State.SUPPRESSED, reason="too late", due_at=due, updated_at=now
                        )
                    continue
                # Moved (or back after a suppression): a fresh reminder for the new time.
                Reminder.objects.filter(pk=found.pk, state=found.state).update(
                    state=State.SCHEDULED,
                    reason="",
                    due_at=due,
                    next_attempt_at=due,
                    attempts=0,
                    offset_minutes=minutes,
                    updated_at=now,
                )
            # sending/sent/delivered/failed: history stays as it is; the composer refuses
            # to send a row whose time no longer matches the appointment.


def appointment_notify(*, appointments: Sequence[Appointment], event: str) -> None:
    """Queue ONE email for this booking (all appointments of a package) and an SMS with
    consent; sent right after commit (the sweep is the safety net if the broker is down)."""
    if event not in EVENTS:
        raise ValueError(f"unknown appointment event {event!r}")
    if not appointments:
        return
    first = appointments[0]
    notifications.notice_queue(
        event=event,
        channels=_channels(first),
        about=object_key("appointment", first.pk),
        context={"appointments": [str(a.pk) for a in appointments]},
    )


# The email asking the owner of an address to confirm a booking made with it.
OWNER_CHECK_NOTICE = "booking_owner_check"


def owner_check_notify(*, appointments: Sequence[Appointment]) -> None:
    """Queue the one email to the address a public booking was made with, asking its owner
    to confirm the booking (or to say it was not them). Email only: the address is what
    the booker claimed, so that is where the proof must come from."""
    if not appointments:
        return
    first = appointments[0]
    notifications.notice_queue(
        event=OWNER_CHECK_NOTICE,
        channels=["email"],
        about=object_key("appointment", first.pk),
        context={"appointments": [str(a.pk) for a in appointments]},
    )
