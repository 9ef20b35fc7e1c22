"""Month-end figures of many months at once, for the overview's sparklines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from insights.models import MetricSnapshot


def own_filters_hash(user_pk: Any) -> str:
    """The snapshots' key of one staff member's own figures (their overview, unfiltered)."""
    return f"own:{user_pk}"


def snapshots_by_month(
    *, months: Sequence[dt.date], metric_versions: dict[str, int], filters_hash: str = ""
) -> dict[tuple[str, str, dt.date], MetricSnapshot]:
    """The month-end snapshot (the whole firm's, or with ``filters_hash`` one staff
    member's own) per (metric id, currency, month start) for the
    given months, made under each metric's current definition (an older definition's
    figure is not this metric's any more). One query."""
    out: dict[tuple[str, str, dt.date], MetricSnapshot] = {}
    if not months or not metric_versions:
        return out
    rows = MetricSnapshot.objects.filter(
        period_start__in=list(months), filters_hash=filters_hash, metric__in=list(metric_versions)
    )
    for snap in rows:
        if metric_versions.get(snap.metric) == snap.definition_version:
            out[(snap.metric, snap.currency, snap.period_start)] = snap
    return out
