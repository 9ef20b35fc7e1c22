"""The monthly digest to firm admins (spec insights.md §5): on the first business day of
the month, last month's target metrics with arrows against the month before, and a link.

Numbers only: the queued row's context holds metric ids, values and counts, never a
name, a comment or a matter title, and the composer writes nothing else. One digest per
admin per month, however often the job runs (the outbox's key per admin and month).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from audit.services import audit_record
from core.business_time import BusinessCalendar
from insights import selectors as insights_selectors
from insights.audit_actions import InsightsAction
from insights.metrics.base import Figure, all_metrics
from insights.periods import Period
from notifications import selectors as notifications_selectors
from notifications.services import notice_queue_once
from portal import selectors as portal_selectors

DIGEST = "insights_digest"


def first_business_day(year: int, month: int, calendar: BusinessCalendar) -> dt.date:
    day = dt.date(year, month, 1)
    for _ in range(31):
        if calendar.is_business_day(day):
            return day
        day += dt.timedelta(days=1)
    return dt.date(year, month, 1)  # a month with no business day: the first, as a fallback


def digest_key(month: Period, user_id: Any) -> str:
    return f"insights-digest:{month.start:%Y-%m}:{user_id}"


def _plain(value: Any) -> str | None:
    return None if value is None else str(value)


def _item(metric_id: str, unit: str, figure: Figure, previous: Figure | None) -> dict[str, Any]:
    return {
        "metric": metric_id,
        "unit": unit,
        "currency": figure.currency,
        "value": _plain(figure.value),
        "too_few": figure.too_few,
        "numerator": _plain(figure.numerator),
        "denominator": _plain(figure.denominator),
        "n": figure.n,
        "previous": _plain(previous.value) if previous is not None else None,
    }


def digest_items(*, month: Period, now: dt.datetime) -> list[dict[str, Any]]:
    """The digest metrics' figures for ``month`` (whole firm, no filters) and the value of
    the month before, per currency, as plain JSON values."""
    scope = insights_selectors.firm_scope(period=month, now=now)
    before = scope.with_period(month.previous())
    items = []
    for metric in all_metrics():
        if not metric.digest:
            continue
        figures = metric.value(metric.rows(scope))
        previous = {f.currency: f for f in metric.value(metric.rows(before))}
        items += [_item(metric.id, metric.unit, f, previous.get(f.currency)) for f in figures]
    return items


def insights_digest_queue(*, now: dt.datetime | None = None) -> int:
    """Queue last month's digest for every firm admin, from the first business day of the
    month on (a later run catches up a missed one); returns how many were queued now."""
    now = now or timezone.now()
    firm = portal_selectors.firm_get()
    today = now.astimezone(ZoneInfo(firm.time_zone)).date()
    calendar = portal_selectors.firm_business_calendar()
    if today < first_business_day(today.year, today.month, calendar):
        return 0
    month = Period.month(today.year, today.month).previous()
    admins = [u for u in portal_selectors.active_staff() if u.is_firm_admin]
    waiting = [
        u
        for u in admins
        if not notifications_selectors.notice_key_queued(
            key=digest_key(month, u.pk), channel="email"
        )
    ]
    if not waiting:
        return 0
    items = digest_items(month=month, now=now)
    queued = 0
    for admin in waiting:
        row = notice_queue_once(
            event=DIGEST,
            key=digest_key(month, admin.pk),
            channel="email",
            recipient_id=admin.pk,
            about=f"insightsdigest:{month.start:%Y-%m}",
            context={"month": month.start.isoformat(), "items": items},
        )
        if row is not None:
            queued += 1
    if queued:
        audit_record(
            action=InsightsAction.DIGEST_SENT,
            data={"month": month.start.isoformat(), "recipients": queued, "metrics": len(items)},
        )
    return queued
