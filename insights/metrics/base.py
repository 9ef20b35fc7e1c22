"""The metric registry's types (spec insights.md §1): one definition per metric.

A metric's card, chart, breakdown table, drill-down table and CSV all come from its one
``rows`` function: the card is ``metric.value(rows)``, a chart bar is the same over the
rows of a sub-period, a breakdown line the same over the rows of one group, and the CSV
writes exactly those rows. They cannot disagree because nothing else computes them.

Rows are plain dicts: the keys of ``metric.columns`` (what the table and the CSV show),
``"url"`` (where a row links to, or ""), the keys its breakdowns group by, and whatever
private keys (starting with ``_``) its ``value`` function needs.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from insights.periods import Period

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from core.business_time import BusinessCalendar
    from portal.models import User

# Below this many cases a rate is not shown as a percentage (spec §1.4).
MIN_N = 5

Row = dict[str, Any]
Unit = Literal["percent", "days", "hours", "score", "nps", "money", "count"]
ColumnKind = Literal["text", "number", "date", "datetime", "money"]


class Basis(enum.StrEnum):
    COHORT = "cohort"  # rows created in the period (leads, payment requests)
    EVENT = "event"  # rows whose event happened in the period (an appointment's start)


@dataclass(frozen=True)
class Scope:
    """Who asks, about which period, with which filters."""

    period: Period
    user: User
    firm_tz: str
    calendar: BusinessCalendar
    # Cleaned filter values by name (staff, service, practice_area, source, client_kind,
    # currency); a missing key means "all".
    filters: Mapping[str, Any] = field(default_factory=dict)
    # True for a lawyer without insights.view_all: only their own matters and appointments.
    own_only: bool = False
    now: dt.datetime | None = None

    def with_period(self, period: Period) -> Scope:
        return Scope(
            period=period,
            user=self.user,
            firm_tz=self.firm_tz,
            calendar=self.calendar,
            filters=self.filters,
            own_only=self.own_only,
            now=self.now,
        )


@dataclass(frozen=True)
class Column:
    key: str
    label: StrOrPromise
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Figure:
    """A metric's value over some rows. ``value`` is None when there is nothing to show
    (no rows, or a rate with ``too_few``); the counts are always there."""

    value: Decimal | None
    n: int
    unit: Unit
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    currency: str = ""
    too_few: bool = False
    # Further labelled values the card and the page show ("median", "p90").
    details: tuple[tuple[StrOrPromise, str], ...] = ()


@dataclass(frozen=True)
class Band:
    """The target. ``low``/``high`` bound the good range (either may be None)."""

    low: Decimal | None = None
    high: Decimal | None = None
    # How far outside the good range is still amber rather than red, in the value's unit.
    margin: Decimal = Decimal("0")
    label: StrOrPromise = ""

    def status(self, value: Decimal | None) -> Literal["good", "warn", "bad", "none"]:
        if value is None:
            return "none"
        below = self.low is not None and value < self.low
        above = self.high is not None and value > self.high
        if not (below or above):
            return "good"
        distance = (
            (self.low - value) if below and self.low is not None else value - (self.high or 0)
        )
        return "warn" if distance <= self.margin else "bad"


@dataclass(frozen=True)
class Breakdown:
    """Group the rows by ``row[key]`` (its display label in ``row[label_key]``)."""

    key: str
    label: StrOrPromise
    label_key: str = ""


@dataclass(frozen=True)
class Metric:
    id: str
    title: StrOrPromise
    question: StrOrPromise
    definition: StrOrPromise
    basis: Basis
    unit: Unit
    columns: tuple[Column, ...]
    rows: Callable[[Scope], list[Row]]
    # One Figure, or one per currency for money metrics (never summed together).
    value: Callable[[Sequence[Row]], list[Figure]]
    target: Band | None = None
    breakdowns: tuple[Breakdown, ...] = ()
    definition_version: int = 1
    # False hides the metric (the firm does not use it: no online payments, say).
    available: Callable[[], bool] = lambda: True
    # Rows asking for an action rather than counted ("not marked yet", "waiting now"),
    # shown above the drill-down; never part of the figure or the CSV.
    actions: Callable[[Scope], list[Row]] | None = None
    # Default grain of the detail chart for a period kind.
    digest: bool = False  # one of the target metrics in the monthly digest
    # Labelled figures that are not counts of the rows (the invoice aging at the period's
    # end, the outside-portal logging coverage and baseline progress, revenue per source):
    # plain dict rows with a "label" key, shown beside the breakdowns; never in the CSV.
    extra: Callable[[Scope], list[Row]] | None = None
    # The period a page opens on when none is asked for (NPS: a quarter, spec §2).
    period_kind: str = "month"
    # Where the overview shows it (lower first; equal ones in registration order).
    position: int = 100
    # The row key holding the aware datetime (or the firm's date) that places a row in its
    # period: the basis its ``rows`` filters on (a lead's "created", an appointment's
    # "start", a payment's "received"). With it the pages ask for the rows of a long
    # period once and cut them into sub-periods by this key (insights.presentation):
    # ``rows`` over a period must then be exactly the union of its rows over the
    # sub-periods, in the same order (tests/insights/test_metrics_decompose.py). "" when
    # that does not hold: every period is then asked for on its own.
    period_key: str = ""


_REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.id in _REGISTRY and _REGISTRY[metric.id] is not metric:
        raise ValueError(f"metric {metric.id!r} is registered twice")
    _REGISTRY[metric.id] = metric
    return metric


def get(metric_id: str) -> Metric | None:
    return _REGISTRY.get(metric_id)


def all_metrics() -> list[Metric]:
    """In the overview's order (``position``, then registration), available ones only."""
    ordered = sorted(enumerate(_REGISTRY.values()), key=lambda im: (im[1].position, im[0]))
    return [m for _i, m in ordered if m.available()]
