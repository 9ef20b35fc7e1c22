"""The monthly digest's notice (registered in InsightsConfig.ready()): composed at send
time in the admin's language from the numbers the queued row holds (see
insights/services/digest.py). Staff only and worded by a page template, so it is not
among the texts a firm edits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.links import absolute_url
from insights.metrics.base import Figure, get
from insights.presentation import change_between, format_value
from insights.services.digest import DIGEST
from notifications import registry
from notifications.channels import Outgoing, email_footer
from notifications.compose import address_for, outgoing
from notifications.outbox import Suppress
from notifications.registry import Notice, SendContext
from portal import selectors as portal_selectors

if TYPE_CHECKING:
    from notifications.models import Notification

ARROWS = {"up": "↑", "down": "↓", "flat": "→"}


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _figure(item: dict[str, Any], value: Any) -> Figure:
    return Figure(
        value=_decimal(value),
        n=int(item.get("n") or 0),
        unit=item.get("unit") or "count",
        numerator=_decimal(item.get("numerator")),
        denominator=_decimal(item.get("denominator")),
        currency=str(item.get("currency") or ""),
        too_few=bool(item.get("too_few")),
    )


def digest_lines(items: list[dict[str, Any]], language: str) -> list[dict[str, str]]:
    """One line per metric (per currency): title, value, arrow and change; numbers only."""
    lines = []
    for item in items:
        metric = get(str(item.get("metric")))
        if metric is None:
            continue
        now, before = _figure(item, item.get("value")), _figure(item, item.get("previous"))
        if now.too_few:
            value = gettext("too few to judge (%(numerator)s of %(denominator)s)") % {
                "numerator": item.get("numerator") or 0,
                "denominator": item.get("denominator") or item.get("n") or 0,
            }
        else:
            value = format_value(now.value, now.unit, now.currency, language)
        change = change_between(now, before, unit=now.unit, against=gettext("the month before"))
        title = str(metric.title) + (f" ({now.currency})" if now.currency else "")
        lines.append(
            {
                "title": title,
                "value": value,
                "arrow": ARROWS[change.direction] if change else "",
                "change": change.text if change else "",
            }
        )
    return lines


def compose_digest(row: Notification, ctx: SendContext) -> Outgoing:
    user = row.recipient
    if user is None or not user.is_firm_admin:
        raise Suppress("no longer a firm admin")
    firm = ctx.remember("firm", portal_selectors.firm_get)
    recipient = portal_selectors.user_recipient(user)
    month = dt.date.fromisoformat(str(row.context.get("month")))
    link = absolute_url(reverse("insights:overview")) + f"?period=month&date={month:%Y-%m-%d}"
    language = recipient.language
    with translation.override(language):
        context = {
            "firm": firm,
            "name": recipient.name,
            "month": formats.date_format(month, "YEAR_MONTH_FORMAT"),
            "lines": digest_lines(list(row.context.get("items") or []), language),
            "link": link,
        }
        subject = render_to_string("emails/insights/digest_subject.txt", context).strip()
        body = str(render_to_string("emails/insights/digest.txt", context)) + email_footer(language)
    return outgoing(row, to=address_for(recipient, "email"), subject=subject, body=body)


NOTICE = Notice(
    event=DIGEST,
    label=_("Monthly insights digest (firm admins)"),
    compose=compose_digest,
    select_related=("recipient",),
)


def register() -> None:
    registry.register(NOTICE)
