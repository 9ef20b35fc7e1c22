"""Month boundaries and DST in the firm's zone (insights.md §8, §10.3), small n, and the
metrics' query counts staying flat as the data grows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights.metrics import all_metrics, get
from insights.periods import Period
from insights.selectors.scope import firm_scope
from portal.models import Firm
from tests import factories
from tests.insights.test_metrics_property import BASE, build
from tests.scheduling.helpers import make_appointment, make_service

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
def warsaw() -> None:
    Firm.objects.filter(pk=1).update(time_zone="Europe/Warsaw", country="PL")
    cache.clear()


def show_rate_starts(period: Period) -> list[str]:
    metric = get("show_rate")
    assert metric is not None
    return [r["start"].isoformat() for r in metric.rows(firm_scope(period=period, now=NOW))]


@pytest.mark.usefixtures("warsaw")
def test_appointments_fall_in_the_month_of_their_warsaw_date_in_summer_and_winter_time() -> None:
    lawyer = factories.StaffFactory(mfa=False)
    contact = factories.ContactFactory()
    service = make_service(staff=[lawyer], slug="dst", minutes=15)
    for start in (
        dt.datetime(2026, 3, 31, 21, 59, tzinfo=UTC),  # 23:59 on 31 March (summer time)
        dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC),  # 00:30 on 1 April
        dt.datetime(2026, 10, 31, 22, 59, tzinfo=UTC),  # 23:59 on 31 October (winter time)
        dt.datetime(2026, 10, 31, 23, 30, tzinfo=UTC),  # 00:30 on 1 November
        dt.datetime(2026, 2, 28, 23, 30, tzinfo=UTC),  # 00:30 on 1 March (winter time)
    ):
        make_appointment(
            service=service, staff=lawyer, contact=contact, start=start, status="attended"
        )
    assert show_rate_starts(Period.month(2026, 3)) == [
        "2026-03-01T00:30:00+01:00",
        "2026-03-31T23:59:00+02:00",
    ]
    assert show_rate_starts(Period.month(2026, 4)) == ["2026-04-01T00:30:00+02:00"]
    assert show_rate_starts(Period.month(2026, 10)) == ["2026-10-31T23:59:00+01:00"]
    assert show_rate_starts(Period.month(2026, 11)) == ["2026-11-01T00:30:00+01:00"]
    assert show_rate_starts(Period.month(2026, 2)) == []


@pytest.mark.usefixtures("warsaw")
def test_leads_and_payments_cut_at_the_same_warsaw_midnight() -> None:
    from billing.models import Payment
    from intake.models import Lead

    contact = factories.ContactFactory()
    late_march = dt.datetime(2026, 3, 31, 21, 59, tzinfo=UTC)
    early_april = dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    for when in (late_march, early_april):
        Lead.objects.create(contact=contact, created_at=when, source="website")
        Payment.objects.create(
            contact=contact, method="CASH", amount=10, currency="PLN", received_at=when
        )
    for metric_id in ("lead_funnel", "billing_summary"):
        metric = get(metric_id)
        assert metric is not None
        march = metric.rows(firm_scope(period=Period.month(2026, 3), now=NOW))
        april = metric.rows(firm_scope(period=Period.month(2026, 4), now=NOW))
        assert (len(march), len(april)) == (1, 1), metric_id


@pytest.mark.usefixtures("warsaw")
def test_below_five_cases_a_rate_shows_counts_not_a_percentage() -> None:
    lawyer = factories.StaffFactory(mfa=False)
    contact = factories.ContactFactory()
    service = make_service(staff=[lawyer], slug="few", minutes=15)
    metric = get("show_rate")
    assert metric is not None
    march = Period.month(2026, 3)
    for day, status in enumerate(["attended", "attended", "no_show", "attended"], start=2):
        make_appointment(service=service, staff=lawyer, contact=contact,
                         start=dt.datetime(2026, 3, day, 9, tzinfo=UTC), status=status)  # fmt: skip
    four = metric.value(metric.rows(firm_scope(period=march, now=NOW)))[0]
    assert (four.numerator, four.denominator, four.too_few, four.value) == (3, 4, True, None)
    make_appointment(service=service, staff=lawyer, contact=contact,
                     start=dt.datetime(2026, 3, 9, 9, tzinfo=UTC), status="attended")  # fmt: skip
    five = metric.value(metric.rows(firm_scope(period=march, now=NOW)))[0]
    assert (five.numerator, five.denominator, five.too_few, str(five.value)) == (
        4,
        5,
        False,
        "80.0",
    )


def dataset(size: int) -> dict[str, Any]:
    at = [BASE + dt.timedelta(days=5 + i % 20, hours=9 + i % 7) for i in range(size)]
    return {
        "appointments": [(a, i % 2, i % 2, i % 4, ("attended", "no_show", "booked")[i % 3]) for i, a in enumerate(at)],
        "leads": [(a, i % 4, "website", i % 2, "family", ["consult_booked", "consult_held", "retained"]) for i, a in enumerate(at)],
        "fees": [(i, 2 if i % 2 else None) for i in range(min(size, 10))],
        "invoices": [(i % 2, ("PLN", "EUR")[i % 2], 5 + i % 20, 3) for i in range(size)],
        "messages": [(a, i % 2, bool(i % 2)) for i, a in enumerate(at)],
        "outside": [(a, i % 2, True, True) for i, a in enumerate(at)],
        "feedback": [(bool(i % 2), 4, i % 2, a) for i, a in enumerate(at)],
    }  # fmt: skip


def queries_per_metric(size: int) -> dict[str, int]:
    build(dataset(size))
    scope = firm_scope(period=Period.month(2026, 3), now=NOW)
    counts = {}
    for metric in all_metrics():
        metric.rows(scope)  # the calendar and the firm are cached after the first read
        with CaptureQueriesContext(connection) as ctx:
            rows = metric.rows(scope)
            metric.value(rows)
            if metric.actions:
                metric.actions(scope)
            if metric.extra:
                figures_beside = metric.extra
                figures_beside(scope)
        assert rows, metric.id
        counts[metric.id] = len(ctx.captured_queries)
    return counts


@pytest.mark.usefixtures("warsaw")
def test_every_metric_takes_as_many_queries_for_three_rows_as_for_forty() -> None:
    small = queries_per_metric(3)
    large = queries_per_metric(40)
    assert large == small
    assert max(large.values()) <= 16


@pytest.mark.usefixtures("warsaw")
def test_time_to_first_consultation_skips_polish_public_holidays() -> None:
    from intake.models import Lead

    lawyer = factories.StaffFactory(mfa=False)
    contact = factories.ContactFactory()
    service = make_service(staff=[lawyer], slug="easter", minutes=30, is_consultation=True)
    # An inquiry on Good Friday (3 April 2026), the consultation on the Tuesday after
    # Easter Monday (a public holiday in Poland): one business day, not two.
    Lead.objects.create(contact=contact, created_at=dt.datetime(2026, 4, 3, 10, tzinfo=UTC))
    make_appointment(service=service, staff=lawyer, contact=contact,
                     start=dt.datetime(2026, 4, 7, 9, tzinfo=UTC), status="booked")  # fmt: skip
    metric = get("time_to_first_consultation")
    assert metric is not None
    rows = metric.rows(firm_scope(period=Period.month(2026, 4), now=NOW))
    assert [(r["business_days"], r["_outcome"]) for r in rows] == [(1, "under")]
