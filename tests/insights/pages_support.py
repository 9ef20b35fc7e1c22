"""A small metric of the pages' tests' own (matters opened in the period), so the page
tests do not depend on the real metrics: the registry holds only it while a test runs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from insights.metrics import base
from insights.metrics.base import Band, Basis, Breakdown, Column, Figure, Metric, Row, Scope
from insights.periods import period_bounds
from portal.models import Matter

METRIC_ID = "pages_open_share"


def _rows(scope: Scope) -> list[Row]:
    start, end = period_bounds(scope.period, scope.firm_tz)
    matters = (
        Matter.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("responsible_lawyer")
        .order_by("created_at", "reference")
    )
    if scope.own_only:
        matters = matters.filter(responsible_lawyer=scope.user)
    if scope.filters.get("practice_area"):
        matters = matters.filter(practice_area=scope.filters["practice_area"])
    return [
        {
            "opened": m.created_at,
            "title": m.title,
            "lawyer": m.responsible_lawyer.email,
            "amount": Decimal("-150.00"),
            "url": reverse("staff:matter-detail", args=[m.pk]),
            "lawyer_id": str(m.responsible_lawyer_id),
            "_open": m.stage != "closed",
        }
        for m in matters
    ]


def _value(rows: Sequence[Row]) -> list[Figure]:
    n = len(rows)
    open_ = sum(1 for r in rows if r["_open"])
    too_few = n < base.MIN_N
    return [
        Figure(
            value=None if too_few else Decimal(open_ * 100) / Decimal(n),
            n=n,
            unit="percent",
            numerator=Decimal(open_),
            denominator=Decimal(n),
            too_few=too_few,
        )
    ]


METRIC = Metric(
    id=METRIC_ID,
    title=_("Open matters"),
    question=_("How many matters opened in the period are still open?"),
    definition=_("Matters opened in the period that are not closed, of all opened in it."),
    basis=Basis.COHORT,
    unit="percent",
    columns=(
        Column("opened", _("Opened"), "datetime"),
        Column("title", _("Title")),
        Column("lawyer", _("Lawyer")),
        Column("amount", _("Amount"), "money"),
    ),
    rows=_rows,
    value=_value,
    target=Band(low=Decimal("80"), high=Decimal("100"), margin=Decimal("10"), label="80–100 %"),
    breakdowns=(Breakdown("lawyer_id", _("Lawyer"), "lawyer"),),
    actions=lambda scope: [r for r in _rows(scope) if r["title"].startswith("Act")],
    digest=True,
)


@pytest.fixture
def only_test_metric(monkeypatch: Any) -> Iterator[Metric]:
    """The registry holds only the test metric for the test's duration."""
    monkeypatch.setattr(base, "_REGISTRY", {METRIC_ID: METRIC})
    yield METRIC
