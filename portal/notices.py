"""Portal's notices: the secure-message notice, task and document due notices, and the
silence digest to lawyers. Registered in PortalConfig.ready().

Rows name their matter by key (`matter:<uuid>`); these composers resolve it at send time.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.links import absolute_url
from core.time import format_day
from notifications import registry
from notifications.channels import Outgoing, email_footer
from notifications.compose import address_for, outgoing, postpone_sms_in_quiet_hours, render
from notifications.outbox import Suppress, key_id
from notifications.registry import COMMON_PLACEHOLDERS, Notice, SendContext
from portal import selectors
from portal.models import Matter
from portal.notice_texts import EMAIL, SMS
from portal.services.client_notices import UPDATE_NOTICE
from portal.services.due_notices import DOCUMENT_DUE, TASK_DUE
from portal.services.inbox import ACTIVITY_DIGEST, ACTIVITY_NOTICE
from portal.services.messages import MESSAGE_NOTICE
from portal.services.silence import SILENCE_NOTICE

if TYPE_CHECKING:
    from notifications.models import Notification

# The page each notice links to (the same page for staff and clients).
LINKS = {
    MESSAGE_NOTICE: "portal:message-list",
    TASK_DUE: "portal:task-list",
    DOCUMENT_DUE: "portal:request-list",
    UPDATE_NOTICE: "portal:matter-detail",
    ACTIVITY_NOTICE: "staff:matter-detail",
}
SAMPLE = {"matter": "FAM-2026-001", "count": "2", "due": "Fri 13 Mar"}


def _matter(row: Notification, ctx: SendContext) -> Matter:
    matter_id = key_id(row.about, "matter")
    # Once per matter and sweep: a batch of notices often names the same matter.
    matter = (
        ctx.remember(row.about, lambda: Matter.objects.filter(pk=matter_id).first())
        if matter_id
        else None
    )
    if matter is None:
        raise Suppress("no longer needed")
    return matter


def compose_matter_notice(row: Notification, ctx: SendContext) -> Outgoing:
    """ "You have a new secure message" or "due tomorrow": one link, nothing confidential."""
    user = row.recipient
    if user is None:
        raise Suppress("no recipient")
    if not user.is_active:
        raise Suppress("account disabled")
    recipient = selectors.user_recipient(user)
    to = address_for(recipient, row.channel)
    postpone_sms_in_quiet_hours(recipient, row.channel, ctx.now)
    matter = _matter(row, ctx)
    firm = ctx.remember("firm", selectors.firm_get)
    values = {
        "firm": firm.name,
        "name": recipient.name,
        "matter": matter.reference,
        "link": absolute_url(reverse(LINKS[row.event], kwargs={"matter_id": matter.pk})),
        "count": str(row.batch_count),
    }
    due = row.context.get("due")
    if due:
        values["due"] = format_day(
            dt.date.fromisoformat(due[:10]), language=recipient.language, zone=recipient.zone
        )
    subject, body = render(
        ctx, event=row.event, channel=row.channel, language=recipient.language, values=values
    )
    return outgoing(row, to=to, subject=subject, body=body)


def compose_activity_digest(row: Notification, ctx: SendContext) -> Outgoing:
    """A staff member's digest of client activity: how many things, one link to the inbox."""
    user = row.recipient
    if user is None or not user.is_active or not user.is_firm_staff:
        raise Suppress("account disabled")
    recipient = selectors.user_recipient(user)
    firm = ctx.remember("firm", selectors.firm_get)
    values = {
        "firm": firm.name,
        "name": recipient.name,
        "count": str(row.batch_count),
        "link": absolute_url(reverse("staff:inbox")),
    }
    subject, body = render(
        ctx, event=row.event, channel=row.channel, language=recipient.language, values=values
    )
    return outgoing(row, to=address_for(recipient, row.channel), subject=subject, body=body)


def compose_silence_digest(row: Notification, ctx: SendContext) -> Outgoing:
    """The lawyer's daily list of silent matters, in their language and zone."""
    lawyer = row.recipient
    if lawyer is None or not lawyer.is_active:
        raise Suppress("account disabled")
    matters = selectors.silent_matters_for_user(user=lawyer, now=ctx.now)
    if not matters:
        raise Suppress("no longer needed")
    firm = ctx.remember("firm", selectors.firm_get)
    language = lawyer.language or firm.default_language
    with translation.override(language), timezone.override(lawyer.time_zone or firm.time_zone):
        context = {
            "firm": firm,
            "lawyer": lawyer,
            "matters": matters,
            "days": firm.silence_days,
            "link": absolute_url(reverse("staff:silence-list")),
        }
        subject = render_to_string("emails/portal/silence_subject.txt", context).strip()
        body = str(render_to_string("emails/portal/silence.txt", context)) + email_footer(language)
    return outgoing(
        row, to=address_for(selectors.user_recipient(lawyer), "email"), subject=subject, body=body
    )


def _notice(event: str, label: Promise, placeholders: tuple[str, ...]) -> Notice:
    return Notice(
        event=event,
        label=label,
        compose=compose_matter_notice,
        placeholders=(*COMMON_PLACEHOLDERS, *placeholders),
        email=EMAIL[event],
        sms=SMS[event],
        sample=SAMPLE,
        select_related=("recipient__contact",),
    )


NOTICES = [
    _notice(MESSAGE_NOTICE, _("New secure message"), ("matter", "count")),
    _notice(TASK_DUE, _("Task due"), ("matter", "due")),
    _notice(DOCUMENT_DUE, _("Document request due"), ("matter", "due")),
    _notice(UPDATE_NOTICE, _("News on a matter (shared by the firm)"), ("matter", "count")),
    _notice(ACTIVITY_NOTICE, _("Client activity on a matter (staff)"), ("matter", "count")),
    Notice(
        event=ACTIVITY_DIGEST,
        label=_("Client activity digest (staff)"),
        compose=compose_activity_digest,
        placeholders=(*COMMON_PLACEHOLDERS, "count"),
        email=EMAIL[ACTIVITY_DIGEST],
        sms=SMS[ACTIVITY_DIGEST],
        sample=SAMPLE,
        select_related=("recipient__contact",),
    ),
    # Staff only, and its wording is a page template: not among the editable texts.
    Notice(
        event=SILENCE_NOTICE,
        label=_("Silent matters digest (staff)"),
        compose=compose_silence_digest,
    ),
]


def register() -> None:
    for notice in NOTICES:
        registry.register(notice)
