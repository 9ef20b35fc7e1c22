"""Billing summary (insights.md §2): collected, outstanding and overdue per currency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from billing import selectors as billing_selectors
from insights.metrics import common
from insights.metrics.base import Basis, Breakdown, Column, Figure, Metric, Row, Scope, register
from insights.metrics.payments import METHOD_LABELS
from portal import selectors as portal_selectors
from portal.types import practice_area_label


def _filters(scope: Scope) -> dict[str, object]:
    return {
        "owner_id": common.owner(scope),
        "staff_ids": common.values(scope, "staff"),
        "practice_areas": common.values(scope, "practice_area"),
        "currencies": common.values(scope, "currency"),
    }


def summary_rows(scope: Scope) -> list[Row]:
    start, end = common.bounds(scope)
    payments = billing_selectors.payments_for_insights(
        start=start,
        end=end,
        **_filters(scope),  # type: ignore[arg-type]  # each filter keyword has its own type
    )
    lawyer_ids = {p["lawyer_id"] for p in payments if p["lawyer_id"] is not None}
    # The lawyer of the invoice a payment settled, by name (one query, even for none).
    names = {
        u.pk: u.get_full_name() or u.email
        for u in portal_selectors.staff_with(ids=list(lawyer_ids))
        if u.pk in lawyer_ids
    }
    rows = []
    for p in payments:
        rows.append(
            {
                "received": common.local(p["received_at"], scope),
                "client": p["contact_name"],
                "method": str(METHOD_LABELS.get(p["method"], p["method"])),
                "amount": p["amount"],
                "currency": p["currency"],
                "disputed": str(_("Disputed")) if p["disputed"] else "",
                "url": common.link("billing:staff-contact-billing", p["contact_id"]),
                "method_key": p["method"],
                "lawyer_id": str(p["lawyer_id"] or ""),
                "lawyer": names.get(p["lawyer_id"], ""),
                "practice_area_key": p["practice_area"],
                "practice_area": practice_area_label(p["practice_area"] or ""),
                "_disputed": p["disputed"],
            }
        )
    return rows


def summary_value(rows: Sequence[Row]) -> list[Figure]:
    def one(group: Sequence[Row], currency: str) -> Figure:
        collected = sum((Decimal(r["amount"]) for r in group), Decimal("0"))
        disputes = sum(1 for r in group if r["_disputed"])
        return Figure(
            value=collected,
            n=len(group),
            unit="money",
            numerator=collected,
            currency=currency,
            details=((_("disputed payments"), str(disputes)),),
        )

    return common.per_currency(rows, one)


def summary_extra(scope: Scope) -> list[Row]:
    """Outstanding and overdue at the period's end, the method mix, failed online tries
    and disputes, each per currency where money is involved."""
    start, end = common.bounds(scope)
    aging = billing_selectors.invoice_aging_for_insights(
        at=end,
        today=scope.period.end - dt.timedelta(days=1),
        **_filters(scope),  # type: ignore[arg-type]  # each filter keyword has its own type
    )
    out: list[Row] = []
    for currency in sorted(aging):
        buckets = aging[currency]
        outstanding = sum(buckets.values(), Decimal("0"))
        overdue = outstanding - buckets["current"]
        out.append(
            {
                "label": _("Outstanding at the period's end"),
                "_kind": "outstanding",
                "_key": "outstanding",
                "currency": currency,
                "value": outstanding,
                "_n": None,
            }
        )
        out.append(
            {
                "label": _("Overdue at the period's end"),
                "_kind": "overdue",
                "_key": "overdue",
                "currency": currency,
                "value": overdue,
                "_n": None,
            }
        )
    rows = summary_rows(scope)
    mix: dict[tuple[str, str], list[Decimal]] = {}
    for r in rows:
        mix.setdefault((r["currency"], r["method_key"]), []).append(Decimal(r["amount"]))
    for (currency, method), amounts in sorted(mix.items()):
        out.append(
            {
                "label": METHOD_LABELS.get(method, method),
                "_kind": "method",
                "_key": method,
                "currency": currency,
                "value": sum(amounts, Decimal("0")),
                "_n": len(amounts),
            }
        )
    failed = billing_selectors.failed_attempts_count(
        start=start, end=end, owner_id=common.owner(scope)
    )
    out.append(
        {
            "label": _("Failed online payment tries"),
            "_kind": "failed",
            "_key": "failed",
            "value": failed,
            "_n": failed,
        }
    )
    disputes = sum(1 for r in rows if r["_disputed"])
    out.append(
        {
            "label": _("Disputed payments"),
            "_kind": "disputes",
            "_key": "disputes",
            "value": disputes,
            "_n": disputes,
        }
    )
    return out


BILLING_SUMMARY = register(
    Metric(
        id="billing_summary",
        position=110,
        title=_("Billing summary"),
        question=_("How much came in, and what is still owed?"),
        definition=_(
            "Payments received in the period, per currency (never added across currencies), "
            "with the method mix; the outstanding and overdue balances of issued invoices at "
            "the period's end; failed online payment tries and disputed payments."
        ),
        basis=Basis.EVENT,
        period_key="received",
        unit="money",
        columns=(
            Column("received", _("Received"), "datetime"),
            Column("client", _("Client")),
            Column("method", _("Method")),
            Column("amount", _("Amount"), "money"),
            Column("currency", _("Currency")),
            Column("disputed", _("Disputed")),
        ),
        rows=summary_rows,
        value=summary_value,
        breakdowns=(
            Breakdown("lawyer_id", _("Lawyer"), "lawyer"),
            Breakdown("practice_area_key", _("Practice area"), "practice_area"),
            Breakdown("method_key", _("Method"), "method"),
        ),
        extra=summary_extra,
    )
)
