"""The server-drawn charts (insights.md §6, §10.8): the SVG parses, names itself for screen
readers, carries no script and no inline style, and has its values as a table."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from insights.charts import Point, bar_chart, line_chart
from tests.insights.pages_support import METRIC_ID, only_test_metric  # noqa: F401
from tests.insights.test_pages import opened

SVG_NS = "{http://www.w3.org/2000/svg}"
WARSAW = ZoneInfo("Europe/Warsaw")
POINTS = [
    Point("W1", Decimal("91.5"), "91.5 %"),
    Point("W2", None, "too few (2 of 3)"),
    Point("W3", Decimal("70"), "70 %"),
    Point("W4", Decimal("100"), "100 %"),
]


def _render(tag: str, **context: Any) -> str:
    template = Template(
        "{% load insights_charts %}{% "
        + tag
        + " points title=title desc=desc band=band color=color %}"
    )
    return template.render(Context(context))


def _svgs(html: str) -> list[ET.Element]:
    # Our own pages' markup, parsed to check it (nothing from outside).
    found = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    return [ET.fromstring(svg) for svg in found]  # noqa: S314


def _assert_accessible(svg: ET.Element, title: str) -> None:
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG_NS}title").text == title
    assert svg.find(f"{SVG_NS}desc") is not None
    labelled = svg.get("aria-labelledby", "").split()
    ids = {el.get("id") for el in svg.iter() if el.get("id")}
    assert labelled and set(labelled) <= ids


@pytest.mark.parametrize("tag", ["bar_chart", "line_chart", "sparkline"])
def test_chart_svg_parses_names_itself_and_has_its_table(tag: str) -> None:
    html = _render(
        tag,
        points=POINTS,
        title="Show rate by week",
        desc="The band is the target.",
        band=(Decimal("85"), Decimal("95")),
        color="#123456",
    )

    (svg,) = _svgs(html)
    _assert_accessible(svg, "Show rate by week")
    assert "<script" not in html.lower()
    assert "style=" not in html.lower()
    # The target band is drawn behind the series: before any bar, line or dot.
    shapes = [
        el for el in svg if el.tag in {f"{SVG_NS}{t}" for t in ("rect", "polyline", "circle")}
    ]
    assert shapes[0].get("class") == "chart-band"
    # Brand colour as a presentation attribute.
    assert any(el.get("fill") == "#123456" or el.get("stroke") == "#123456" for el in svg.iter())
    # Every value also as text, in the table beside the chart.
    for point in POINTS:
        assert f"<td>{point.text}</td>" in html
    assert "<table" in html


def test_a_colour_that_is_not_a_colour_is_not_written_into_the_svg() -> None:
    html = _render(
        "bar_chart", points=POINTS, title="t", desc="d", band=None, color='red" onload="x()'
    )

    assert "onload" not in html
    assert 'fill="#1f3a5f"' in html


def test_bars_are_as_tall_as_their_values_and_missing_values_draw_nothing() -> None:
    chart = bar_chart(POINTS, title="t", band=(Decimal("85"), Decimal("95")))

    heights = [bar.height for bar in chart.bars]
    assert heights[1] == 0
    assert heights[3] > heights[0] > heights[2] > 0
    # The band spans 85–95 on the same scale as the bars.
    assert chart.band is not None
    band_top, band_height = chart.band
    assert chart.zero_y - band_top == pytest.approx(heights[3] * 0.95, abs=0.1)


def test_line_chart_breaks_the_line_where_a_value_is_missing() -> None:
    chart = line_chart(POINTS, title="t")

    assert len(chart.lines) == 2
    assert len(chart.dots) == 3


@pytest.mark.usefixtures("only_test_metric")
@time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=WARSAW), tick=False)
def test_every_svg_on_the_insights_pages_is_accessible_and_script_free(
    client: Any, world: Any
) -> None:
    for day in range(1, 8):
        opened(world.staff_on, dt.datetime(2026, 11, day, 9, tzinfo=WARSAW))
    client.force_login(world.admin)

    for url in (
        reverse("insights:overview"),
        reverse("insights:metric-detail", args=[METRIC_ID]),
    ):
        html = client.get(url).content.decode()
        svgs = _svgs(html)
        assert svgs
        for svg in svgs:
            _assert_accessible(svg, svg.find(f"{SVG_NS}title").text)
            assert not [el for el in svg.iter() if el.tag.endswith("script")]
            assert not [el for el in svg.iter() if "style" in el.attrib]
        assert html.count('class="chart-table') >= len(svgs)
        assert " style=" not in html


def test_axis_labels_never_overlap_and_the_last_period_is_named() -> None:
    points = [Point(f"{d:02d}.11", Decimal(d), str(d)) for d in range(1, 15)]

    for chart in (bar_chart(points, title="t"), line_chart(points, title="t")):
        xs = [x for x, _label in chart.axis_labels]
        assert chart.axis_labels[-1][1] == "14.11"
        assert all(b - a >= 64 for a, b in zip(xs, xs[1:], strict=False))
