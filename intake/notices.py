"""Intake's notices: the one link to a form (sent to a contact, or after a booking).
Registered in IntakeConfig.ready(); the row names the draft (`intakedraft:<uuid>`) and the
composer rebuilds the signed link at send time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.links import absolute_url
from intake.links import draft_url
from intake.models import Engagement, IntakeDraft
from intake.notice_texts import (
    EMAIL,
    ENGAGEMENT_DECLINED_STAFF,
    ENGAGEMENT_SENT,
    FORM_LINK,
    FORM_REMINDER,
    SMS,
)
from notifications import registry
from notifications.channels import Outgoing
from notifications.compose import address_for, outgoing, postpone_sms_in_quiet_hours, render
from notifications.outbox import Suppress, key_id
from notifications.registry import COMMON_PLACEHOLDERS, Notice, SendContext
from portal import selectors as portal_selectors

if TYPE_CHECKING:
    from notifications.models import Notification


def compose_form_link(row: Notification, ctx: SendContext) -> Outgoing:
    draft_id = key_id(row.about, "intakedraft")
    draft = (
        IntakeDraft.objects.select_related("contact__user").filter(pk=draft_id).first()
        if draft_id
        else None
    )
    if draft is None or draft.contact is None:
        raise Suppress("no longer needed")
    if draft.submitted_at is not None:
        raise Suppress("form already sent")
    if draft.expires_at <= timezone.now():
        raise Suppress("link expired")
    recipient = portal_selectors.contact_recipient(draft.contact)
    to = address_for(recipient, row.channel)
    postpone_sms_in_quiet_hours(recipient, row.channel, ctx.now)
    firm = ctx.remember("firm", portal_selectors.firm_get)
    values = {"firm": firm.name, "name": recipient.name, "link": draft_url(draft)}
    subject, body = render(
        ctx, event=row.event, channel=row.channel, language=recipient.language, values=values
    )
    return outgoing(row, to=to, subject=subject, body=body)


def compose_engagement_sent(row: Notification, ctx: SendContext) -> Outgoing:
    """A content-free notice: no title, no fee, only the link to the portal."""
    engagement_id = key_id(row.about, "engagement")
    engagement = (
        Engagement.objects.select_related("contact__user").filter(pk=engagement_id).first()
        if engagement_id
        else None
    )
    if engagement is None or engagement.status not in Engagement.WITH_CLIENT:
        raise Suppress("no longer waiting for the client")
    recipient = portal_selectors.contact_recipient(engagement.contact)
    to = address_for(recipient, row.channel)
    postpone_sms_in_quiet_hours(recipient, row.channel, ctx.now)
    firm = ctx.remember("firm", portal_selectors.firm_get)
    link = absolute_url(reverse("intake:portal-engagement", args=[engagement.pk]))
    values = {"firm": firm.name, "name": recipient.name, "link": link}
    subject, body = render(
        ctx, event=row.event, channel=row.channel, language=recipient.language, values=values
    )
    return outgoing(row, to=to, subject=subject, body=body)


def compose_engagement_declined(row: Notification, ctx: SendContext) -> Outgoing:
    """To a staff member: a client declined a letter. No name, no reason: the link to the
    lead page, which shows both to staff who may see the lead."""
    user = row.recipient
    if user is None or not user.is_active:
        raise Suppress("account disabled")
    engagement_id = key_id(row.about, "engagement")
    engagement = (
        Engagement.objects.filter(pk=engagement_id).only("pk", "lead_id", "status").first()
        if engagement_id
        else None
    )
    if engagement is None or engagement.status != Engagement.Status.DECLINED:
        raise Suppress("no longer declined")
    recipient = portal_selectors.user_recipient(user)
    to = address_for(recipient, row.channel)
    firm = ctx.remember("firm", portal_selectors.firm_get)
    link = absolute_url(reverse("intake:staff-lead", args=[engagement.lead_id]))
    values = {"firm": firm.name, "name": recipient.name, "link": link}
    subject, body = render(
        ctx, event=row.event, channel=row.channel, language=recipient.language, values=values
    )
    return outgoing(row, to=to, subject=subject, body=body)


NOTICES = [
    Notice(
        event=FORM_LINK,
        label=_("Intake form link"),
        compose=compose_form_link,
        placeholders=COMMON_PLACEHOLDERS,
        email=EMAIL[FORM_LINK],
        sms=SMS[FORM_LINK],
    ),
    Notice(
        event=FORM_REMINDER,
        label=_("Intake form reminder before the appointment"),
        compose=compose_form_link,
        placeholders=COMMON_PLACEHOLDERS,
        email=EMAIL[FORM_REMINDER],
        sms=SMS[FORM_REMINDER],
    ),
    Notice(
        event=ENGAGEMENT_SENT,
        label=_("Engagement letter to sign"),
        compose=compose_engagement_sent,
        placeholders=COMMON_PLACEHOLDERS,
        email=EMAIL[ENGAGEMENT_SENT],
        sms=SMS[ENGAGEMENT_SENT],
    ),
    Notice(
        event=ENGAGEMENT_DECLINED_STAFF,
        label=_("Engagement letter declined by the client (staff)"),
        compose=compose_engagement_declined,
        placeholders=COMMON_PLACEHOLDERS,
        email=EMAIL[ENGAGEMENT_DECLINED_STAFF],
        sms=SMS[ENGAGEMENT_DECLINED_STAFF],
        select_related=("recipient__contact",),
    ),
]


def register() -> None:
    for notice in NOTICES:
        registry.register(notice)
