"""The month-end snapshot a live figure is compared with ("changed since month end")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from insights.metrics.base import Figure, Metric, Scope
from insights.models import MetricSnapshot
from insights.periods import MONTH, Period


@dataclass(frozen=True)
class SnapshotChange:
    """How a closed month's live figure stands against its month-end snapshot.

    ``changed``: the live counts or value differ from the snapshot's (a late no-show mark:
    "changed since month end: 88 % → 91 %"). ``definition_changed``: the snapshot was made
    under another definition_version, so the two are not compared (``changed`` False)."""

    snapshot: MetricSnapshot
    live: Figure
    changed: bool
    definition_changed: bool

    @property
    def before(self) -> Decimal | None:
        return self.snapshot.value

    @property
    def after(self) -> Decimal | None:
        return self.live.value


def _comparable(scope: Scope) -> bool:
    """Snapshots are of the whole firm's closed months, without filters."""
    period = scope.period
    if period.kind != MONTH or period != Period.month(period.start.year, period.start.month):
        return False
    today = (scope.now or timezone.now()).astimezone(ZoneInfo(scope.firm_tz)).date()
    return not scope.own_only and not any(scope.filters.values()) and period.end <= today


def snapshots_for_period(*, scope: Scope) -> dict[tuple[str, str], MetricSnapshot]:
    """The latest-version snapshot per (metric id, currency) of the scope's month, when
    the scope can be compared with one (the whole firm, a closed month, no filters);
    otherwise {}. One query, for all the metrics of a page."""
    if not _comparable(scope):
        return {}
    out: dict[tuple[str, str], MetricSnapshot] = {}
    for snap in MetricSnapshot.objects.filter(
        period_start=scope.period.start, filters_hash=""
    ).order_by("metric", "currency", "-definition_version"):
        out.setdefault((snap.metric, snap.currency), snap)
    return out


def snapshot_change(
    *, metric: Metric, figure: Figure, snapshots: dict[tuple[str, str], MetricSnapshot]
) -> SnapshotChange | None:
    """The comparison for one live figure, or None when there is no snapshot for it."""
    snap = snapshots.get((metric.id, figure.currency))
    if snap is None:
        return None
    if snap.definition_version != metric.definition_version:
        return SnapshotChange(snapshot=snap, live=figure, changed=False, definition_changed=True)

    def same(a: Decimal | None, b: Decimal | None) -> bool:
        if a is None or b is None:
            return a is b
        return Decimal(a) == Decimal(b)

    changed = not (
        snap.n == figure.n
        and same(snap.value, figure.value)
        and same(snap.numerator, figure.numerator)
        and same(snap.denominator, figure.denominator)
    )
    return SnapshotChange(snapshot=snap, live=figure, changed=changed, definition_changed=False)


def snapshot_compare(*, metric: Metric, scope: Scope, figure: Figure) -> SnapshotChange | None:
    """The month-end snapshot for one metric's live figure (one query)."""
    return snapshot_change(
        metric=metric, figure=figure, snapshots=snapshots_for_period(scope=scope)
    )
