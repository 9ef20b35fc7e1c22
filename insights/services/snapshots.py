"""Month-end snapshots of the metrics (insights.md §1.6, §8): written once, never rewritten."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from insights.metrics import all_metrics
from insights.models import MetricSnapshot
from insights.periods import MONTH, Period
from insights.selectors.history import own_filters_hash
from insights.selectors.scope import firm_scope, insights_scope, may_see_all
from portal import selectors as portal_selectors


def filters_hash(filters: Mapping[str, Any] | None) -> str:
    """A stable key for a set of filters; "" for none (the whole firm)."""
    clean = {k: v for k, v in (filters or {}).items() if v not in (None, "", [], ())}
    if not clean:
        return ""
    text = json.dumps(clean, sort_keys=True, default=lambda v: str(getattr(v, "pk", v)))
    return hashlib.sha256(text.encode()).hexdigest()


def closed_month_before(now: dt.datetime, firm_tz: str) -> Period:
    """The last month that is over on the firm's wall clock at ``now``."""
    today = now.astimezone(ZoneInfo(firm_tz)).date()
    return Period.month(today.year, today.month).previous()


def metric_snapshots_write(*, month: Period, now: dt.datetime) -> int:
    """Write the whole firm's figure of every metric for a closed month, and each staff
    member's own figure (for those who see only their own): one row per metric (and
    currency, where the metric has one), definition version and whose figure it is. A row that
    exists already is left as it is, so a re-run writes nothing and a bumped
    ``definition_version`` writes a new row beside the old one. Returns how many rows
    were written. Raises ServiceError for a month that is not a closed calendar month."""
    scope = firm_scope(period=month, now=now)
    if month.kind != MONTH or month != Period.month(month.start.year, month.start.month):
        raise ServiceError(_("Snapshots are made of calendar months only."))
    if month.end > now.astimezone(ZoneInfo(scope.firm_tz)).date():
        raise ServiceError(_("This month is not over yet."))
    # The whole firm's figures, and each staff member's own (what a lawyer's overview
    # shows them): a page reads closed months from here instead of counting them again.
    scopes = [("", scope)]
    for member in portal_selectors.active_staff():
        if not may_see_all(member):
            own = insights_scope(user=member, period=month, now=now)
            scopes.append((own_filters_hash(member.pk), own))
    # A night after the first one finds the month written: nothing is counted again.
    done = set(
        MetricSnapshot.objects.filter(period_start=month.start).values_list(
            "metric", "definition_version", "filters_hash"
        )
    )
    rows = []
    for key, each in scopes:
        for metric in all_metrics():
            if (metric.id, metric.definition_version, key) in done:
                continue
            for figure in metric.value(metric.rows(each)):
                rows.append(
                    MetricSnapshot(
                        metric=metric.id,
                        definition_version=metric.definition_version,
                        period_start=month.start,
                        filters_hash=key,
                        currency=figure.currency,
                        numerator=figure.numerator,
                        denominator=figure.denominator,
                        value=figure.value,
                        n=figure.n,
                        computed_at=now,
                    )
                )
    with transaction.atomic():
        existing = set(
            MetricSnapshot.objects.filter(period_start=month.start).values_list(
                "metric", "definition_version", "currency", "filters_hash"
            )
        )
        new = [
            r
            for r in rows
            if (r.metric, r.definition_version, r.currency, r.filters_hash) not in existing
        ]
        # ignore_conflicts: a second job racing this one cannot rewrite a row either.
        MetricSnapshot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
