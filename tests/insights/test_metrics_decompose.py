"""A page asks for a metric's rows once over the periods it shows and cuts them by the
metric's ``period_key`` (insights.presentation.rows_by_period). That is only right if a
metric's rows over a long period are exactly its rows over each part, in order, with the
same figures: checked here for every registered metric, on the golden dataset and on
random data (the strategies of test_metrics_property)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights.metrics import all_metrics
from insights.metrics.base import Metric, Scope
from insights.periods import CUSTOM, Period
from insights.presentation import cut_rows, rows_by_period, sub_periods
from insights.selectors.scope import firm_scope, insights_scope
from tests.insights import metrics_data
from tests.insights.test_metrics_property import NOW as RANDOM_NOW
from tests.insights.test_metrics_property import build, data

pytestmark = pytest.mark.django_db

# Three months around the datasets' March (the rows near 1 March and 1 April, Warsaw
# time, are on the edges), and March's weeks as the detail chart cuts it.
MONTHS = [Period.month(2026, 2), Period.month(2026, 3), Period.month(2026, 4)]
SPAN = Period(MONTHS[0].start, MONTHS[-1].end, CUSTOM)
WEEKS = sub_periods(Period.month(2026, 3))[1]


def test_every_metric_names_the_key_that_places_its_rows() -> None:
    for metric in all_metrics():
        assert metric.period_key, metric.id
        assert metric.period_key in {c.key for c in metric.columns}, metric.id


def _check(metric: Metric, scope: Scope) -> None:
    whole = metric.rows(scope.with_period(SPAN))
    for parts in (MONTHS, WEEKS):
        cut = cut_rows(whole, metric.period_key, parts, scope.firm_tz)
        for period, rows in zip(parts, cut, strict=True):
            own = metric.rows(scope.with_period(period))
            assert rows == own, (metric.id, period)
            assert metric.value(rows) == metric.value(own), (metric.id, period)
        # Nothing of the whole falls outside its parts (the weeks cover March only).
        if parts is MONTHS:
            assert sum(len(rows) for rows in cut) == len(whole), metric.id
    # What the pages call: the sparkline's months, and a detail page's periods.
    asked = [*MONTHS, Period.month(2026, 3), *WEEKS, Period.month(2025, 3)]
    found = rows_by_period(metric, scope, asked)
    assert found == [metric.rows(scope.with_period(p)) for p in asked], metric.id


@pytest.fixture
def golden() -> metrics_data.Golden:
    with time_machine.travel(metrics_data.NOW, tick=False):
        return metrics_data.build()


def test_rows_over_three_months_are_the_rows_of_each_month_on_the_golden_data(
    golden: metrics_data.Golden,
) -> None:
    with time_machine.travel(metrics_data.NOW, tick=False):
        firm = firm_scope(period=SPAN, now=metrics_data.NOW)
        lena = insights_scope(user=golden.lena, period=SPAN, now=metrics_data.NOW)
        assert lena.own_only
        metrics = all_metrics()
        assert len(metrics) >= 11
        for metric in metrics:
            assert metric.rows(firm), metric.id  # the golden data has rows of every metric
            _check(metric, firm)
            _check(metric, lena)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(d=data, own=st.booleans())
def test_rows_over_three_months_are_the_rows_of_each_month_on_random_data(
    d: dict[str, Any], own: bool
) -> None:
    with transaction.atomic():
        w = build(d)
        user = w["staff"][0] if own else w["admin"]
        scope = insights_scope(user=user, period=SPAN, now=RANDOM_NOW)
        for metric in all_metrics():
            _check(metric, scope)
        transaction.set_rollback(True)
