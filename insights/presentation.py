"""What the insights pages show, built from the registry (spec insights.md §5).

Every number here comes from a metric's own ``rows`` and ``value``: a card's figure, its
sparkline, a chart bar and a breakdown line are ``metric.value`` over the rows of a
period, a sub-period or a group. Nothing is computed a second way, so the card, the chart,
the table and the CSV cannot disagree.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext, pgettext

from billing.money import format_money
from insights import selectors as insights_selectors
from insights.charts import Point
from insights.metrics.base import Band, Column, Figure, Metric, Row, Scope
from insights.periods import CUSTOM, MONTH, QUARTER, WEEK, YEAR, Period, period_bounds

SPARK_PERIODS = 12


def _number(value: Decimal, places: int | None = None) -> str:
    if places is None:
        places = 0 if value == value.to_integral_value() else 1
    # number_format cuts digits off; a figure is rounded (83.35 → 83.4).
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, decimal_pos=places, use_l10n=True)


def format_value(value: Decimal | None, unit: str, currency: str = "", language: str = "") -> str:
    """A metric value as the page writes it, in the active language."""
    if value is None:
        return "–"
    if unit == "percent":
        return gettext("%(value)s %%") % {"value": _number(value)}
    if unit == "days":
        return gettext("%(value)s d") % {"value": _number(value)}
    if unit == "hours":
        return gettext("%(value)s h") % {"value": _number(value)}
    if unit == "nps":
        text = _number(value, 0)
        return f"+{text}" if value > 0 else text
    if unit == "money" and currency:
        try:
            return format_money(value, currency, language or None)
        except (ValueError, ArithmeticError):
            return f"{_number(value, 2)} {currency}"
    if unit == "count":
        return _number(value, 0)
    return _number(value)


def _status_text(status: str) -> str:
    # Read at call time, so the viewer's language applies.
    return {
        "good": pgettext("target", "on target"),
        "warn": pgettext("target", "close to target"),
        "bad": pgettext("target", "off target"),
    }.get(status, pgettext("target", "not judged"))


@dataclass(frozen=True)
class Change:
    text: str
    direction: str  # "up", "down", "flat"
    against: str  # "previous period", "same period last year"


def change_between(
    current: Figure | None, before: Figure | None, *, unit: str, against: str
) -> Change | None:
    """How far the value moved from ``before``; None when either side has no value."""
    if current is None or before is None or current.value is None or before.value is None:
        return None
    delta = current.value - before.value
    direction = "up" if delta > 0 else "down" if delta < 0 else "flat"
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    magnitude = abs(delta)
    if unit == "percent":
        amount = gettext("%(value)s pp") % {"value": _number(magnitude)}
    elif unit == "money":
        amount = format_value(magnitude, unit, current.currency)
    else:
        amount = format_value(magnitude, unit)
    return Change(text=f"{sign}{amount}", direction=direction, against=against)


@dataclass(frozen=True)
class FigureLine:
    """One line of a card or of the page's headline: one per currency for money."""

    currency: str
    figure: Figure
    text: str
    too_few: bool
    counts: str
    status: str
    status_text: str
    details: tuple[tuple[str, str], ...]
    changes: tuple[Change, ...] = ()
    spark: tuple[Point, ...] = ()
    target: bool = False


def _counts(figure: Figure) -> str:
    """The counts behind a rate ("3 of 4"); "" when the figure is not a share of cases."""
    if figure.numerator is not None and figure.denominator is not None and figure.n:
        return gettext("%(numerator)s of %(denominator)s") % {
            "numerator": _number(figure.numerator),
            "denominator": _number(figure.denominator),
        }
    return ""


def _too_few(figure: Figure) -> str:
    counts = _counts(figure) or gettext("n = %(n)s") % {"n": figure.n}
    return gettext("too few (%(counts)s)") % {"counts": counts}


