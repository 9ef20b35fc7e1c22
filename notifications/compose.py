"""Helpers for composers: who (a Recipient), which words, which address, when not to send.

Everything is read at send time, so a text always quotes the current state of things.
The app that owns a notice builds the Recipient from its own models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from core import time
from core.languages import supported
from core.links import absolute_url
from notifications.channels import Outgoing, email_footer
from notifications.outbox import Postpone, Suppress
from notifications.registry import SendContext, Text, notice
from notifications.selectors import template_get
from notifications.text import fill


@dataclass
class Recipient:
    """Where and how to reach a person: addresses, language, zone, consent, quiet hours."""

    name: str
    email: str
    phone: str
    language: str
    time_zone: str
    sms_consent: bool
    prefers_sms: bool
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None

    def __post_init__(self) -> None:
        self.language = supported(self.language)

    @property
    def can_sms(self) -> bool:
        return self.sms_consent and bool(self.phone)

    @property
    def zone(self) -> ZoneInfo:
        return time.zone(self.time_zone)

    def reminder_channels(self) -> list[str]:
        """Appointment messages: email always, SMS too whenever the person agreed to it."""
        return ["email", "sms"] if self.can_sms else ["email"]

    def notice_channels(self) -> list[str]:
        """Other notices: email always, SMS too when the person asked for SMS and agreed."""
        return ["email", "sms"] if self.prefers_sms and self.can_sms else ["email"]


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


def postpone_sms_in_quiet_hours(recipient: Recipient, channel: str, now: dt.datetime) -> None:
    """An SMS notice that falls inside quiet hours waits until they end."""
    if channel == "sms":
        until = in_quiet_hours(recipient, now)
        if until is not None:
            raise Postpone(until, "quiet hours")


def text_for(ctx: SendContext | None, *, event: str, channel: str, language: str) -> Text:
    """The firm's wording of this notice if it changed it, else the one shipped."""
    override = ctx.templates.get((event, channel, language)) if ctx is not None else None
    if override is None and ctx is None:
        override = template_get(event=event, channel=channel, language=language)
    if override is not None:
        return Text(override.subject, override.body)
    return notice(event).default_text(channel=channel, language=language)


def render(
    ctx: SendContext | None, *, event: str, channel: str, language: str, values: dict[str, str]
) -> tuple[str, str]:
    text = text_for(ctx, event=event, channel=channel, language=language)
    subject = fill(text.subject, values).replace("\n", " ").strip()
    body = fill(text.body, values)
    footer = email_footer(language) if channel == "email" else ""
    if footer:
        # The firm's wording may change; the link to its privacy notice stays.
        body = body.rstrip("\n") + footer + "\n"
    return subject, body


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
    """Where Twilio reports on this SMS (the signed URL names the row)."""
    path = reverse("notifications:twilio-status", kwargs={"delivery_id": pk})
    base = str(settings.TWILIO_STATUS_CALLBACK_URL)
    if base:
        return base.rstrip("/") + path
    return absolute_url(path)


def outgoing(
    row: Any,
    *,
    to: str,
    subject: str,
    body: str,
    attachments: list[tuple[str, str | bytes, str]] | None = None,
) -> Outgoing:
    """The message for this row, with a delivery-report callback for an SMS."""
    return Outgoing(
        channel=row.channel,
        to=to,
        subject=subject,
        body=body,
        attachments=attachments or [],
        status_callback=status_callback_for(row.pk) if row.channel == "sms" else "",
    )
