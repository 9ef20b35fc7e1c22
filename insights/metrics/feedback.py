"""Client feedback (insights.md §2): CSAT after consultations, NPS at matter close."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from insights.metrics import common
from insights.metrics.base import (
    MIN_N,
    Band,
    Basis,
    Breakdown,
    Column,
    Figure,
    Metric,
    Row,
    Scope,
    register,
)
from insights.models import FeedbackRequest
from insights.periods import QUARTER
from insights.selectors.feedback import feedback_request_counts, feedback_rows
from portal.types import practice_area_label

CSAT = FeedbackRequest.Kind.CSAT_CONSULT
NPS = FeedbackRequest.Kind.NPS_CLOSE


def _rows(scope: Scope, kind: str) -> list[Row]:
    start, end = common.bounds(scope)
    staff = common.values(scope, "staff")
    services = common.values(scope, "service")
    areas = common.values(scope, "practice_area")
    staff_keys = None if staff is None else {str(s) for s in staff}
    service_keys = None if services is None else {str(s) for s in services}
    rows = []
    for f in feedback_rows(
        kind=kind, start=start, end=end, user=scope.user, own_only=scope.own_only
    ):
        if staff_keys is not None and str(f.staff_id) not in staff_keys:
            continue
        if service_keys is not None and str(f.service_id) not in service_keys:
            continue
        if areas is not None and f.practice_area not in areas:
            continue
        # Comments are client content and stay on the feedback pages: never in these
        # rows, so never in a CSV or a digest.
        rows.append(
            {
                "answered": common.local(f.responded_at, scope),
                "score": f.score,
                "staff": f.staff_name,
                "service": f.service_name,
                "matter": f.matter_reference,
                "practice_area": practice_area_label(f.practice_area or ""),
                "url": common.link("staff:matter-detail", f.matter_id)
                if f.matter_id
                else (
                    common.link("scheduling:staff-appointment", f.appointment_id)
                    if f.appointment_id
                    else common.link("staff:contact-detail", f.contact_id)
                ),
                "staff_id": str(f.staff_id or ""),
                "service_id": str(f.service_id or ""),
                "practice_area_key": f.practice_area,
            }
        )
    return rows


def csat_rows(scope: Scope) -> list[Row]:
    return _rows(scope, CSAT)


def csat_value(rows: Sequence[Row]) -> list[Figure]:
    satisfied = sum(1 for r in rows if r["score"] >= 4)
    return [common.rate(rows, numerator=satisfied, denominator=len(rows))]


def _response_rate(scope: Scope, kind: str) -> list[Row]:
    start, end = common.bounds(scope)
    counts = feedback_request_counts(
        kind=kind, start=start, end=end, user=scope.user, own_only=scope.own_only
    )
    return [
        {
            "label": _("Response rate (requests sent in the period and answered)"),
            "_kind": "response_rate",
            "_key": "response_rate",
            "value": common.percent(counts.answered, counts.sent) if counts.sent >= MIN_N else None,
            "_numerator": counts.answered,
            "_n": counts.sent,
        }
    ]


def csat_extra(scope: Scope) -> list[Row]:
    return _response_rate(scope, CSAT)


CSAT_METRIC = register(
    Metric(
        id="csat",
        position=80,
        title=_("Satisfaction after consultations"),
        question=_("Are clients happy with their consultation?"),
        definition=_(
            "The share of 4 and 5 answers on a 1 to 5 scale among the answers received in the "
            "period to requests sent after attended consultations. The response rate is shown "
            "beside it."
        ),
        basis=Basis.EVENT,
        period_key="answered",
        unit="percent",
        columns=(
            Column("answered", _("Answered"), "datetime"),
            Column("score", _("Score"), "number"),
            Column("staff", _("Staff")),
            Column("service", _("Service")),
        ),
        rows=csat_rows,
        value=csat_value,
        target=Band(low=Decimal("90"), margin=Decimal("5"), label=_("at least 90 %")),
        breakdowns=(
            Breakdown("staff_id", _("Staff"), "staff"),
            Breakdown("service_id", _("Service"), "service"),
        ),
        extra=csat_extra,
    )
)


def nps_rows(scope: Scope) -> list[Row]:
    return _rows(scope, NPS)


def nps_value(rows: Sequence[Row]) -> list[Figure]:
    """% promoters (9–10) − % detractors (0–6): numerator promoters − detractors."""
    promoters = sum(1 for r in rows if r["score"] >= 9)
    detractors = sum(1 for r in rows if r["score"] <= 6)
    n = len(rows)
    too_few = n < MIN_N
    value = None if too_few or not n else common.quantize(Decimal(promoters - detractors) * 100 / n)
    return [
        Figure(
            value=value,
            n=n,
            unit="nps",
            numerator=Decimal(promoters - detractors),
            denominator=Decimal(n),
            too_few=too_few,
            details=((_("promoters"), str(promoters)), (_("detractors"), str(detractors))),
        )
    ]


def nps_extra(scope: Scope) -> list[Row]:
    return _response_rate(scope, NPS)


NPS_METRIC = register(
    Metric(
        id="nps",
        position=90,
        title=_("Recommendation at matter close"),
        question=_("Would clients recommend us?"),
        definition=_(
            "Net promoter score of the answers received in the period to the question asked "
            "when a matter closes: the percentage of 9 and 10 answers minus the percentage of "
            "0 to 6 answers on a 0 to 10 scale. Shown by quarter: a month has too few answers "
            "in a small firm."
        ),
        basis=Basis.EVENT,
        period_key="answered",
        unit="nps",
        columns=(
            Column("answered", _("Answered"), "datetime"),
            Column("score", _("Score"), "number"),
            Column("staff", _("Lawyer")),
            Column("matter", _("Matter")),
            Column("practice_area", _("Practice area")),
        ),
        rows=nps_rows,
        value=nps_value,
        breakdowns=(
            Breakdown("practice_area_key", _("Practice area"), "practice_area"),
            Breakdown("staff_id", _("Lawyer"), "staff"),
        ),
        extra=nps_extra,
        period_kind=QUARTER,
    )
)