def figure_line(
    metric: Metric,
    figure: Figure,
    *,
    language: str,
    changes: Sequence[Change | None] = (),
    spark: Sequence[Point] = (),
) -> FigureLine:
    status = metric.target.status(figure.value) if metric.target else "none"
    if figure.n == 0:
        text = gettext("no cases in this period")
        status = "none"
    elif figure.too_few:
        text = gettext("too few to judge")
        status = "none"
    else:
        text = format_value(figure.value, figure.unit, figure.currency, language)
    return FigureLine(
        # A money value names its currency itself; other per-currency figures get a label.
        currency="" if figure.unit == "money" and not figure.too_few else figure.currency,
        figure=figure,
        text=text,
        too_few=figure.too_few,
        counts=_counts(figure),
        status=status,
        status_text=_status_text(status),
        details=tuple((str(label), str(value)) for label, value in figure.details),
        changes=tuple(c for c in changes if c is not None),
        spark=tuple(spark),
        target=metric.target is not None,
    )


def band_of(metric: Metric) -> tuple[Decimal | None, Decimal | None] | None:
    target: Band | None = metric.target
    return (target.low, target.high) if target else None


def _by_currency(figures: Sequence[Figure]) -> dict[str, Figure]:
    return {f.currency: f for f in figures}


def figures_of(metric: Metric, scope: Scope) -> tuple[list[Row], list[Figure]]:
    rows = metric.rows(scope)
    return rows, metric.value(rows)


# ----------------------------------------------------------------------- rows of periods
def _runs(periods: Sequence[Period]) -> list[list[int]]:
    """The periods' indexes in groups whose dates overlap or touch (one rows call each)."""
    order = sorted(range(len(periods)), key=lambda i: (periods[i].start, periods[i].end))
    runs: list[list[int]] = []
    reach = dt.date.min
    for i in order:
        if runs and periods[i].start <= reach:
            runs[-1].append(i)
            reach = max(reach, periods[i].end)
        else:
            runs.append([i])
            reach = periods[i].end
    return runs


def cut_rows(
    rows: Sequence[Row], key: str, periods: Sequence[Period], firm_tz: str
) -> list[list[Row]]:
    """Each period's share of ``rows``, placed by ``row[key]`` (an aware datetime, read
    against the period's bounds on the firm's clock, or a firm's date), in the rows'
    order. Rows outside every period, or without the key, are in none."""
    days = sorted({day for p in periods for day in (p.start, p.end)})
    # Midnights in the same order as the days, so a position means the same in both.
    instants = [period_bounds(Period(day, day + dt.timedelta(days=1)), firm_tz)[0] for day in days]
    positions = []
    for row in rows:
        at = row.get(key)
        if isinstance(at, dt.datetime):
            positions.append(bisect.bisect_right(instants, at) - 1)
        elif isinstance(at, dt.date):
            positions.append(bisect.bisect_right(days, at) - 1)
        else:
            positions.append(-1)
    out = []
    for period in periods:
        low, high = days.index(period.start), days.index(period.end)
        out.append([r for r, pos in zip(rows, positions, strict=True) if low <= pos < high])
    return out


def rows_by_period(metric: Metric, scope: Scope, periods: Sequence[Period]) -> list[list[Row]]:
    """``metric.rows`` for each of ``periods`` (the scope's filters and user): periods that
    overlap or touch are asked for once, as one custom period covering them, and cut by
    the metric's ``period_key``. A metric without one is asked once per period."""
    if not metric.period_key:
        return [metric.rows(scope.with_period(p)) for p in periods]
    out: list[list[Row]] = [[] for _p in periods]
    for run in _runs(periods):
        if len(run) == 1:
            out[run[0]] = metric.rows(scope.with_period(periods[run[0]]))
            continue
        chosen = [periods[i] for i in run]
        span = Period(min(p.start for p in chosen), max(p.end for p in chosen), CUSTOM)
        rows = metric.rows(scope.with_period(span))
        for i, part in zip(
            run, cut_rows(rows, metric.period_key, chosen, scope.firm_tz), strict=True
        ):
            out[i] = part
    return out


