"""The golden dataset (tests/insights/metrics_data.py) against values worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import time_machine

from insights.metrics import get
from insights.metrics.base import Figure, Row
from insights.periods import Period
from insights.selectors.scope import firm_scope
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


def groups(rows: list[Row], key: str, metric_id: str) -> dict[str, Figure]:
    """The breakdown lines of a metric: its value over the rows of each group."""
    metric = get(metric_id)
    assert metric is not None
    keys = sorted({r[key] for r in rows})
    return {k: metric.value([r for r in rows if r[key] == k])[0] for k in keys}


def beside(metric: Any) -> list[Row]:
    """The metric's labelled figures beside its rows (Metric.extra) for March."""
    figures_beside = metric.extra
    return list(figures_beside(firm()))


def d(text: str) -> Decimal:
    return Decimal(text)


def test_show_rate_counts_march_appointments_in_warsaw_time(golden: metrics_data.Golden) -> None:
    rows, figure = one("show_rate", firm())
    # 00:30 on 1 March (23:30 UTC on 28 February) is in; 00:30 on 1 April is not;
    # cancelled and rescheduled ones are left out, the rebooked one counts.
    assert (figure.numerator, figure.denominator, figure.n) == (7, 10, 10)
    assert figure.value == d("70.0")
    starts = [r["start"].isoformat() for r in rows]
    assert starts[0] == "2026-03-01T00:30:00+01:00"
    by_staff = groups(rows, "staff_id", "show_rate")
    lena = by_staff[str(golden.lena.pk)]
    marek = by_staff[str(golden.marek.pk)]
    assert (lena.numerator, lena.denominator, lena.value) == (5, 6, d("83.3"))
    # Four of Marek's: the counts, "too few to judge", no percentage.
    assert (marek.numerator, marek.denominator, marek.too_few, marek.value) == (2, 4, True, None)
    kinds = groups(rows, "client_kind_key", "show_rate")
    assert (kinds["returning"].numerator, kinds["returning"].denominator) == (2, 3)
    assert (kinds["new"].numerator, kinds["new"].denominator, kinds["new"].value) == (
        5,
        7,
        d("71.4"),
    )


def test_show_rate_lists_past_booked_appointments_as_not_marked_yet(
    golden: metrics_data.Golden,
) -> None:
    metric = get("show_rate")
    assert metric is not None and metric.actions is not None
    actions = metric.actions(firm())
    assert [a["url"] for a in actions] == [f"/staff/appointments/{golden.appointments[13].pk}/"]
    rows, _figure = one("show_rate", firm())
    assert actions[0]["url"] not in {r["url"] for r in rows}


def test_april_holds_only_what_started_after_midnight_in_warsaw(
    golden: metrics_data.Golden,
) -> None:
    rows, figure = one("show_rate", firm(APRIL))
    assert [r["url"] for r in rows] == [f"/staff/appointments/{golden.appointments[14].pk}/"]
    assert (figure.n, figure.too_few, figure.value) == (1, True, None)
    leads, _f = one("time_to_first_consultation", firm(APRIL))
    assert [r["url"] for r in leads] == [f"/staff/intake/leads/{golden.leads['g'].pk}/"]


def test_time_to_first_consultation(golden: metrics_data.Golden) -> None:
    rows, figure = one("time_to_first_consultation", firm())
    days = {r["url"].split("/")[-2]: (r["business_days"], r["_outcome"]) for r in rows}
    lead = {k: str(v.pk) for k, v in golden.leads.items()}
    assert days[lead["a"]] == (0, "under")  # seen the same day
    assert days[lead["b"]] == (1, "under")
    assert days[lead["c"]] == (3, "over")  # a no-show is still the first consultation
    assert days[lead["d"]] == (2, "under")
    assert days[lead["e"]] == (6, "over")  # the cancelled and moved ones do not count
    assert days[lead["f"]][1] == "over"  # none after 3 business days
    assert lead["g"] not in days  # 00:30 on 1 April
    assert figure.value == d("2.5")
    assert (figure.numerator, figure.denominator, figure.n) == (3, 6, 6)
    google = one("time_to_first_consultation", firm(source=["google"]))[1]
    assert (google.n, google.numerator, google.too_few) == (2, 1, True)


