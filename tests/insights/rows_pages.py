"""Insights routes for the access matrix (see access_rows.py): the overview, its PDF, a
metric's page and its CSV. Staff see the pages (a lawyer their own figures); the CSV needs
insights.export, which only the firm admin holds here."""

from __future__ import annotations

from tests.access import STAFF_ONLY, Row

EXPORTERS = {**STAFF_ONLY, "staff_on": 404, "staff_off": 404}


def _metric(w: object) -> dict[str, str]:
    return {"metric_id": "show_rate"}


ROWS: list[Row] = [
    Row("insights:overview", STAFF_ONLY),
    Row("insights:overview-pdf", STAFF_ONLY),
    Row("insights:metric-detail", STAFF_ONLY, kwargs=_metric),
    Row("insights:metric-csv", EXPORTERS, kwargs=_metric),
]