# ----------------------------------------------------------------------- period labels
def period_label(period: Period) -> str:
    """A period as the axis and the tables name it."""
    if period.kind == MONTH:
        return formats.date_format(period.start, "YEAR_MONTH_FORMAT")
    if period.kind == YEAR:
        return str(period.start.year)
    if period.kind == QUARTER:
        return gettext("Q%(q)s %(year)s") % {
            "q": (period.start.month - 1) // 3 + 1,
            "year": period.start.year,
        }
    last = period.end - dt.timedelta(days=1)
    if last == period.start:
        return formats.date_format(period.start, "SHORT_DATE_FORMAT")
    first = formats.date_format(period.start, "SHORT_DATE_FORMAT")
    return f"{first} – {formats.date_format(last, 'SHORT_DATE_FORMAT')}"


def short_label(period: Period) -> str:
    """A sub-period on a chart's axis: short enough to fit under a bar."""
    if period.kind == MONTH or (period.start.day == 1 and period.days >= 28):
        return formats.date_format(period.start, "M y")
    return formats.date_format(period.start, "d.m")


def sub_periods(period: Period) -> tuple[str, list[Period]]:
    """The chart's bars: days of a week, weeks of a month or of up to 92 days, months of
    anything longer; each clipped to the period. Returns the grain and the pieces."""
    if period.days <= 10:
        grain = "day"
    elif period.days <= 92:
        grain = WEEK
    else:
        grain = MONTH
    pieces: list[Period] = []
    cursor = period.start
    while cursor < period.end:
        if grain == "day":
            nxt = cursor + dt.timedelta(days=1)
        elif grain == WEEK:
            nxt = cursor + dt.timedelta(days=7 - cursor.weekday())
        else:
            nxt = (cursor.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = min(nxt, period.end)
        whole_month = grain == MONTH and cursor.day == 1 and end == nxt
        pieces.append(Period(cursor, end, MONTH if whole_month else CUSTOM))
        cursor = end
    return grain, pieces


# ----------------------------------------------------------------------- cards
@dataclass
class Card:
    metric: Metric
    lines: list[FigureLine]
    period: Period
    empty: bool = False

    @property
    def band(self) -> tuple[Decimal | None, Decimal | None] | None:
        return band_of(self.metric)


# Month-end figures by metric id, then month start, then currency.
MonthEnd = dict[str, dict[dt.date, dict[str, Figure]]]


def month_end_figures(
    snapshots: Mapping[tuple[str, str, dt.date], Any], metrics: Sequence[Metric]
) -> MonthEnd:
    """Snapshots (insights_selectors.snapshots_by_month) as Figures per metric and month."""
    units = {m.id: m.unit for m in metrics}
    out: MonthEnd = {}
    for (metric_id, currency, month), snap in snapshots.items():
        value = snap.value
        out.setdefault(metric_id, {}).setdefault(month, {})[currency] = Figure(
            value=None if value is None else Decimal(value),
            n=snap.n,
            unit=units.get(metric_id, "count"),
            numerator=snap.numerator,
            denominator=snap.denominator,
            currency=currency,
            too_few=value is None and snap.n > 0,
        )
    return out


def sparkline_months(scope: Scope) -> list[dt.date]:
    """The closed months whose month-end figures a sparkline may show instead of computing
    them again: only for calendar months without filters (the nightly snapshots are of
    the whole firm and of each staff member's own figures), and never the current period: the card's figure is always
    live, its change is measured against the previous month's month-end figure when that
    month has one (a late change to it shows on the metric's page as "changed since month
    end")."""
    period = scope.period
    if any(scope.filters.values()):
        return []
    if period.kind != MONTH or period != Period.month(period.start.year, period.start.month):
        return []
    return [p.start for p in period.history(SPARK_PERIODS)[:-1]]


def snapshots_key(scope: Scope) -> str:
    """Whose month-end snapshots a page compares with: the whole firm's, or the signed-in
    staff member's own when they see only their own figures."""
    return insights_selectors.own_filters_hash(scope.user.pk) if scope.own_only else ""


def _spark_series(
    metric: Metric, scope: Scope, history: Sequence[Period], month_end: MonthEnd | None
) -> list[dict[str, Figure]]:
    saved = (month_end or {}).get(metric.id, {})
    usable = set(sparkline_months(scope)) if saved else set()
    live = [p for p in history if not (p.start in usable and p.start in saved)]
    computed = {
        p: _by_currency(metric.value(rows))
        for p, rows in zip(live, rows_by_period(metric, scope, live), strict=True)
    }
    return [computed[p] if p in computed else saved[p.start] for p in history]


def card_for(
    metric: Metric, scope: Scope, *, language: str, month_end: MonthEnd | None = None
) -> Card:
    """The metric's card: this period's figure(s), the change from the previous period and
    the last twelve periods (the current one is the last of them). Closed months before
    the current one come from their month-end snapshots when there are some."""
    history = scope.period.history(SPARK_PERIODS)
    series = _spark_series(metric, scope, history, month_end)
    current, previous = series[-1], series[-2] if len(series) > 1 else {}
    lines = []
    for currency, figure in current.items():
        change = change_between(
            figure, previous.get(currency), unit=metric.unit, against=gettext("previous period")
        )
        spark = [
            _point(period_label(p), by.get(currency), metric, language)
            for p, by in zip(history, series, strict=True)
        ]
        lines.append(figure_line(metric, figure, language=language, changes=[change], spark=spark))
    return Card(metric=metric, lines=lines, period=scope.period, empty=not lines)


def _point(label: str, figure: Figure | None, metric: Metric, language: str) -> Point:
    if figure is None or figure.n == 0:
        return Point(label=label, value=None, text="–")
    if figure.too_few:
        return Point(
            label=label,
            value=None,
            text=_too_few(figure),
        )
    return Point(
        label=label,
        value=figure.value,
        text=format_value(figure.value, figure.unit, figure.currency, language),
    )


def overview_cards(
    metrics: Sequence[Metric], scope: Scope, *, language: str, month_end: MonthEnd | None = None
) -> list[Card]:
    return [card_for(m, scope, language=language, month_end=month_end) for m in metrics]


# ----------------------------------------------------------------------- detail
@dataclass
class Series:
    currency: str
    points: list[Point]


@dataclass
class BreakdownTable:
    label: str
    lines: list[tuple[str, str, int]]  # group label, value text(s), n


@dataclass
class Detail:
    metric: Metric
    rows: list[Row]
    lines: list[FigureLine]
    grain: str
    series: list[Series]
    breakdowns: list[BreakdownTable]
    actions: list[Row]
    extra: list[Row] = field(default_factory=list)


def _figure_text(figures: Sequence[Figure], metric: Metric, language: str) -> str:
    if not figures:
        return "–"
    parts = []
    for figure in figures:
        if figure.too_few:
            parts.append(_too_few(figure))
        else:
            parts.append(format_value(figure.value, figure.unit, figure.currency, language))
    return "; ".join(parts)


def breakdown_tables(metric: Metric, rows: Sequence[Row], *, language: str) -> list[BreakdownTable]:
    tables = []
    for breakdown in metric.breakdowns:
        groups: dict[Any, list[Row]] = {}
        labels: dict[Any, str] = {}
        for row in rows:
            key = row.get(breakdown.key)
            groups.setdefault(key, []).append(row)
            labels.setdefault(key, str(row.get(breakdown.label_key or breakdown.key) or "–"))
        lines = [
            (labels[key], _figure_text(metric.value(group), metric, language), len(group))
            for key, group in groups.items()
        ]
        lines.sort(key=lambda line: (-line[2], line[0]))
        tables.append(BreakdownTable(label=str(breakdown.label), lines=lines))
    return tables


def detail_for(metric: Metric, scope: Scope, *, language: str) -> Detail:
    grain, pieces = sub_periods(scope.period)
    # The period, the one before (its change) and the chart's bars in one rows call; the
    # same period last year in another.
    found = rows_by_period(
        metric, scope, [scope.period, scope.period.previous(), scope.period.last_year(), *pieces]
    )
    rows = found[0]
    figures = metric.value(rows)
    previous = _by_currency(metric.value(found[1]))
    last_year = _by_currency(metric.value(found[2]))
    lines = [
        figure_line(
            metric,
            figure,
            language=language,
            changes=[
                change_between(
                    figure,
                    previous.get(figure.currency),
                    unit=metric.unit,
                    against=gettext("previous period"),
                ),
                change_between(
                    figure,
                    last_year.get(figure.currency),
                    unit=metric.unit,
                    against=gettext("same period last year"),
                ),
            ],
        )
        for figure in figures
    ]
    per_piece = [_by_currency(metric.value(part)) for part in found[3:]]
    currencies = [f.currency for f in figures] or sorted({c for by in per_piece for c in by})
    series = [
        Series(
            currency=currency,
            points=[
                _point(short_label(p), by.get(currency), metric, language)
                for p, by in zip(pieces, per_piece, strict=True)
            ],
        )
        for currency in currencies
    ]
    actions = metric.actions(scope) if metric.actions else []
    further = metric.extra  # a callable field, not QuerySet.extra()
    extra = further(scope) if further else []
    return Detail(
        metric=metric,
        rows=rows,
        lines=lines,
        grain=grain,
        series=series,
        breakdowns=breakdown_tables(metric, rows, language=language),
        actions=actions,
        extra=extra,
    )


def extra_items(rows: Sequence[Row], *, language: str) -> list[dict[str, str]]:
    """A metric's further figures (its ``extra`` rows: a label, a value, perhaps a
    currency and a count) as label and text."""
    items = []
    for row in rows:
        value = row.get("value")
        currency = str(row.get("currency") or "")
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            number = Decimal(str(value))
            text = (
                format_value(number, "money", currency, language) if currency else _number(number)
            )
        elif value is None or value == "":
            text = "–"
        else:
            text = str(value)
        parts = [text]
        count = row.get("_n")
        if currency and isinstance(count, int):
            parts.append(gettext("n = %(n)s") % {"n": count})
        for key, other in row.items():
            if key in ("label", "url", "value", "currency") or key.startswith("_"):
                continue
            if other not in (None, ""):
                parts.append(str(other))
        items.append({"label": str(row.get("label", "")), "text": " · ".join(parts)})
    return items


# ----------------------------------------------------------------------- cells
def cell_text(value: Any, column: Column, row: Row, language: str, zone: ZoneInfo) -> str:
    """A drill-down cell as the page shows it (times on the firm's clock)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if column.kind == "money" and isinstance(value, Decimal | int):
        currency = str(row.get("currency") or "")
        return (
            format_value(Decimal(value), "money", currency, language)
            if currency
            else _number(Decimal(value), 2)
        )
    if column.kind == "number" and isinstance(value, Decimal | int | float):
        return _number(Decimal(str(value)))
    return str(value)


def table_rows(
    columns: Sequence[Column], rows: Sequence[Row], language: str, firm_tz: str
) -> list[dict[str, Any]]:
    zone = ZoneInfo(firm_tz)
    return [
        {
            "url": row.get("url") or "",
            "cells": [
                (str(c.label), cell_text(row.get(c.key), c, row, language, zone), c.kind)
                for c in columns
            ],
        }
        for row in rows
    ]


def csv_cells(
    columns: Sequence[Column], rows: Sequence[Row], firm_tz: str
) -> tuple[list[str], list[str], Callable[[], Any]]:
    """The CSV's header (zone named on time columns), the cell kinds and the row values."""
    header = []
    kinds = []
    for column in columns:
        if column.kind in ("date", "datetime"):
            header.append(f"{column.label} ({firm_tz})")
        else:
            header.append(str(column.label))
        kinds.append("number" if column.kind in ("number", "money") else "text")

    zone = ZoneInfo(firm_tz)

    def values() -> Any:
        for row in rows:
            out: list[Any] = []
            for column in columns:
                value = row.get(column.key)
                if isinstance(value, dt.datetime) and value.tzinfo is not None:
                    out.append(value.astimezone(zone).isoformat())
                elif isinstance(value, dt.date):
                    out.append(value.isoformat())
                elif column.kind in ("number", "money"):
                    out.append(value if isinstance(value, Decimal | int | float) else None)
                else:
                    out.append(value)
            yield out

    return header, kinds, values
