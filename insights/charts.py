"""Server-drawn charts (spec insights.md §6): the geometry of a bar chart, a line chart and
a sparkline as plain numbers, for the SVG templates in templates/insights/charts/.

No JavaScript and no inline style: colours are presentation attributes (the firm's brand
colours, checked by ``core.validators.validate_color`` when saved, and checked again
here), everything else comes from classes in static/css/insights.css, so the charts pass a
strict Content-Security-Policy and render the same in WeasyPrint PDFs. Colour is never the
only signal: each chart carries a title, a description and the values as a table.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# The target band's tint: neutral, behind the series, whatever the brand colours are.
BAND_FILL = "#dfe7df"
DEFAULT_COLOR = "#1f3a5f"
_COLOR = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")


@dataclass(frozen=True)
class Point:
    """One value of a series: its label on the axis, the value (None: nothing to draw,
    for example too few cases) and the value as the page writes it."""

    label: str
    value: Decimal | None
    text: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    text: str
    label_x: float
    show_label: bool

    @property
    def value_y(self) -> float:
        """Where the value's text sits: just above the bar."""
        return round(self.y - 4, 2)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    kind: str
    width: int
    height: int
    title: str
    desc: str
    color: str
    points: tuple[Point, ...]
    uid: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    bars: tuple[Bar, ...] = ()
    # Line segments (a gap where a value is missing) as SVG "x,y x,y" point lists.
    lines: tuple[str, ...] = ()
    dots: tuple[Dot, ...] = ()
    # The target band as a rectangle behind the series (y, height), or None.
    band: tuple[float, float] | None = None
    band_fill: str = BAND_FILL
    band_label: str = ""
    # Axis: the plot's left and bottom edges, top value text, bottom value text.
    left: float = 0
    bottom: float = 0
    right: float = 0
    top: float = 0
    max_text: str = ""
    min_text: str = ""
    zero_y: float | None = None
    # Which axis labels are written (every k-th, so they do not overlap).
    axis_labels: tuple[tuple[float, str], ...] = ()

    @property
    def plot_width(self) -> float:
        return round(self.right - self.left, 2)

    @property
    def label_y(self) -> float:
        """The baseline of the axis labels, under the plot."""
        return round(self.bottom + 18, 2)


def safe_color(value: str, default: str = DEFAULT_COLOR) -> str:
    return value if isinstance(value, str) and _COLOR.match(value) else default


def _scale(
    values: Sequence[Decimal], band: tuple[Decimal | None, Decimal | None] | None
) -> tuple[Decimal, Decimal]:
    """The value range the plot covers: from 0 (or below, for negative values such as an
    NPS) to a little above the largest value or the band's top."""
    candidates = list(values)
    if band:
        candidates += [b for b in band if b is not None]
    low = min([Decimal(0), *candidates])
    high = max([Decimal(0), *candidates])
    if high == low:
        high = low + 1
    return low, high + (high - low) * Decimal("0.1")


def _y(value: Decimal, low: Decimal, high: Decimal, top: float, bottom: float) -> float:
    share = float((value - low) / (high - low))
    return round(bottom - share * (bottom - top), 2)


def _band_rect(
    band: tuple[Decimal | None, Decimal | None] | None,
    low: Decimal,
    high: Decimal,
    top: float,
    bottom: float,
) -> tuple[float, float] | None:
    if not band or (band[0] is None and band[1] is None):
        return None
    b_low = band[0] if band[0] is not None else low
    b_high = band[1] if band[1] is not None else high
    y_top = _y(min(b_high, high), low, high, top, bottom)
    y_bottom = _y(max(b_low, low), low, high, top, bottom)
    return y_top, round(max(y_bottom - y_top, 0.5), 2)


LABEL_ROOM = 64.0  # the width an axis label needs, in the chart's units


def _axis(labels: list[tuple[float, str]], step: int) -> tuple[tuple[float, str], ...]:
    """Every ``step``-th label, and the last one too when it has room beside the one
    before it (the current period is the one a reader looks for)."""
    shown = [label for i, label in enumerate(labels) if i % step == 0]
    if labels and shown[-1] != labels[-1]:
        if labels[-1][0] - shown[-1][0] >= LABEL_ROOM:
            shown.append(labels[-1])
        else:
            shown[-1] = labels[-1]
    return tuple(shown)


