from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from insights.services.digest import insights_digest_queue
from insights.services.snapshots import closed_month_before, metric_snapshots_write
from portal import selectors as portal_selectors


@shared_task(ignore_result=True)
def metric_snapshots_previous_month() -> None:
    """Nightly: the month that ended on the firm's clock (a re-run writes nothing)."""
    now = timezone.now()
    month = closed_month_before(now, portal_selectors.firm_get().time_zone)
    metric_snapshots_write(month=month, now=now)


@shared_task(ignore_result=True)
def insights_digest_monthly() -> None:
    """Daily: on the month's first business day (or the first run after it) the digest
    of last month goes to each firm admin, once."""
    insights_digest_queue()
