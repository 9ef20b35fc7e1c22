"""Scheduling's notices: booking confirmations, changes, cancellations, no-shows, reminders.

Registered in SchedulingConfig.ready(). The rows are written by services.reminders inside
the booking transactions; these composers turn them into messages at send time, from the
appointments as they are then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.links import absolute_url
from core.time import format_long_datetime, format_when
from notifications import registry
from notifications.channels import Outgoing, email_footer
from notifications.compose import (
    Recipient,
    address_for,
    in_quiet_hours,
    outgoing,
    postpone_sms_in_quiet_hours,
    render,
)
from notifications.outbox import Postpone, Suppress, register_reasons
from notifications.registry import COMMON_PLACEHOLDERS, Notice, SendContext
from portal import selectors as portal_selectors
from scheduling import selectors
from scheduling.models import Appointment, ExternalCalendar, Reminder
from scheduling.notice_texts import EMAIL, SMS
from scheduling.services.calendars import CALENDAR_BROKEN_NOTICE
from scheduling.services.reminders import OWNER_CHECK_NOTICE, SUPPRESS_REASONS

if TYPE_CHECKING:
    from notifications.models import Notification

PLACEHOLDERS = (*COMMON_PLACEHOLDERS, "service", "when", "staff", "place", "terms", "code")
SAMPLE = {
    "service": "Consultation",
    "when": "Mon 9 Mar, 10:00 CET",
    "staff": "Marek Nowak",
    "place": "At the office: ul. Piękna 1, Warszawa",
    "terms": "Free cancellation until 24 hours before; later, the fee is 100,00 zł.",
    "code": "K7QF-2M9X",
}
REASONS = {
    "appointment cancelled": _("appointment cancelled"),
    "appointment rescheduled": _("appointment rescheduled"),
    "marked as no-show": _("marked as no-show"),
    "appointment attended": _("appointment attended"),
    "appointment not active": _("appointment no longer active"),
    "reminder removed": _("reminder time removed from the service"),
    "too late: booked after this reminder was due": _(
        "too late: booked after this reminder was due"
    ),
    "too late: the appointment has started": _("too late: the appointment had started"),
    "appointment moved": _("waiting for the new appointment time"),
    "appointment no longer exists": _("appointment no longer exists"),
    "superseded: the appointment changed again": _("not sent: the appointment changed again"),
    "superseded: the appointment is not cancelled": _("not sent: the appointment is not cancelled"),
    "calendar fixed": _("not sent: the calendar works again"),
    "owner answered": _("not sent: the owner of the email already answered"),
    "waiting for the owner of the email": _(
        "not sent: the owner of the email has not confirmed the booking"
    ),
}


def _values(
    appointments: Sequence[Appointment],
    recipient: Recipient,
    link: str,
    ctx: SendContext,
    channel: str = "email",
) -> dict[str, str]:
    """The placeholders, in the recipient's language: an email reads the long date
    ("wtorek, 1 grudnia 2026, 10:30 CET"), an SMS the short one."""
    first = appointments[0]
    staff = first.staff
    firm = ctx.remember("firm", portal_selectors.firm_get)

    def when(value: dt.datetime) -> str:
        if channel == "sms":
            return format_when(value, language=recipient.language, zone=recipient.zone)
        text = format_long_datetime(value, zone=recipient.zone, language=recipient.language)
        return f"{text} {value.astimezone(recipient.zone).tzname()}"

    with translation.override(recipient.language):
        place = selectors.appointment_place(first).text
        terms = selectors.appointment_terms(first)
    return {
        "firm": firm.name,
        "name": recipient.name,
        "service": first.service.name,
        "when": "; ".join(when(a.start_at) for a in appointments),
        "staff": staff.get_full_name() or str(staff),
        "link": link,
        "place": place,
        "terms": terms,
        "code": selectors.booking_code(first.booking_ref),
    }


_UNCONFIRMED = (Appointment.OwnerCheck.PENDING, Appointment.OwnerCheck.DECLINED)


def compose_appointment_event(row: Notification, ctx: SendContext) -> Outgoing:
    """A confirmation, change, cancellation or no-show message (one per booking)."""
    ids = row.context.get("appointments", [])
    appointments = list(
        Appointment.objects.filter(pk__in=ids)
        .select_related("service", "staff", "contact")
        .order_by("start_at")
    )
    if not appointments:
        raise Suppress("appointment no longer exists")
    event = row.event
    statuses = {a.status for a in appointments}
    # A confirmation that is no longer true is not sent (booked then cancelled at once).
    if event in ("booked", "rescheduled") and statuses != {Appointment.Status.BOOKED}:
        raise Suppress("superseded: the appointment changed again")
    if event == "cancelled" and Appointment.Status.CANCELLED not in statuses:
        raise Suppress("superseded: the appointment is not cancelled")
    # A booking made with a client's email says nothing to that client until they confirm
    # it (they were asked by the owner-check email), nor after they declined it.
    if any(a.owner_check in _UNCONFIRMED for a in appointments):
        raise Suppress("waiting for the owner of the email")
    recipient = portal_selectors.contact_recipient(appointments[0].contact)
    to = address_for(recipient, row.channel)
    postpone_sms_in_quiet_hours(recipient, row.channel, ctx.now)
    if event in ("no_show", "cancelled"):
        link = selectors.appointment_rebook_link(appointment=appointments[0])
    else:
        link = selectors.appointment_manage_links(appointment=appointments[0])["detail"]
    subject, body = render(
        ctx,
        event=event,
        channel=row.channel,
        language=recipient.language,
        values=_values(appointments, recipient, link, ctx, row.channel),
    )
    attachments: list[tuple[str, str | bytes, str]] = []
    if row.channel == "email" and event != "no_show":
        method = "CANCEL" if event == "cancelled" else "REQUEST"
        ics = selectors.appointment_ics(
            appointments=appointments, method=method, language=recipient.language
        )
        attachments.append(
            ("appointment.ics", ics, f"text/calendar; charset=utf-8; method={method}")
        )
    return outgoing(row, to=to, subject=subject, body=body, attachments=attachments)


def compose_reminder(row: Reminder, ctx: SendContext) -> Outgoing:
    """A reminder, only while the appointment stands and its time is what the row expects."""
    appointment = row.appointment
    if appointment.status != Appointment.Status.BOOKED:
        raise Suppress(SUPPRESS_REASONS.get(appointment.status, "appointment not active"))
    expected_due = appointment.start_at - dt.timedelta(minutes=row.offset_minutes)
    if expected_due > ctx.now + dt.timedelta(minutes=1):
        # The appointment moved later and the row was not moved with it: wait for the new
        # time rather than quote the old one.
        raise Postpone(expected_due, "appointment moved")
    if appointment.start_at <= ctx.now:
        raise Suppress("too late: the appointment has started")
    recipient = portal_selectors.contact_recipient(appointment.contact)
    to = address_for(recipient, row.channel)
    if row.channel == "sms" and in_quiet_hours(recipient, ctx.now) is not None:
        # A reminder that would arrive at night is of no use later: the email still goes.
        raise Suppress("quiet hours")
    link = selectors.appointment_manage_links(appointment=appointment)["detail"]
    subject, body = render(
        ctx,
        event="reminder",
        channel=row.channel,
        language=recipient.language,
        values=_values([appointment], recipient, link, ctx, row.channel),
    )
    return outgoing(row, to=to, subject=subject, body=body)


def compose_calendar_broken(row: Notification, ctx: SendContext) -> Outgoing:
    """The one alert of a broken calendar connection, naming the fix; none once it is fixed."""
    user = row.recipient
    if user is None or not user.is_active:
        raise Suppress("account disabled")
    calendar = (
        ExternalCalendar.objects.select_related("staff")
        .filter(pk=row.context.get("calendar"))
        .first()
    )
    if calendar is None or calendar.status != ExternalCalendar.Health.BROKEN:
        raise Suppress("calendar fixed")
    firm = ctx.remember("firm", portal_selectors.firm_get)
    recipient = portal_selectors.user_recipient(user)
    with translation.override(recipient.language), timezone.override(recipient.zone):
        context = {
            "firm": firm,
            "recipient": user,
            "calendar": calendar,
            "owner": calendar.staff.get_full_name() or calendar.staff.email,
            "reason": selectors.calendar_reason(calendar.last_error, calendar.provider),
            "last_success": format_when(
                calendar.last_success_at, language=recipient.language, zone=recipient.zone
            )
            if calendar.last_success_at
            else "",
            "link": absolute_url(
                reverse("scheduling:staff-calendar-detail", kwargs={"calendar_id": calendar.pk})
            ),
        }
        subject = render_to_string("emails/scheduling/calendar_broken_subject.txt", context)
        body = str(
            render_to_string("emails/scheduling/calendar_broken.txt", context)
        ) + email_footer(recipient.language)
    return outgoing(row, to=address_for(recipient, "email"), subject=subject.strip(), body=body)


def compose_owner_check(row: Notification, ctx: SendContext) -> Outgoing:
    """The email asking the owner of an address to confirm a booking made with it."""
    ids = row.context.get("appointments", [])
    first = Appointment.objects.filter(pk__in=ids).order_by("start_at").first()
    if first is None:
        raise Suppress("appointment no longer exists")
    appointments = selectors.booking_rows(selectors.appointment_current(appointment=first))
    if {a.owner_check for a in appointments} != {Appointment.OwnerCheck.PENDING}:
        raise Suppress("owner answered")
    if {a.status for a in appointments} != {Appointment.Status.BOOKED}:
        raise Suppress("appointment not active")
    recipient = portal_selectors.contact_recipient(appointments[0].contact)
    firm = ctx.remember("firm", portal_selectors.firm_get)

    def when(value: dt.datetime) -> str:
        text = format_long_datetime(value, zone=recipient.zone, language=recipient.language)
        return f"{text} {value.astimezone(recipient.zone).tzname()}"

    with translation.override(recipient.language):
        context = {
            "firm": firm,
            "name": recipient.name,
            "service": appointments[0].service.name,
            "when": "; ".join(when(a.start_at) for a in appointments),
            "link": selectors.owner_check_link(first),
            "until": when(min(selectors.owner_check_deadline(a) for a in appointments)),
        }
        subject = render_to_string("emails/scheduling/owner_check_subject.txt", context)
        body = str(render_to_string("emails/scheduling/owner_check.txt", context)) + email_footer(
            recipient.language
        )
    return outgoing(row, to=address_for(recipient, "email"), subject=subject.strip(), body=body)


NOTICES = [
    Notice(
        event="booked",
        label=_("Booking confirmed"),
        compose=compose_appointment_event,
        placeholders=PLACEHOLDERS,
        email=EMAIL["booked"],
        sms=SMS["booked"],
        sample=SAMPLE,
    ),
    Notice(
        event="rescheduled",
        label=_("Booking changed"),
        compose=compose_appointment_event,
        placeholders=PLACEHOLDERS,
        email=EMAIL["rescheduled"],
        sms=SMS["rescheduled"],
        sample=SAMPLE,
    ),
    Notice(
        event="cancelled",
        label=_("Booking cancelled"),
        compose=compose_appointment_event,
        placeholders=PLACEHOLDERS,
        email=EMAIL["cancelled"],
        sms=SMS["cancelled"],
        sample=SAMPLE,
    ),
    Notice(
        event="no_show",
        label=_("Missed appointment"),
        compose=compose_appointment_event,
        placeholders=PLACEHOLDERS,
        email=EMAIL["no_show"],
        sms=SMS["no_show"],
        sample=SAMPLE,
    ),
    Notice(
        event=Reminder.NOTICE_EVENT,
        label=_("Appointment reminder"),
        compose=compose_reminder,
        placeholders=PLACEHOLDERS,
        email=EMAIL["reminder"],
        sms=SMS["reminder"],
        sample=SAMPLE,
    ),
    Notice(
        event=OWNER_CHECK_NOTICE,
        label=_("Booking made with a client's email: please confirm"),
        compose=compose_owner_check,
    ),
    Notice(
        event=CALENDAR_BROKEN_NOTICE,
        label=_("Calendar connection broken"),
        compose=compose_calendar_broken,
        select_related=("recipient__contact",),
    ),
]


def register() -> None:
    for notice in NOTICES:
        registry.register(notice)
    registry.register_outbox(Reminder)
    register_reasons(REASONS)