def _label_step(count: int, room: float, per_label: float) -> int:
    fits = max(int(room // per_label), 1)
    return max(-(-count // fits), 1)


def bar_chart(
    points: Sequence[Point],
    *,
    title: str,
    desc: str = "",
    band: tuple[Decimal | None, Decimal | None] | None = None,
    band_label: str = "",
    color: str = "",
    width: int = 480,
    height: int = 220,
) -> Chart:
    left, right, top, bottom = 8.0, width - 8.0, 22.0, height - 30.0
    values = [p.value for p in points if p.value is not None]
    low, high = _scale(values, band)
    count = max(len(points), 1)
    slot = (right - left) / count
    gap = min(slot * 0.2, 12)
    step = _label_step(count, right - left, LABEL_ROOM)
    zero = _y(Decimal(0), low, high, top, bottom)
    bars = []
    for i, point in enumerate(points):
        x = left + i * slot + gap / 2
        if point.value is None:
            y, h = zero, 0.0
        else:
            y_value = _y(point.value, low, high, top, bottom)
            y, h = min(y_value, zero), abs(zero - y_value)
        bars.append(
            Bar(
                x=round(x, 2),
                y=y,
                width=round(slot - gap, 2),
                height=round(h, 2),
                label=point.label,
                text=point.text,
                label_x=round(x + (slot - gap) / 2, 2),
                show_label=count <= 8,
            )
        )
    axis = _axis([(bar.label_x, bar.label) for bar in bars], step)
    return Chart(
        kind="bar",
        width=width,
        height=height,
        title=title,
        desc=desc,
        color=safe_color(color),
        points=tuple(points),
        bars=tuple(bars),
        band=_band_rect(band, low, high, top, bottom),
        band_label=band_label,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        zero_y=zero,
        axis_labels=axis,
    )


def _line_geometry(
    points: Sequence[Point], low: Decimal, high: Decimal, box: tuple[float, float, float, float]
) -> tuple[tuple[str, ...], tuple[Dot, ...], list[float]]:
    left, right, top, bottom = box
    count = len(points)
    xs = [
        round(left + (right - left) * (i / (count - 1) if count > 1 else 0.5), 2)
        for i in range(count)
    ]
    segments: list[list[str]] = [[]]
    dots = []
    for x, point in zip(xs, points, strict=True):
        if point.value is None:
            if segments[-1]:
                segments.append([])
            continue
        y = _y(point.value, low, high, top, bottom)
        segments[-1].append(f"{x},{y}")
        dots.append(Dot(x=x, y=y, text=point.text))
    return tuple(" ".join(s) for s in segments if s), tuple(dots), xs


def line_chart(
    points: Sequence[Point],
    *,
    title: str,
    desc: str = "",
    band: tuple[Decimal | None, Decimal | None] | None = None,
    band_label: str = "",
    color: str = "",
    width: int = 480,
    height: int = 220,
) -> Chart:
    box = (24.0, width - 24.0, 22.0, height - 30.0)
    values = [p.value for p in points if p.value is not None]
    low, high = _scale(values, band)
    lines, dots, xs = _line_geometry(points, low, high, box)
    step = _label_step(len(points), box[1] - box[0], LABEL_ROOM)
    axis = _axis([(x, p.label) for x, p in zip(xs, points, strict=True)], step)
    return Chart(
        kind="line",
        width=width,
        height=height,
        title=title,
        desc=desc,
        color=safe_color(color),
        points=tuple(points),
        lines=lines,
        dots=dots,
        band=_band_rect(band, low, high, box[2], box[3]),
        band_label=band_label,
        left=box[0],
        right=box[1],
        top=box[2],
        bottom=box[3],
        zero_y=_y(Decimal(0), low, high, box[2], box[3]),
        axis_labels=axis,
    )


def sparkline(
    points: Sequence[Point],
    *,
    title: str,
    desc: str = "",
    band: tuple[Decimal | None, Decimal | None] | None = None,
    color: str = "",
    width: int = 200,
    height: int = 36,
) -> Chart:
    box = (2.0, width - 2.0, 2.0, height - 2.0)
    values = [p.value for p in points if p.value is not None]
    low, high = _scale(values, band)
    lines, dots, _xs = _line_geometry(points, low, high, box)
    return Chart(
        kind="sparkline",
        width=width,
        height=height,
        title=title,
        desc=desc,
        color=safe_color(color),
        points=tuple(points),
        lines=lines,
        dots=dots[-1:],  # the current period's dot
        band=_band_rect(band, low, high, box[2], box[3]),
        left=box[0],
        right=box[1],
        top=box[2],
        bottom=box[3],
    )
