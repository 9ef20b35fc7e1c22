"""Month-end snapshots (insights.md §1.6, §10.5) and the report command (issue 16)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from core.errors import ServiceError
from insights import tasks
from insights.metrics import base, get
from insights.models import MetricSnapshot
from insights.periods import Period
from insights.selectors.scope import firm_scope
from insights.selectors.snapshots import snapshot_change, snapshot_compare, snapshots_for_period
from insights.services.snapshots import metric_snapshots_write
from scheduling import services as scheduling_services
from tests.insights import metrics_data
from tests.insights.metrics_data import NOW

pytestmark = pytest.mark.django_db

MARCH = Period.month(2026, 3)
LATER = NOW + dt.timedelta(days=3)


@pytest.fixture
def golden() -> metrics_data.Golden:
    with time_machine.travel(NOW, tick=False):
        return metrics_data.build()


def show_rate_now(at: dt.datetime) -> tuple[base.Metric, base.Scope, base.Figure]:
    metric = get("show_rate")
    assert metric is not None
    scope = firm_scope(period=MARCH, now=at)
    return metric, scope, metric.value(metric.rows(scope))[0]


def test_a_closed_month_is_written_once_per_metric_and_currency(
    golden: metrics_data.Golden,
) -> None:
    written = metric_snapshots_write(month=MARCH, now=NOW)
    rows = {(s.metric, s.currency): s for s in MetricSnapshot.objects.filter(filters_hash="")}
    # Eleven metrics; the invoice days and the billing summary once per currency; and the
    # same again for each of the two lawyers who see only their own figures.
    assert len(rows) == 13
    assert written == MetricSnapshot.objects.count() > 13
    assert ("days_to_payment_invoices", "PLN") in rows and ("billing_summary", "EUR") in rows
    show = rows[("show_rate", "")]
    assert (show.value, show.numerator, show.denominator, show.n) == (70, 7, 10, 10)
    assert show.period_start == dt.date(2026, 3, 1) and show.filters_hash == ""
    # A second run writes nothing.
    assert metric_snapshots_write(month=MARCH, now=LATER) == 0
    assert MetricSnapshot.objects.count() == written


def test_a_late_no_show_mark_shows_as_changed_since_month_end(golden: metrics_data.Golden) -> None:
    metric_snapshots_write(month=MARCH, now=NOW)
    # given a consultation marked attended in March, corrected to a no-show in April
    with time_machine.travel(LATER, tick=False):
        scheduling_services.appointment_mark(
            appointment=golden.appointments[2], status="no_show", actor=golden.lena
        )
    # when the page reads March again
    metric, scope, live = show_rate_now(LATER)
    change = snapshot_compare(metric=metric, scope=scope, figure=live)
    # then the live figure is 60 % and the month-end one stays 70 %
    assert change is not None and change.changed and not change.definition_changed
    assert (change.before, change.after) == (70, 60)
    # and the snapshot itself was never rewritten, not even by the next night's run
    metric_snapshots_write(month=MARCH, now=LATER)
    snap = MetricSnapshot.objects.get(metric="show_rate", filters_hash="")
    assert (snap.value, snap.numerator, snap.computed_at) == (70, 7, NOW)


def test_an_unchanged_month_is_not_flagged(golden: metrics_data.Golden) -> None:
    metric_snapshots_write(month=MARCH, now=NOW)
    metric, scope, live = show_rate_now(LATER)
    change = snapshot_compare(metric=metric, scope=scope, figure=live)
    assert change is not None and not change.changed


def test_a_new_definition_version_writes_a_new_row_and_is_not_compared(
    golden: metrics_data.Golden, monkeypatch: pytest.MonkeyPatch
) -> None:
    metric_snapshots_write(month=MARCH, now=NOW)
    metric = get("show_rate")
    assert metric is not None
    bumped = dataclasses.replace(metric, definition_version=2)
    # The definition changed in the code: the registry holds the new version.
    monkeypatch.setitem(base._REGISTRY, "show_rate", bumped)
    # one new row for the firm and one for each lawyer's own figure
    assert metric_snapshots_write(month=MARCH, now=LATER) == 3
    versions = sorted(
        MetricSnapshot.objects.filter(metric="show_rate", filters_hash="").values_list(
            "definition_version", flat=True
        )
    )
    assert versions == [1, 2]
    # A page comparing with an old-version snapshot says "definition changed".
    old = dict(snapshots_for_period(scope=firm_scope(period=MARCH, now=LATER)))
    old[("show_rate", "")] = MetricSnapshot.objects.get(
        metric="show_rate", definition_version=1, filters_hash=""
    )
    live = bumped.value(bumped.rows(firm_scope(period=MARCH, now=LATER)))[0]
    change = snapshot_change(metric=bumped, figure=live, snapshots=old)
    assert change is not None and change.definition_changed and not change.changed


def test_a_month_not_over_is_refused(golden: metrics_data.Golden) -> None:
    with pytest.raises(ServiceError):
        metric_snapshots_write(month=Period.month(2026, 4), now=NOW)
    assert not MetricSnapshot.objects.exists()
    # the comparison is only for closed months, the whole firm and no filters
    metric, _scope, live = show_rate_now(NOW)
    lena = dataclasses.replace(firm_scope(period=MARCH, now=NOW), own_only=True)
    metric_snapshots_write(month=MARCH, now=NOW)
    assert snapshot_compare(metric=metric, scope=lena, figure=live) is None


def test_the_nightly_task_snapshots_the_month_just_closed_in_the_firms_zone(
    golden: metrics_data.Golden,
) -> None:
    # 00:30 on 1 April in Warsaw is 22:30 UTC on 31 March: March is over there.
    with time_machine.travel(dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC), tick=False):
        tasks.metric_snapshots_previous_month()
    assert set(MetricSnapshot.objects.values_list("period_start", flat=True)) == {
        dt.date(2026, 3, 1)
    }


def test_report_json_has_every_metric_with_numbers(golden: metrics_data.Golden) -> None:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("insights_report", "--period", "2026-03", "--json", stdout=out)
    report = json.loads(out.getvalue())
    for key in (
        "show_rate",
        "time_to_first_consultation",
        "days_to_payment_consultations",
        "days_to_payment_invoices",
        "outside_portal_share",
        "response_within_promise",
        "csat",
        "nps",
    ):
        assert set(report[key]) >= {"value", "numerator", "denominator", "n"}, key
    assert report["show_rate"]["value"] == 70
    assert (report["show_rate"]["numerator"], report["show_rate"]["denominator"]) == (7, 10)
    assert report["show_rate"]["n"] == 10
    assert report["time_to_first_consultation"]["value"] == 2.5
    assert report["nps"]["value"] == 0
    assert report["staff_intake_time"]["value"] is None  # two leads: too few
    # Two currencies: no single value, one line each.
    invoices = report["days_to_payment_invoices"]
    assert invoices["value"] is None
    assert invoices["currencies"]["PLN"]["value"] == 7
    assert invoices["currencies"]["EUR"]["n"] == 2


def test_report_text_names_the_firms_zone(golden: metrics_data.Golden) -> None:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("insights_report", "--period", "2026-03", stdout=out)
    text = out.getvalue()
    assert text.startswith("2026-03 (Europe/Warsaw)")
    assert "show_rate" in text and "numerator=7" in text


@pytest.mark.parametrize("period", ["2026-13", "March", "2026-3-1", ""])
def test_report_with_a_bad_period_says_so(period: str) -> None:
    with pytest.raises(CommandError, match="period"):
        call_command("insights_report", "--period", period)


def test_report_with_a_bad_period_exits_non_zero_without_a_traceback() -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(root / "manage.py"), "insights_report", "--period", "2026-00"],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ},
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "--period" in done.stderr


def test_each_lawyers_own_figures_are_kept_at_month_end_too(
    golden: metrics_data.Golden,
) -> None:
    # given the nightly job of the month just closed
    from insights.selectors import insights_scope, own_filters_hash

    metric_snapshots_write(month=MARCH, now=NOW)

    # then each lawyer's own show rate is kept as their live own figure was at month end
    for lawyer in (golden.lena, golden.marek):
        own = insights_scope(user=lawyer, period=MARCH, now=NOW)
        assert own.own_only
        metric = get("show_rate")
        assert metric is not None
        live = metric.value(metric.rows(own))[0]
        kept = MetricSnapshot.objects.get(
            metric="show_rate", filters_hash=own_filters_hash(lawyer.pk)
        )
        assert (kept.n, kept.numerator) == (live.n, live.numerator)
    # and no firm admin (who sees the whole firm) gets rows of their own
    assert not MetricSnapshot.objects.filter(filters_hash=own_filters_hash(golden.admin.pk))
