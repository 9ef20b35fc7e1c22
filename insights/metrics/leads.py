"""The lead metrics (insights.md §2): time to first consultation, staff intake time and
the conversion funnel. All read ``intake.selectors.leads_for_insights``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from billing import selectors as billing_selectors
from insights.metrics import common
from insights.metrics.base import (
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
from insights.periods import Period
from intake import selectors as intake_selectors
from portal.types import practice_area_label
from scheduling import selectors as scheduling_selectors

# "Under 3 business days" (PRODUCT.md): 0, 1 or 2.
TARGET_DAYS = 3
REVENUE_DAYS = 90
FUNNEL_STAGES = ("consult_booked", "consult_held", "engagement_sent", "retained")
STAGE_LABELS = {
    "new": _("New"),
    "consult_booked": _("Consultation booked"),
    "consult_held": _("Consultation held"),
    "no_show": _("Did not attend"),
    "engagement_sent": _("Engagement letter sent"),
    "retained": _("Retained"),
    "declined": _("Declined"),
    "lost": _("Lost"),
}
SOURCE_LABELS = {
    "website": _("Website"),
    "referral": _("Referral"),
    "google": _("Google"),
    "directory": _("Directory"),
    "social": _("Social media"),
    "returning": _("Returning client"),
    "other": _("Other"),
}
OUTCOMES = {
    "under": _("Under 3 business days"),
    "over": _("3 business days or more"),
    "pending": _("No consultation yet (under 3 business days so far)"),
}


def _leads(scope: Scope, by: str) -> list[dict[str, Any]]:
    start, end = common.bounds(scope)
    return intake_selectors.leads_for_insights(
        start=start,
        end=end,
        by=by,  # type: ignore[arg-type]  # one of the selector's literal date columns
        owner_id=common.owner(scope),
        staff_ids=common.values(scope, "staff"),
        sources=common.values(scope, "source"),
        practice_areas=common.values(scope, "practice_area"),
    )


def _base(lead: dict[str, Any], scope: Scope) -> Row:
    return {
        "created": common.local(lead["created_at"], scope),
        "client": lead["contact_name"],
        "source": str(SOURCE_LABELS.get(lead["source"], lead["source"])),
        "practice_area": practice_area_label(lead["practice_area"] or ""),
        "staff": common.name_or_unassigned(lead["assigned_name"]),
        "stage": str(STAGE_LABELS.get(lead["status"], lead["status"])),
        "url": common.link("intake:staff-lead", lead["id"]),
        "source_key": lead["source"],
        "practice_area_key": lead["practice_area"] or "",
        "staff_id": str(lead["assigned_to_id"] or ""),
    }


# --------------------------------------------------------------------------- time to first


def first_consultation_rows(scope: Scope) -> list[Row]:
    leads = _leads(scope, "created")
    calendar = scope.calendar
    now = common.now_of(scope)
    # Asked even for no leads: a page's query count never depends on its data.
    since = min((lead["created_at"] for lead in leads), default=now) - dt.timedelta(days=1)
    starts = scheduling_selectors.consultation_starts_for_contacts(
        contact_ids={lead["contact_id"] for lead in leads}, since=since
    )
    rows = []
    for lead in leads:
        created_day = calendar.local_date(lead["created_at"])
        # The first consultation on or after the day the inquiry came (a walk-in seen the
        # same day, booked before the lead was typed in, is 0 days).
        first = next(
            (
                s
                for s in starts.get(lead["contact_id"], [])
                if calendar.local_date(s) >= created_day
            ),
            None,
        )
        if first is not None:
            days: int | None = calendar.business_days_between(lead["created_at"], first)
            outcome = "under" if days is not None and days < TARGET_DAYS else "over"
        else:
            waited = calendar.business_days_between(lead["created_at"], now)
            # Still waiting: over the target once three business days have passed (the
            # figure then uses the days waited so far, a lower bound).
            days = waited if waited >= TARGET_DAYS else None
            outcome = "over" if waited >= TARGET_DAYS else "pending"
        rows.append(
            {
                **_base(lead, scope),
                "first_consultation": common.local(first, scope),
                "business_days": days,
                "outcome": str(OUTCOMES[outcome]),
                "_outcome": outcome,
            }
        )
    return rows


def first_consultation_value(rows: Sequence[Row]) -> list[Figure]:
    judged = [r for r in rows if r["_outcome"] != "pending"]
    under = sum(1 for r in judged if r["_outcome"] == "under")
    share = common.percent(under, len(judged))
    return [
        common.measured(
            rows,
            value=common.median([r["business_days"] for r in judged]),
            cases=len(judged),
            unit="days",
            numerator=under,
            denominator=len(judged),
            details=((_("under 3 business days"), common.text(share, " %")),),
        )
    ]


LEAD_COLUMNS = (
    Column("created", _("Inquiry"), "datetime"),
    Column("client", _("Client")),
    Column("source", _("Source")),
    Column("practice_area", _("Practice area")),
    Column("staff", _("Staff")),
    Column("stage", _("Stage")),
)
LEAD_BREAKDOWNS = (
    Breakdown("source_key", _("Source"), "source"),
    Breakdown("practice_area_key", _("Practice area"), "practice_area"),
    Breakdown("staff_id", _("Staff"), "staff"),
)

TIME_TO_FIRST_CONSULTATION = register(
    Metric(
        id="time_to_first_consultation",
        position=10,
        title=_("Time to first consultation"),
        question=_("How fast do new inquiries get a consultation?"),
        definition=_(
            "For leads created in the period: business days from the inquiry to the start of "
            "the lead's first consultation (booked or held, not cancelled), counting the "
            "firm's working days after the inquiry's date up to the consultation's date. A "
            "lead with no consultation after 3 business days counts as over the target. The "
            "value is the median; the counts are the leads under 3 business days out of the "
            "leads judged so far."
        ),
        basis=Basis.COHORT,
        period_key="created",
        unit="days",
        columns=(
            *LEAD_COLUMNS,
            Column("first_consultation", _("First consultation"), "datetime"),
            Column("business_days", _("Business days"), "number"),
            Column("outcome", _("Within the target")),
        ),
        rows=first_consultation_rows,
        value=first_consultation_value,
        target=Band(high=Decimal("2"), margin=Decimal("1"), label=_("under 3 business days")),
        breakdowns=LEAD_BREAKDOWNS,
        digest=True,
    )
)


# --------------------------------------------------------------------------- intake time


def intake_time_rows(scope: Scope) -> list[Row]:
    rows = []
    for lead in _leads(scope, "decided"):
        hours = scope.calendar.business_hours_between(lead["created_at"], lead["decided_at"])
        rows.append(
            {
                **_base(lead, scope),
                "decided": common.local(lead["decided_at"], scope),
                "business_hours": common.quantize(max(hours, 0)),
                "touches": lead["touches"],
                "form": lead["form_name"] or str(_("Added by staff")),
                "form_key": lead["form_name"],
            }
        )
    return rows


def intake_time_value(rows: Sequence[Row]) -> list[Figure]:
    touches = common.median([r["touches"] for r in rows])
    return [
        common.measured(
            rows,
            value=common.median([r["business_hours"] for r in rows]),
            cases=len(rows),
            unit="hours",
            details=((_("median staff touches"), common.text(touches)),),
        )
    ]


def intake_time_extra(scope: Scope) -> list[Row]:
    """The baseline: the same measure over the firm's first calendar month with a decided
    lead, and the change against it (the aim is 30 % less)."""
    first = intake_selectors.first_lead_decided_at()
    if first is None:
        return []
    day = common.local_date(first, scope)
    baseline = Period.month(day.year, day.month)
    before = intake_time_value(intake_time_rows(scope.with_period(baseline)))[0]
    now = intake_time_value(intake_time_rows(scope))[0]
    change = None
    if before.value and now.value is not None:
        change = common.quantize((now.value - before.value) * 100 / before.value)
    return [
        {
            "label": _("Baseline month %(month)s: median business hours")
            % {"month": baseline.start.strftime("%Y-%m")},
            "value": before.value,
            "_kind": "baseline",
            "_key": "baseline",
            "_n": before.n,
        },
        {
            "label": _("Change against the baseline (%); the aim is −30 %"),
            "value": change,
            "_kind": "progress",
            "_key": "progress",
            "_n": now.n,
        },
    ]


STAFF_INTAKE_TIME = register(
    Metric(
        id="staff_intake_time",
        position=60,
        title=_("Staff intake time"),
        question=_("How much staff work does a new client take?"),
        definition=_(
            "For leads decided in the period (retained or declined): Atrium has no intake "
            "timers, so this shows the proxy measure — the median business hours from the "
            "inquiry to the decision, with the median number of staff touches (stage moves, "
            "edits, letters and logged calls recorded in the audit log) beside it. It is "
            "compared with the baseline month, the firm's first month with a decided lead."
        ),
        basis=Basis.COHORT,
        period_key="decided",
        unit="hours",
        columns=(
            *LEAD_COLUMNS,
            Column("decided", _("Decided"), "datetime"),
            Column("business_hours", _("Business hours"), "number"),
            Column("touches", _("Staff touches"), "number"),
            Column("form", _("Form")),
        ),
        rows=intake_time_rows,
        value=intake_time_value,
        breakdowns=(
            Breakdown("staff_id", _("Staff"), "staff"),
            Breakdown("practice_area_key", _("Practice area"), "practice_area"),
            Breakdown("form_key", _("Form used"), "form"),
        ),
        extra=intake_time_extra,
        digest=True,
    )
)


# --------------------------------------------------------------------------- funnel


def _reached(lead: dict[str, Any]) -> dict[str, dt.datetime | None]:
    """When the lead first reached each funnel stage (a later stage implies the earlier:
    a letter agreed on paper goes to retained without a consultation)."""
    first: dict[str, dt.datetime | None] = dict.fromkeys(FUNNEL_STAGES)
    for to_status, at in lead["changes"]:
        if to_status in first and first[to_status] is None:
            first[to_status] = at
    return first


def funnel_rows(scope: Scope) -> list[Row]:
    rows = []
    for lead in _leads(scope, "created"):
        reached = _reached(lead)
        reason = lead["declined_reason"] if lead["status"] == "declined" else ""
        reason = reason or (lead["lost_reason"] if lead["status"] == "lost" else "")
        row = {
            **_base(lead, scope),
            "reason": reason,
            "_created_at": lead["created_at"],
            "_contact_id": lead["contact_id"],
            "_reached": reached,
        }
        later = False
        for stage in reversed(FUNNEL_STAGES):
            later = later or reached[stage] is not None or lead["status"] == stage
            row[stage] = 1 if later else 0
        rows.append(row)
    return rows


def funnel_value(rows: Sequence[Row]) -> list[Figure]:
    retained = sum(r["retained"] for r in rows)
    details = tuple(
        (STAGE_LABELS[stage], str(sum(r[stage] for r in rows))) for stage in FUNNEL_STAGES
    )
    return [common.rate(rows, numerator=retained, denominator=len(rows), details=details)]


def funnel_extra(scope: Scope) -> list[Row]:
    """Median days between stages, lost and declined reasons, and the revenue invoiced in
    each lead's first 90 days per source and currency (never summed across currencies)."""
    rows = funnel_rows(scope)
    out: list[Row] = []
    previous = "created"
    for stage in FUNNEL_STAGES:
        gaps = []
        for r in rows:
            start = r["_created_at"] if previous == "created" else r["_reached"][previous]
            end = r["_reached"][stage]
            if start is not None and end is not None and end >= start:
                gaps.append((end - start).total_seconds() / 86400)
        out.append(
            {
                "label": _("Median days to %(stage)s") % {"stage": STAGE_LABELS[stage]},
                "_kind": "stage_days",
                "_key": stage,
                "value": common.median(gaps),
                "_n": len(gaps),
            }
        )
        previous = stage
    reasons: dict[str, int] = {}
    for r in rows:
        if r["reason"]:
            reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
    for reason, count in sorted(reasons.items()):
        out.append(
            {"label": reason, "_kind": "reason", "_key": reason, "value": count, "_n": count}
        )
    since = min(
        (common.local_date(r["_created_at"], scope) for r in rows), default=scope.period.start
    )
    invoices = billing_selectors.invoiced_for_contacts(
        contact_ids={r["_contact_id"] for r in rows}, since=since
    )
    if rows:
        revenue: dict[tuple[str, str], Decimal] = {}
        for r in rows:
            first_day = common.local_date(r["_created_at"], scope)
            last_day = first_day + dt.timedelta(days=REVENUE_DAYS)
            for contact_id, issue_date, currency, total in invoices:
                if contact_id == r["_contact_id"] and first_day <= issue_date < last_day:
                    key = (r["source_key"], currency)
                    revenue[key] = revenue.get(key, Decimal("0")) + Decimal(total)
        for (source, currency), amount in sorted(revenue.items()):
            out.append(
                {
                    "label": _("Invoiced in the first 90 days: %(source)s")
                    % {"source": SOURCE_LABELS.get(source, source)},
                    "_kind": "revenue",
                    "_key": source,
                    "currency": currency,
                    "value": amount,
                    "_n": None,
                }
            )
    return out


LEAD_FUNNEL = register(
    Metric(
        id="lead_funnel",
        position=100,
        title=_("Lead conversion"),
        question=_("How many inquiries become clients?"),
        definition=_(
            "Of the leads created in the period: how many reached consultation booked, "
            "consultation held, engagement letter sent and retained (a later stage counts "
            "the earlier ones as reached). The value is the share retained. Beside it: the "
            "median days per stage, the reasons for declined and lost leads, and the amount "
            "invoiced in each lead's first 90 days per source and currency."
        ),
        basis=Basis.COHORT,
        period_key="created",
        unit="percent",
        columns=(
            *LEAD_COLUMNS,
            Column("consult_booked", _("Consultation booked"), "number"),
            Column("consult_held", _("Consultation held"), "number"),
            Column("engagement_sent", _("Engagement letter sent"), "number"),
            Column("retained", _("Retained"), "number"),
            Column("reason", _("Reason declined or lost")),
        ),
        rows=funnel_rows,
        value=funnel_value,
        breakdowns=LEAD_BREAKDOWNS,
        extra=funnel_extra,
    )
)
