"""Appointment confirmations and reminders (the interface scheduling calls).

scheduling calls `appointment_reminders_sync` and `appointment_notify` inside its booking,
reschedule, cancel and no-show transactions. Both only write rows; nothing is sent before
the transaction commits, and every text is rendered at send time from the appointment as
it is then.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.channels import Outgoing
from notifications.models import Notification, State
from notifications.services.compose import (
    _firm,
    absolute,
    address_for,
    format_when,
    in_quiet_hours,
    recipient_from_contact,
    render,
    status_callback_for,
)
from notifications.services.sweep import (
    Postpone,
    SendContext,
    Suppress,
    enqueue_on_commit,
    register,
)

logger = logging.getLogger(__name__)

EVENTS = ("booked", "rescheduled", "cancelled", "no_show")
ACTIVE = "booked"
SUPPRESS_REASONS = {
    "cancelled": "appointment cancelled",
    "rescheduled": "appointment rescheduled",
    "no_show": "marked as no-show",
    "attended": "appointment attended",
}


def _reminder_model() -> Any:
    return apps.get_model("notifications", "Reminder")


def reminder_offsets(*, service: Any) -> list[int]:
    """Minutes before the start: the service's own offsets, else the firm-wide default."""
    offsets = getattr(service, "reminder_offsets", None)
    if not offsets:
        from notifications.models import ServiceReminderOffsets

        setting = ServiceReminderOffsets.objects.filter(service=service).first()
        if setting is not None and setting.offsets_minutes:
            return sorted({int(v) for v in setting.offsets_minutes if int(v) > 0},
                          reverse=True)
    if offsets:
        values = []
        for value in offsets:
            # A service may store hours (24, 2) or timedeltas; minutes inside.
            if isinstance(value, dt.timedelta):
                values.append(int(value.total_seconds() // 60))
            else:
                values.append(int(value) * 60)
        return sorted({v for v in values if v > 0}, reverse=True)
    return sorted(set(settings.NOTIFICATIONS_REMINDER_OFFSETS), reverse=True)


def _reminder_channels(contact: Any) -> list[str]:
    recipient = recipient_from_contact(contact)
    return ["email", "sms"] if recipient.can_sms else ["email"]


def appointment_reminders_sync(*, appointment: Any) -> None:
    """Make the reminder rows match the appointment; call inside the booking transaction.

    One row per (appointment, kind, channel) (unique constraint). A new time moves due_at;
    a cancelled, rescheduled or no-show appointment suppresses what has not gone out; a
    reminder whose time has already passed is recorded as suppressed "too late", so it can
    never be sent and staff can see why.
    """
    from notifications.models.reminders import kind_for

    Reminder = _reminder_model()  # noqa: N806
    now = timezone.now()
    with transaction.atomic():
        existing = {(r.kind, r.channel): r for r in
                    Reminder.objects.select_for_update().filter(appointment=appointment)}
        wanted: dict[tuple[str, str], tuple[int, dt.datetime]] = {}
        if appointment.status == ACTIVE:
            for minutes in reminder_offsets(service=appointment.service):
                due = appointment.start_at - dt.timedelta(minutes=minutes)
                for channel in _reminder_channels(appointment.contact):
                    wanted[(kind_for(minutes), channel)] = (minutes, due)
        stop_reason = SUPPRESS_REASONS.get(appointment.status, "no longer needed")
        for key, row in existing.items():
            if key not in wanted and row.state == State.SCHEDULED:
                reason = stop_reason if appointment.status != ACTIVE else (
                    "no SMS consent" if key[1] == "sms" else "reminder removed")
                Reminder.objects.filter(pk=row.pk, state=State.SCHEDULED).update(
                    state=State.SUPPRESSED, reason=reason, updated_at=now)
        for (kind, channel), (minutes, due) in wanted.items():
            row = existing.get((kind, channel))
            too_late = due <= now
            if row is None:
                Reminder.objects.create(
                    appointment=appointment, kind=kind, channel=channel, offset_minutes=minutes,
                    due_at=due, next_attempt_at=due,
                    state=State.SUPPRESSED if too_late else State.SCHEDULED,
                    reason="too late: booked after this reminder was due" if too_late else "")
            elif row.state in (State.SCHEDULED, State.SUPPRESSED):
                if too_late:
                    if row.state == State.SCHEDULED:
                        Reminder.objects.filter(pk=row.pk, state=State.SCHEDULED).update(
                            state=State.SUPPRESSED, reason="too late", due_at=due,
                            updated_at=now)
                    continue
                # Moved (or back after a suppression): a fresh reminder for the new time.
                Reminder.objects.filter(pk=row.pk, state=row.state).update(
                    state=State.SCHEDULED, reason="", due_at=due, next_attempt_at=due,
                    attempts=0, offset_minutes=minutes, updated_at=now)
            # sending/sent/delivered/failed: history stays as it is; the composer refuses
            # to send a row whose time no longer matches the appointment.


def appointment_notify(*, appointments: list[Any], event: str) -> None:
    """Queue ONE email for this booking (all appointments of a package) and an SMS with
    consent; sent right after commit (the sweep is the safety net if the broker is down)."""
    if event not in EVENTS:
        raise ValueError(f"unknown appointment event {event!r}")
    if not appointments:
        return
    first = appointments[0]
    contact = first.contact
    now = timezone.now()
    ids = [str(a.pk) for a in appointments]
    channels = _reminder_channels(contact)
    with transaction.atomic():
        rows = [Notification.objects.create(
            event=event, channel=channel, contact=contact, matter_id=first.matter_id,
            due_at=now, next_attempt_at=now, context={"appointments": ids})
            for channel in channels]
    enqueue_on_commit(model=Notification, pks=[r.pk for r in rows])


# ---------------------------------------------------------------------------
# Composing at send time
# ---------------------------------------------------------------------------
def _scheduling_selectors() -> Any:
    from scheduling import selectors

    return selectors


def _link(value: Any) -> str:
    """The one link of a message, from whatever shape scheduling's selector returns."""
    if isinstance(value, dict):
        for key in ("detail", "manage", "reschedule", "url", "cancel"):
            if value.get(key):
                return absolute(str(value[key]))
        value = next(iter(value.values()), "")
    elif isinstance(value, list | tuple):
        value = value[0] if value else ""
    return absolute(str(value)) if value else absolute("/")


def _selector_link(name: str, appointment: Any) -> str:
    selector = getattr(_scheduling_selectors(), name, None)
    if selector is None:
        # scheduling has not shipped this selector: the firm's site rather than no link.
        logger.warning("scheduling.selectors.%s is missing", name)
        return absolute("/")
    try:
        return _link(selector(appointment=appointment))
    except Exception:
        # A reminder with the firm's address beats no reminder; the error is logged.
        logger.exception("scheduling.selectors.%s failed", name)
        return absolute("/")


def _values(appointments: list[Any], recipient: Any, link: str,
            ctx: SendContext | None = None) -> dict[str, str]:
    first = appointments[0]
    zone = recipient.zone
    staff = first.staff
    return {
        "firm": (ctx.firm if ctx is not None else _firm()).name,
        "name": recipient.name,
        "service": str(getattr(first.service, "name", "")),
        "when": "; ".join(format_when(a.start_at, language=recipient.language, zone=zone)
                          for a in appointments),
        "staff": (staff.get_full_name() or str(staff)) if staff is not None else "",
        "link": link,
    }


def compose_appointment_event(row: Notification, ctx: SendContext) -> Outgoing:
    Appointment = apps.get_model("scheduling", "Appointment")  # noqa: N806
    ids = row.context.get("appointments", [])
    appointments = list(Appointment.objects.filter(pk__in=ids)
                        .select_related("service", "staff", "contact").order_by("start_at"))
    if not appointments:
        raise Suppress("appointment no longer exists")
    event = row.event
    statuses = {a.status for a in appointments}
    # A confirmation that is no longer true is not sent (booked then cancelled at once).
    if event in ("booked", "rescheduled") and statuses != {ACTIVE}:
        raise Suppress("superseded: the appointment changed again")
    if event == "cancelled" and "cancelled" not in statuses:
        raise Suppress("superseded: the appointment is not cancelled")
    recipient = recipient_from_contact(appointments[0].contact)
    to = address_for(recipient, row.channel)
    if row.channel == "sms":
        until = in_quiet_hours(recipient, ctx.now)
        if until is not None:
            raise Postpone(until, "quiet hours")
    if event in ("no_show", "cancelled"):
        link = _selector_link("appointment_rebook_link", appointments[0])
    else:
        link = _selector_link("appointment_manage_links", appointments[0])
    subject, body = render(ctx, event=event, channel=row.channel,
                           language=recipient.language,
                           values=_values(appointments, recipient, link, ctx))
    attachments: list[tuple[str, str | bytes, str]] = []
    if row.channel == "email" and event != "no_show":
        method = "CANCEL" if event == "cancelled" else "REQUEST"
        ics_for = getattr(_scheduling_selectors(), "appointment_ics", None)
        try:
            ics = ics_for(appointments=appointments, method=method) if ics_for else None
        except Exception:
            logger.exception("scheduling.selectors.appointment_ics failed")
            ics = None
        if ics:
            attachments.append(("appointment.ics", ics,
                                f"text/calendar; charset=utf-8; method={method}"))
    return Outgoing(channel=row.channel, to=to, subject=subject, body=body,
                    attachments=attachments,
                    status_callback=status_callback_for(row.pk) if row.channel == "sms" else "")


def compose_reminder(row: Any, ctx: SendContext) -> Outgoing:
    appointment = row.appointment
    if appointment.status != ACTIVE:
        raise Suppress(SUPPRESS_REASONS.get(appointment.status, "appointment not active"))
    expected_due = appointment.start_at - dt.timedelta(minutes=row.offset_minutes)
    if expected_due > ctx.now + dt.timedelta(minutes=1):
        # The appointment moved later and the row was not moved with it: wait for the new
        # time rather than quote the old one.
        raise Postpone(expected_due, "appointment moved")
    if appointment.start_at <= ctx.now:
        raise Suppress("too late: the appointment has started")
    recipient = recipient_from_contact(appointment.contact)
    to = address_for(recipient, row.channel)
    if row.channel == "sms" and in_quiet_hours(recipient, ctx.now) is not None:
        raise Suppress("quiet hours")
    link = _selector_link("appointment_manage_links", appointment)
    subject, body = render(ctx, event="reminder", channel=row.channel,
                           language=recipient.language,
                           values=_values([appointment], recipient, link, ctx))
    return Outgoing(channel=row.channel, to=to, subject=subject, body=body,
                    status_callback=status_callback_for(row.pk) if row.channel == "sms" else "")


def register_reminders() -> None:
    """Called once the Reminder model exists (notifications.apps.ready)."""
    try:
        model = _reminder_model()
    except LookupError:
        return
    register(model, compose_reminder)
