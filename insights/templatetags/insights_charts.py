"""Chart inclusion tags (spec insights.md §6): ``{% bar_chart %}``, ``{% line_chart %}``,
``{% sparkline %}`` draw inline SVG with the target band behind the series and a data
table beside it; ``{% chart_table %}`` is that table alone.

    {% bar_chart points title=... desc=... band=... band_label=... color=... %}
    {% line_chart points title=... desc=... band=... band_label=... color=... %}
    {% sparkline points title=... desc=... band=... color=... %}

``points``: a sequence of ``insights.charts.Point`` (label, value, the value as text);
``band``: ``(low, high)`` of the target in the values' unit (either may be None).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import template

from insights import charts

register = template.Library()

BandArg = tuple[Decimal | None, Decimal | None] | None


@register.inclusion_tag("insights/charts/bar.html")
def bar_chart(
    points: Sequence[charts.Point],
    *,
    title: str,
    desc: str = "",
    band: BandArg = None,
    band_label: str = "",
    color: str = "",
) -> dict[str, Any]:
    chart = charts.bar_chart(
        points, title=str(title), desc=str(desc), band=band, band_label=str(band_label), color=color
    )
    return {"chart": chart}


@register.inclusion_tag("insights/charts/line.html")
def line_chart(
    points: Sequence[charts.Point],
    *,
    title: str,
    desc: str = "",
    band: BandArg = None,
    band_label: str = "",
    color: str = "",
) -> dict[str, Any]:
    chart = charts.line_chart(
        points, title=str(title), desc=str(desc), band=band, band_label=str(band_label), color=color
    )
    return {"chart": chart}


@register.inclusion_tag("insights/charts/sparkline.html")
def sparkline(
    points: Sequence[charts.Point],
    *,
    title: str,
    desc: str = "",
    band: BandArg = None,
    color: str = "",
) -> dict[str, Any]:
    chart = charts.sparkline(points, title=str(title), desc=str(desc), band=band, color=color)
    return {"chart": chart}


@register.inclusion_tag("insights/charts/_table.html")
def chart_table(chart: charts.Chart, *, hidden: bool = False) -> dict[str, Any]:
    return {"chart": chart, "hidden": hidden}
