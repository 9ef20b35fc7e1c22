"""The pages over the real registry (every metric H3 registered), on the demo-like world:
each card and detail page renders, the PDF too."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from insights.metrics.base import all_metrics

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


@time_machine.travel(NOW, tick=False)
def test_overview_and_every_detail_page_render_the_real_metrics(client: Any, world: Any) -> None:
    client.force_login(world.admin)

    overview = client.get(reverse("insights:overview"))

    assert overview.status_code == 200
    text = overview.content.decode()
    assert all_metrics()
    for metric in all_metrics():
        assert str(metric.title) in text
        detail = client.get(reverse("insights:metric-detail", args=[metric.id]))
        assert detail.status_code == 200, metric.id
        csv = client.get(reverse("insights:metric-csv", args=[metric.id]))
        assert csv.status_code == 200, metric.id
        header = b"".join(csv.streaming_content).decode().splitlines()[0]
        assert header, metric.id


@time_machine.travel(NOW, tick=False)
def test_a_metrics_further_figures_are_on_its_page(client: Any, world: Any) -> None:
    # given an unpaid invoice (the aging at the period's end) and the metrics' extra rows
    from django.utils.html import escape

    from insights.periods import Period
    from insights.selectors import insights_scope

    client.force_login(world.admin)
    scope = insights_scope(user=world.admin, period=Period.month(2026, 11), now=NOW)
    with_extra = [m for m in all_metrics() if m.extra]
    assert {"outside_portal_share", "days_to_payment_invoices"} <= {m.id for m in with_extra}

    for metric in with_extra:
        # when staff open its page
        further = metric.extra
        assert further is not None
        labels = [str(row["label"]) for row in further(scope) if row.get("label")]
        page = client.get(reverse("insights:metric-detail", args=[metric.id])).content.decode()

        # then every further figure is shown under "More figures"
        if labels:
            assert "More figures" in page, metric.id
        for label in labels:
            assert escape(label) in page, (metric.id, label)
