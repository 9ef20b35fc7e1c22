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
