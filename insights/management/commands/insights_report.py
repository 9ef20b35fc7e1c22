"""Print each metric's figure for one month of the firm's calendar (insights.md §1).

    python manage.py insights_report --period 2026-03 [--json]

The month is cut in the firm's time zone, exactly as the pages cut it; the figures are the
whole firm's. With --json: an object keyed by metric id, each with value, numerator,
denominator and n (numbers, or null); a metric with one figure per currency also has
"currencies", keyed by currency code.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from insights.metrics import all_metrics
from insights.metrics.base import Figure
from insights.periods import Period
from insights.selectors.scope import firm_scope

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> Period:
    match = PERIOD_RE.match(text.strip())
    if not match:
        raise CommandError(
            _("--period must be a month as YYYY-MM (for example 2026-03), not %(text)r")
            % {"text": text}
        )
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1900:
        raise CommandError(_("--period %(text)r is not a calendar month") % {"text": text})
    return Period.month(year, month)


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _figure(figure: Figure) -> dict[str, Any]:
    return {
        "value": _number(figure.value),
        "numerator": _number(figure.numerator),
        "denominator": _number(figure.denominator),
        "n": figure.n,
        "unit": figure.unit,
        "too_few": figure.too_few,
    }


class Command(BaseCommand):
    help = "Print each metric's value, numerator, denominator and n for one month."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        period = parse_month(options["period"])
        scope = firm_scope(period=period)
        report: dict[str, Any] = {}
        for metric in all_metrics():
            figures = metric.value(metric.rows(scope))
            if len(figures) == 1 and not figures[0].currency:
                report[metric.id] = _figure(figures[0])
                continue
            # Money metrics: one figure per currency, never added together. The top-level
            # numbers are those of the only currency, or null when there are several.
            per = {f.currency: _figure(f) for f in figures}
            only = next(iter(per.values())) if len(per) == 1 else None
            report[metric.id] = {
                "value": only["value"] if only else None,
                "numerator": only["numerator"] if only else None,
                "denominator": only["denominator"] if only else None,
                "n": sum(f.n for f in figures),
                "unit": metric.unit,
                "too_few": only["too_few"] if only else False,
                "currencies": per,
            }
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, sort_keys=False))
            return
        self.stdout.write(f"{period.start:%Y-%m} ({scope.firm_tz})")
        for metric in all_metrics():
            row = report[metric.id]
            lines = [(metric.id, row)] + [
                (f"{metric.id} {code}", fig) for code, fig in row.get("currencies", {}).items()
            ]
            if "currencies" in row:
                lines = lines[1:] or [(metric.id, row)]
            for label, fig in lines:
                value = _("too few to judge") if fig["too_few"] else fig["value"]
                self.stdout.write(
                    f"{label:40} value={value} numerator={fig['numerator']} "
                    f"denominator={fig['denominator']} n={fig['n']}"
                )
