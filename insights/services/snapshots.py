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
from insights.selectors.scope import firm_scope


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
    """Write the whole firm's figure of every metric for a closed month: one row per
    metric (and currency, where the metric has one) and definition version. A row that
    exists already is left as it is, so a re-run writes nothing and a bumped
    ``definition_version`` writes a new row beside the old one. Returns how many rows
    were written. Raises ServiceError for a month that is not a closed calendar month."""
    scope = firm_scope(period=month, now=now)
    if month.kind != MONTH or month != Period.month(month.start.year, month.start.month):
        raise ServiceError(_("Snapshots are made of calendar months only."))
    if month.end > now.astimezone(ZoneInfo(scope.firm_tz)).date():
        raise ServiceError(_("This month is not over yet."))
    rows = []
    for metric in all_metrics():
        for figure in metric.value(metric.rows(scope)):
            rows.append(
                MetricSnapshot(
                    metric=metric.id,
                    definition_version=metric.definition_version,
                    period_start=month.start,
                    filters_hash="",
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
            MetricSnapshot.objects.filter(period_start=month.start, filters_hash="").values_list(
                "metric", "definition_version", "currency"
            )
        )
        new = [r for r in rows if (r.metric, r.definition_version, r.currency) not in existing]
        # ignore_conflicts: a second job racing this one cannot rewrite a row either.
        MetricSnapshot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
