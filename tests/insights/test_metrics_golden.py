"""The golden dataset (tests/insights/metrics_data.py) against values worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import time_machine

from insights.metrics import get
from insights.metrics.base import Figure, Row
from insights.periods import Period
from insights.selectors.scope import firm_scope, insights_scope
from tests.insights import metrics_data
from tests.insights.metrics_data import NOW

pytestmark = pytest.mark.django_db

MARCH = Period.month(2026, 3)
APRIL = Period.month(2026, 4)


@pytest.fixture
def golden() -> metrics_data.Golden:
    with time_machine.travel(NOW, tick=False):
        return metrics_data.build()


def run(metric_id: str, scope: Any) -> tuple[list[Row], list[Figure]]:
    metric = get(metric_id)
    assert metric is not None
    rows = metric.rows(scope)
    return rows, metric.value(rows)


def one(metric_id: str, scope: Any) -> tuple[list[Row], Figure]:
    rows, figures = run(metric_id, scope)
    assert len(figures) == 1
    return rows, figures[0]


def firm(period: Period = MARCH, **filters: Any) -> Any:
    return firm_scope(period=period, filters=filters, now=NOW)


def test_smoke_every_metric_runs(golden: metrics_data.Golden) -> None:
    from insights.metrics import all_metrics

    for metric in all_metrics():
        rows = metric.rows(firm())
        figures = metric.value(rows)
        print(metric.id, len(rows), figures)
        if metric.actions:
            print("  actions", len(metric.actions(firm())))
        if metric.extra:
            print("  extra", metric.extra(firm()))
