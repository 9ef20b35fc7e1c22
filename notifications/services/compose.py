"""Turning an outbox row into a message: who, in which language and zone, which words.

Everything is read at send time, so a text always quotes the current state of things.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation

from notifications import defaults
from notifications.channels import Outgoing
from notifications.models import Notification
from notifications.services.sweep import Postpone, SendContext, Suppress
from notifications.text import fill

LANGUAGES = ("en", "pl", "es", "ru")


@dataclass
class Recipient:
    name: str
    email: str
    phone: str
    language: str
    time_zone: str
    sms_consent: bool
    prefers_sms: bool
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None

    @property
    def can_sms(self) -> bool:
        return self.sms_consent and bool(self.phone)

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


def _firm() -> Any:
    from portal.selectors import firm_get

    return firm_get()


def recipient_from_contact(contact: Any) -> Recipient:
    return Recipient(
        name=contact.first_name or contact.full_name,
        email=contact.email or (contact.user.email if contact.user_id else ""),
        phone=str(contact.phone) if contact.phone else "",
        language=contact.language if contact.language in LANGUAGES else "en",
        time_zone=contact.time_zone,
        sms_consent=contact.sms_consent,
        prefers_sms=contact.preferred_channel == "sms",
        quiet_start=contact.quiet_hours_start,
        quiet_end=contact.quiet_hours_end,
    )


def recipient_from_user(user: Any) -> Recipient:
    try:
        contact = user.contact
    except ObjectDoesNotExist:
        contact = None
    if contact is not None:
        recipient = recipient_from_contact(contact)
        recipient.email = user.email or recipient.email
        return recipient
    firm = _firm()
    return Recipient(
        name=user.first_name or user.email, email=user.email, phone="",
        language=user.language or firm.default_language, time_zone=user.time_zone or
        firm.time_zone, sms_consent=False, prefers_sms=False,
    )


def format_when(value: dt.datetime, *, language: str, zone: ZoneInfo) -> str:
    """'Mon 9 Mar, 10:00 CET' in the person's language and zone (the zone is named)."""
    local = value.astimezone(zone)
    with translation.override(language):
        text = formats.date_format(local, "D j M, H:i")
    return f"{text} {local.tzname()}"


def format_day(value: dt.date | dt.datetime, *, language: str, zone: ZoneInfo) -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(zone)
    with translation.override(language):
        return formats.date_format(value, "D j M")


def in_quiet_hours(recipient: Recipient, now: dt.datetime) -> dt.datetime | None:
    """When the person's quiet hours end, if `now` falls inside them; otherwise None."""
    start, end = recipient.quiet_start, recipient.quiet_end
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(recipient.zone)
    t = local.time().replace(tzinfo=None)
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    end_day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    # Wall-clock end in the person's zone; fold=0 picks the first of a repeated hour.
    return dt.datetime.combine(end_day, end, tzinfo=recipient.zone).astimezone(dt.UTC)


def absolute(url: str) -> str:
    return url if url.startswith("http") else settings.SITE_URL + url


def text_for(ctx: SendContext | None, *, event: str, channel: str,
             language: str) -> defaults.Text:
    override = (ctx.templates.get((event, channel, language)) if ctx is not None else None)
    if override is None and ctx is None:
        from notifications.models import NotificationTemplate

        override = NotificationTemplate.objects.filter(
            event=event, channel=channel, language=language).first()
    if override is not None:
        return defaults.Text(override.subject, override.body)
    return defaults.default_text(event=event, channel=channel, language=language)


def render(ctx: SendContext | None, *, event: str, channel: str, language: str,
           values: dict[str, str]) -> tuple[str, str]:
    text = text_for(ctx, event=event, channel=channel, language=language)
    subject = fill(text.subject, values).replace("\n", " ").strip()
    return subject, fill(text.body, values)


def address_for(recipient: Recipient, channel: str) -> str:
    if channel == "sms":
        if not recipient.sms_consent:
            raise Suppress("no SMS consent")
        if not recipient.phone:
            raise Suppress("no phone number")
        return recipient.phone
    if not recipient.email:
        raise Suppress("no email address")
    return recipient.email


def status_callback_for(pk: Any) -> str:
    base = getattr(settings, "TWILIO_STATUS_CALLBACK_URL", "")
    path = reverse("notifications:twilio-status", kwargs={"delivery_id": pk})
    if base:
        return base.rstrip("/") + path
    return absolute(path)


def matter_link(*, matter: Any, user: Any | None, event: str = "message") -> str:
    """The one link of a matter notice: its messages page (the same page for staff and
    clients), its tasks or requests page, else the matter itself."""
    names = {"message": ("portal:message-list",), "task_due": ("portal:task-list",),
             "document_due": ("portal:request-list",)}.get(event, ())
    for name in names:
        try:
            return absolute(reverse(name, kwargs={"matter_id": matter.pk}))
        except NoReverseMatch:
            continue
    return absolute(reverse("portal:matter-detail", kwargs={"matter_id": matter.pk}))


def _recipient_of(row: Notification) -> Recipient:
    if row.recipient_id:
        return recipient_from_user(row.recipient)
    if row.contact_id:
        return recipient_from_contact(row.contact)
    raise Suppress("no recipient")


def compose_notification(row: Notification, ctx: SendContext) -> Outgoing:
    if row.event in ("booked", "rescheduled", "cancelled", "no_show"):
        from notifications.services.appointments import compose_appointment_event

        return compose_appointment_event(row, ctx)
    if row.recipient is not None and not row.recipient.is_active:
        raise Suppress("account disabled")
    recipient = _recipient_of(row)
    to = address_for(recipient, row.channel)
    if row.channel == "sms":
        until = in_quiet_hours(recipient, ctx.now)
        if until is not None:
            raise Postpone(until, "quiet hours")
    values: dict[str, str] = {"firm": ctx.firm.name, "name": recipient.name}
    if row.matter is not None:
        values["matter"] = row.matter.reference
        values["link"] = matter_link(matter=row.matter, user=row.recipient, event=row.event)
    values["count"] = str(row.batch_count)
    due = row.context.get("due")
    if due:
        values["due"] = format_day(dt.date.fromisoformat(due[:10]), language=recipient.language,
                                   zone=recipient.zone)
    subject, body = render(ctx, event=row.event, channel=row.channel,
                           language=recipient.language, values=values)
    return Outgoing(channel=row.channel, to=to, subject=subject, body=body,
                    status_callback=status_callback_for(row.pk) if row.channel == "sms" else "")