def test_days_to_payment_of_consultation_fees(golden: metrics_data.Golden) -> None:
    rows, figure = one("days_to_payment_consultations", firm())
    # The withdrawn fee is left out; 23:30 UTC paid at 00:30 Warsaw is the next day.
    assert sorted((r["days"] is None, r["days"]) for r in rows) == [
        (False, 0), (False, 0), (False, 0), (False, 1), (False, 2), (True, None),
    ]  # fmt: skip
    assert (figure.numerator, figure.denominator, figure.n, figure.value) == (3, 6, 6, d("50.0"))
    assert dict(figure.details)["median days"] == "0.0"
    methods = groups(rows, "method_key", "days_to_payment_consultations")
    assert {k: f.n for k, f in methods.items()} == {"": 1, "BLIK": 1, "CARD": 4}


def test_days_to_payment_of_invoices_one_line_per_currency(golden: metrics_data.Golden) -> None:
    rows, figures = run("days_to_payment_invoices", firm())
    by = {f.currency: f for f in figures}
    assert set(by) == {"EUR", "PLN"}
    pln, eur = by["PLN"], by["EUR"]
    assert sorted(r["days"] for r in rows if r["currency"] == "PLN") == [0, 4, 7, 17, 18]
    assert (pln.value, pln.numerator, pln.denominator, pln.n) == (d("7.0"), 3, 5, 5)
    assert dict(pln.details)["mean days"] == "9.2"
    assert (eur.n, eur.numerator, eur.too_few, eur.value) == (2, 2, True, None)
    numbers = {r["number"] for r in rows}
    assert golden.invoices["inv5"].number not in numbers  # paid 00:30 on 1 April
    assert golden.invoices["inv8"].number not in numbers  # credited
    metric = get("days_to_payment_invoices")
    assert metric is not None and metric.extra is not None
    extra = beside(metric)
    aging = {(e["currency"], e["_key"]): e["value"] for e in extra if e["_kind"] == "aging"}
    assert aging[("PLN", "1-14")] == d("800.00")  # inv5 was still open at the end of March
    assert aging[("PLN", "31-60")] == d("300.00")
    assert aging[("EUR", "current")] == d("400.00")
    assert sum(v for (c, _k), v in aging.items() if c == "PLN") == d("1100.00")
    credited = [e for e in extra if e["_kind"] == "credited"]
    assert [(e["currency"], e["value"]) for e in credited] == [("PLN", 1)]
    lawyers = groups([r for r in rows if r["currency"] == "PLN"], "lawyer_id", metric.id)
    assert lawyers[str(golden.lena.pk)].n == 2


def test_billing_summary_never_adds_currencies(golden: metrics_data.Golden) -> None:
    _rows, figures = run("billing_summary", firm())
    by = {f.currency: f for f in figures}
    assert (by["PLN"].value, by["PLN"].n) == (d("4700.00"), 10)
    assert (by["EUR"].value, by["EUR"].n) == (d("600.00"), 2)
    metric = get("billing_summary")
    assert metric is not None and metric.extra is not None
    extra = {(e["_kind"], e.get("currency", "")): e["value"] for e in beside(metric)}
    assert extra[("outstanding", "PLN")] == d("1100.00")
    assert extra[("overdue", "PLN")] == d("1100.00")
    assert extra[("outstanding", "EUR")] == d("400.00")
    assert extra[("overdue", "EUR")] == d("0.00")
    assert d("5300.00") not in extra.values()


def test_outside_portal_share_with_coverage_and_baseline(golden: metrics_data.Golden) -> None:
    rows, figure = one("outside_portal_share", firm())
    # 5 portal messages, 4 inbound contacts outside (the outbound call is not counted).
    assert (figure.numerator, figure.denominator, figure.value) == (4, 9, d("44.4"))
    channels = groups(rows, "channel_key", "outside_portal_share")
    assert {k: f.n for k, f in channels.items()} == {
        "email": 1, "phone": 2, "portal": 5, "whatsapp": 1,
    }  # fmt: skip
    metric = get("outside_portal_share")
    assert metric is not None and metric.extra is not None
    extra = {e["_kind"]: e for e in beside(metric)}
    assert extra["coverage"]["value"] == 0  # nobody logged anything in the last 14 days
    # Logging began on 4 March: 3 portal messages and 4 outside in the next 30 days.
    assert extra["baseline"]["value"] == d("57.1")
    assert extra["aim"]["value"] == d("28.6")
    assert extra["progress"]["value"] == d("-22.2")


