"""What every metric module shares: the period's UTC bounds, the scope's filters as the
lower apps' selectors take them, and the arithmetic of a Figure (rates, medians, n < 5)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext_lazy as _

from insights.metrics.base import MIN_N, Figure, Row, Scope, Unit
from insights.periods import period_bounds

ONE_PLACE = Decimal("0.1")
HUNDRED = Decimal(100)


def bounds(scope: Scope) -> tuple[dt.datetime, dt.datetime]:
    """The scope's period as UTC instants (the one place: insights.periods)."""
    return period_bounds(scope.period, scope.firm_tz)


def now_of(scope: Scope) -> dt.datetime:
    return scope.now or timezone.now()


def owner(scope: Scope) -> Any:
    """The staff member whose own figures these are, or None for the whole firm."""
    return scope.user.pk if scope.own_only else None


def values(scope: Scope, key: str) -> list[Any] | None:
    """A filter's values as a list of plain keys (ids for model instances); None: all."""
    raw = scope.filters.get(key)
    if raw is None or raw == "" or raw == []:
        return None
    items: Iterable[Any] = raw if isinstance(raw, list | tuple | set | frozenset) else [raw]
    out = [getattr(v, "pk", v) for v in items if v not in (None, "")]
    return out or None


def local(at: dt.datetime | None, scope: Scope) -> dt.datetime | None:
    """An instant on the firm's wall clock (rows and the CSV show the firm's time)."""
    if at is None:
        return None
    return at.astimezone(ZoneInfo(scope.firm_tz))


def local_date(at: dt.datetime, scope: Scope) -> dt.date:
    return at.astimezone(ZoneInfo(scope.firm_tz)).date()


def _uuid_stand_in(i: int) -> str:
    return f"0b1e2c3d-4f5a-4b6c-8d7e-{i:012x}"


def _int_stand_in(i: int) -> str:
    return f"987654321987654321{i}"


# Stand-ins reverse() accepts for a uuid or str argument, or else for an int one.
_STAND_INS: tuple[Callable[[int], str], ...] = (_uuid_stand_in, _int_stand_in)
# An argument reverse() would leave as it is (what quote() keeps, without "/").
_PLAIN = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@-]+").fullmatch
_URL_SAFE = RFC3986_SUBDELIMS + "~:@"
# The literal parts of a URL around its arguments, by (name, argument count, script
# prefix, URLconf, root URLconf, language); None: reverse() each time.
_PIECES: dict[tuple[Any, ...], tuple[str, ...] | None] = {}


def _pieces(name: str, count: int) -> tuple[str, ...] | None:
    """``name``'s URL cut around its ``count`` arguments, from one reverse() with
    stand-ins (None when no stand-in fits)."""
    for stand_in in _STAND_INS:
        stand_ins = [stand_in(i) for i in range(count)]
        try:
            rest = reverse(name, args=stand_ins)
        except NoReverseMatch:
            continue
        pieces = []
        for one in stand_ins:
            if rest.count(one) != 1:
                break
            before, rest = rest.split(one)
            pieces.append(before)
        else:
            return (*pieces, rest)
    return None


def url(name: str, *args: Any) -> str:
    """``reverse(name, args=args)``, but reversed once per URL name and then formatted: a
    page links tens of thousands of rows (tests/insights/test_row_urls.py checks it is
    what reverse() gives)."""
    texts = [str(a) for a in args]
    key = (
        name,
        len(texts),
        get_script_prefix(),
        get_urlconf(),
        settings.ROOT_URLCONF,
        translation.get_language(),
    )
    try:
        pieces = _PIECES[key]
    except KeyError:
        pieces = _PIECES[key] = _pieces(name, len(texts))
    if pieces is None:
        return reverse(name, args=texts)
    out = pieces[0]
    for text_, piece in zip(texts, pieces[1:], strict=True):
        if not _PLAIN(text_):
            if not text_ or "/" in text_:
                return reverse(name, args=texts)  # as reverse() refuses or quotes it
            text_ = quote(text_, safe=_URL_SAFE)
        out += text_ + piece
    return out


# A row's link, made only when a page or a CSV shows it: the overview's cards count tens
# of thousands of rows and show none of their links.
link = lazy(url, str)


def quantize(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def median(numbers: Sequence[float | int | Decimal]) -> Decimal | None:
    if not numbers:
        return None
    ordered = sorted(Decimal(str(n)) for n in numbers)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return quantize(ordered[mid])
    return quantize((ordered[mid - 1] + ordered[mid]) / 2)


def percentile(numbers: Sequence[float | int | Decimal], share: float) -> Decimal | None:
    """The nearest-rank percentile (p90: the smallest value with 90 % at or below it)."""
    if not numbers:
        return None
    ordered = sorted(Decimal(str(n)) for n in numbers)
    rank = max(1, math.ceil(share * len(ordered)))
    return quantize(ordered[rank - 1])


def mean(numbers: Sequence[float | int | Decimal]) -> Decimal | None:
    if not numbers:
        return None
    return quantize(sum(Decimal(str(n)) for n in numbers) / len(numbers))


def percent(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    if not denominator:
        return None
    return quantize(Decimal(numerator) * HUNDRED / Decimal(denominator))


def rate(
    rows: Sequence[Row],
    *,
    numerator: int,
    denominator: int,
    unit: Unit = "percent",
    currency: str = "",
    details: tuple[tuple[Any, str], ...] = (),
) -> Figure:
    """numerator ÷ denominator as a percentage; below MIN_N cases only the counts."""
    too_few = denominator < MIN_N
    return Figure(
        value=None if too_few else percent(numerator, denominator),
        n=len(rows),
        unit=unit,
        numerator=Decimal(numerator),
        denominator=Decimal(denominator),
        currency=currency,
        too_few=too_few,
        details=details,
    )


def measured(
    rows: Sequence[Row],
    *,
    value: Decimal | None,
    cases: int,
    unit: Unit,
    numerator: int | None = None,
    denominator: int | None = None,
    currency: str = "",
    details: tuple[tuple[Any, str], ...] = (),
) -> Figure:
    """A median or mean over ``cases`` measured rows; below MIN_N cases no value."""
    too_few = cases < MIN_N
    return Figure(
        value=None if too_few else value,
        n=len(rows),
        unit=unit,
        numerator=None if numerator is None else Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
        currency=currency,
        too_few=too_few,
        details=details,
    )


def per_currency(
    rows: Sequence[Row], figure: Callable[[Sequence[Row], str], Figure]
) -> list[Figure]:
    """One Figure per currency among the rows, in code order: never summed together."""
    currencies = sorted({str(r["currency"]) for r in rows})
    return [figure([r for r in rows if r["currency"] == c], c) for c in currencies]


def text(value: Decimal | None, suffix: str = "") -> str:
    return "–" if value is None else f"{value}{suffix}"


def name_or_unassigned(name: str) -> str:
    return name or str(_("Unassigned"))