def test_staff_intake_time_proxy(golden: metrics_data.Golden) -> None:
    rows, figure = one("staff_intake_time", firm())
    by_url = {r["url"]: (r["business_hours"], r["touches"]) for r in rows}
    # a: Monday 9:00 to Thursday 11:00 (Warsaw) = 8 + 8 + 8 + 2; b: Monday 13:00 to
    # Wednesday 11:00 = 4 + 8 + 2. Lead e was retained in April.
    assert by_url == {
        f"/staff/intake/leads/{golden.leads['a'].pk}/": (d("26.0"), 2),
        f"/staff/intake/leads/{golden.leads['b'].pk}/": (d("14.0"), 0),
    }
    assert (figure.n, figure.too_few, figure.value) == (2, True, None)
    metric = get("staff_intake_time")
    assert metric is not None and metric.extra is not None
    baseline = beside(metric)[0]
    # The first decided lead (b, 4 March) makes March the baseline month.
    assert baseline["_kind"] == "baseline" and "2026-03" in str(baseline["label"])


def test_response_within_promise(golden: metrics_data.Golden) -> None:
    rows, figure = one("response_within_promise", firm())
    # 2, 13 and 1 business hours answered within 24; two never answered, now overdue.
    assert (figure.numerator, figure.denominator, figure.n, figure.value) == (3, 5, 5, d("60.0"))
    assert dict(figure.details)["median business hours"] == "13.0"
    metric = get("response_within_promise")
    assert metric is not None and metric.actions is not None
    assert len(metric.actions(firm())) == 2
    lawyers = groups(rows, "lawyer_id", metric.id)
    assert (lawyers[str(golden.lena.pk)].numerator, lawyers[str(golden.lena.pk)].n) == (2, 3)


def test_csat_and_nps(golden: metrics_data.Golden) -> None:
    rows, csat = one("csat", firm())
    assert (csat.numerator, csat.denominator, csat.value) == (4, 6, d("66.7"))
    staff = groups(rows, "staff_id", "csat")
    assert (staff[str(golden.lena.pk)].numerator, staff[str(golden.lena.pk)].n) == (4, 4)
    metric = get("csat")
    assert metric is not None and metric.extra is not None
    rate = beside(metric)[0]
    assert (rate["_numerator"], rate["_n"], rate["value"]) == (6, 7, d("85.7"))
    _rows, nps = one("nps", firm())
    # 10, 9, 7, 6, 3: 40 % promoters − 40 % detractors.
    assert (nps.numerator, nps.denominator, nps.value) == (0, 5, d("0.0"))
    assert "comment" not in _rows[0]


def test_lead_funnel(golden: metrics_data.Golden) -> None:
    rows, figure = one("lead_funnel", firm())
    assert (figure.numerator, figure.denominator, figure.value) == (2, 6, d("33.3"))
    assert dict((str(k), v) for k, v in figure.details) == {
        "Consultation booked": "5",
        "Consultation held": "3",
        "Engagement letter sent": "2",
        "Retained": "2",
    }
    metric = get("lead_funnel")
    assert metric is not None and metric.extra is not None
    reasons = {e["_key"]: e["value"] for e in beside(metric) if e["_kind"] == "reason"}
    assert reasons == {"conflict": 1, "no_response": 1}
    revenue = [
        (e["_key"], e["currency"], e["value"]) for e in beside(metric) if e["_kind"] == "revenue"
    ]
    assert revenue == [("website", "PLN", d("1200.00"))]
    sources = groups(rows, "source_key", "lead_funnel")
    assert {k: f.n for k, f in sources.items()} == {
        "google": 2, "other": 1, "referral": 1, "website": 2,
    }  # fmt: skip


def test_every_rows_link_to_a_staff_page(golden: metrics_data.Golden) -> None:
    from insights.metrics import all_metrics

    for metric in all_metrics():
        for row in metric.rows(firm()):
            assert row["url"].startswith("/staff/"), (metric.id, row["url"])
            assert all(c.key in row for c in metric.columns), metric.id
