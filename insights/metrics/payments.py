"""Days to payment (insights.md §2): consultation fees and invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

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
from portal.types import practice_area_label

INVOICE_TARGET_DAYS = 14
METHOD_LABELS = {
    "CARD": _("Card"),
    "BLIK": _("BLIK"),
    "P24": _("Przelewy24"),
    "BANK_TRANSFER": _("Bank transfer"),
    "CASH": _("Cash"),
    "OTHER": _("Other"),
}
AGING_LABELS = {
    "current": _("Not yet due"),
    "1-14": _("1–14 days overdue"),
    "15-30": _("15–30 days overdue"),
    "31-60": _("31–60 days overdue"),
    "61-90": _("61–90 days overdue"),
    "90+": _("More than 90 days overdue"),
}


# --------------------------------------------------------------------------- consultations


def consultation_rows(scope: Scope) -> list[Row]:
    start, end = common.bounds(scope)
    today = common.local_date(common.now_of(scope), scope)
    rows = []
    for r in billing_selectors.consultation_fees_for_insights(
        start=start,
        end=end,
        owner_id=common.owner(scope),
        staff_ids=common.values(scope, "staff"),
        service_ids=common.values(scope, "service"),
    ):
        created_day = common.local_date(r["created_at"], scope)
        days = (
            None
            if r["paid_at"] is None
            else (common.local_date(r["paid_at"], scope) - created_day).days
        )
        # Unpaid on the day it was asked for: not the same day, once that day is over.
        pending = r["paid_at"] is None and created_day >= today
        rows.append(
            {
                "requested": common.local(r["created_at"], scope),
                "client": r["contact_name"],
                "service": r["appointment__service__name"] or "",
                "staff": r["staff_name"],
                "amount": r["amount"],
                "currency": r["currency"],
                "paid": common.local(r["paid_at"], scope),
                "days": days,
                "method": str(METHOD_LABELS.get(r["method"], r["method"])) if r["method"] else "",
                "url": common.link("scheduling:staff-appointment", r["appointment_id"])
                if r["appointment_id"]
                else common.link("billing:staff-contact-billing", r["contact_id"]),
                "service_id": str(r["appointment__service_id"] or ""),
                "method_key": r["method"],
                "staff_id": str(r["appointment__staff_id"] or ""),
                "_pending": pending,
            }
        )
    return rows


def consultation_value(rows: Sequence[Row]) -> list[Figure]:
    judged = [r for r in rows if not r["_pending"]]
    same_day = sum(1 for r in judged if r["days"] == 0)
    paid_days = [r["days"] for r in judged if r["days"] is not None]
    return [
        common.rate(
            rows,
            numerator=same_day,
            denominator=len(judged),
            details=((_("median days"), common.text(common.median(paid_days))),),
        )
    ]


DAYS_TO_PAYMENT_CONSULTATIONS = register(
    Metric(
        id="days_to_payment_consultations",
        position=30,
        title=_("Days to payment: consultations"),
        question=_("Are consultation fees paid when asked?"),
        definition=_(
            "For consultation-fee requests created in the period (at booking or with an "
            "invitation; withdrawn ones left out): calendar days in the firm's time zone from "
            "the request to the payment. The value is the share paid the same day; a request "
            "still unpaid counts as not the same day once its day is over. The median days "
            "of the paid ones is shown beside it."
        ),
        basis=Basis.COHORT,
        period_key="requested",
        unit="percent",
        columns=(
            Column("requested", _("Requested"), "datetime"),
            Column("client", _("Client")),
            Column("service", _("Service")),
            Column("staff", _("Staff")),
            Column("amount", _("Amount"), "money"),
            Column("currency", _("Currency")),
            Column("paid", _("Paid"), "datetime"),
            Column("days", _("Days"), "number"),
            Column("method", _("Method")),
        ),
        rows=consultation_rows,
        value=consultation_value,
        target=Band(low=Decimal("100"), margin=Decimal("10"), label=_("paid the same day")),
        breakdowns=(
            Breakdown("service_id", _("Service"), "service"),
            Breakdown("method_key", _("Method"), "method"),
        ),
        digest=True,
    )
)


# --------------------------------------------------------------------------- invoices


def _invoice_filters(scope: Scope) -> dict[str, object]:
    return {
        "owner_id": common.owner(scope),
        "staff_ids": common.values(scope, "staff"),
        "practice_areas": common.values(scope, "practice_area"),
        "currencies": common.values(scope, "currency"),
    }


def _invoice_row(r: dict[str, object], scope: Scope) -> Row:
    return {
        "number": r["number"] or "",
        "client": r["contact_name"],
        "matter": r["matter__reference"] or "",
        "lawyer": common.name_or_unassigned(str(r["lawyer_name"])),
        "practice_area": practice_area_label(str(r["practice_area"] or "")),
        "issued": r["issue_date"],
        "total": r["total"],
        "currency": r["currency"],
        "url": common.link("billing:staff-invoice", r["id"]),
        "lawyer_id": str(r["lawyer_id"] or ""),
        "practice_area_key": r["practice_area"],
    }


def invoice_rows(scope: Scope) -> list[Row]:
    start, end = common.bounds(scope)
    settled = billing_selectors.invoices_settled_for_insights(
        start=start,
        end=end,
        **_invoice_filters(scope),  # type: ignore[arg-type]  # each filter keyword has its own type
    )
    rows = []
    for r in settled["paid"]:
        paid_day = common.local_date(r["paid_at"], scope)
        rows.append(
            {
                **_invoice_row(r, scope),
                "paid": paid_day,
                "days": (paid_day - r["issue_date"]).days,
            }
        )
    return rows


def invoice_value(rows: Sequence[Row]) -> list[Figure]:
    def one(group: Sequence[Row], currency: str) -> Figure:
        days = [r["days"] for r in group]
        within = sum(1 for d in days if d <= INVOICE_TARGET_DAYS)
        return common.measured(
            group,
            value=common.median(days),
            cases=len(group),
            unit="days",
            numerator=within,
            denominator=len(group),
            currency=currency,
            details=(
                (_("mean days"), common.text(common.mean(days))),
                (_("paid within 14 days"), common.text(common.percent(within, len(group)), " %")),
            ),
        )

    return common.per_currency(rows, one)


def invoice_extra(scope: Scope) -> list[Row]:
    """The aging of open balances at the period's end per currency, and the invoices
    settled by a credit note in the period (left out of the figure, counted here)."""
    start, end = common.bounds(scope)
    filters = _invoice_filters(scope)
    aging = billing_selectors.invoice_aging_for_insights(
        at=end,
        today=scope.period.end - dt.timedelta(days=1),
        **filters,  # type: ignore[arg-type]  # each filter keyword has its own type
    )
    out: list[Row] = []
    for currency in sorted(aging):
        for _first, bucket in billing_selectors.AGING_BUCKETS:
            out.append(
                {
                    "label": AGING_LABELS[bucket],
                    "_kind": "aging",
                    "_key": bucket,
                    "currency": currency,
                    "value": aging[currency][bucket],
                    "_n": None,
                }
            )
    credited = billing_selectors.invoices_settled_for_insights(
        start=start,
        end=end,
        **filters,  # type: ignore[arg-type]  # each filter keyword has its own type
    )["credited"]
    for currency in sorted({r["currency"] for r in credited}):
        count = sum(1 for r in credited if r["currency"] == currency)
        out.append(
            {
                "label": _("Credited instead of paid (left out)"),
                "_kind": "credited",
                "_key": "credited",
                "currency": currency,
                "value": count,
                "_n": count,
            }
        )
    return out


DAYS_TO_PAYMENT_INVOICES = register(
    Metric(
        id="days_to_payment_invoices",
        position=40,
        title=_("Days to payment: invoices"),
        question=_("How long do clients take to pay invoices?"),
        definition=_(
            "For invoices fully paid in the period: days from the issue date to the date "
            "(in the firm's time zone) of the payment that brought the balance to 0, per "
            "currency. The value is the median; the mean and the share paid within 14 days "
            "are shown beside it. Invoices settled by a credit note are left out and counted "
            "apart. The aging of open balances is at the period's end, per currency."
        ),
        basis=Basis.EVENT,
        period_key="paid",
        unit="days",
        columns=(
            Column("number", _("Invoice")),
            Column("client", _("Client")),
            Column("matter", _("Matter")),
            Column("lawyer", _("Lawyer")),
            Column("practice_area", _("Practice area")),
            Column("issued", _("Issued"), "date"),
            Column("paid", _("Paid"), "date"),
            Column("days", _("Days"), "number"),
            Column("total", _("Total"), "money"),
            Column("currency", _("Currency")),
        ),
        rows=invoice_rows,
        value=invoice_value,
        target=Band(high=Decimal("13"), margin=Decimal("7"), label=_("under 14 days")),
        breakdowns=(
            Breakdown("lawyer_id", _("Lawyer"), "lawyer"),
            Breakdown("practice_area_key", _("Practice area"), "practice_area"),
        ),
        extra=invoice_extra,
        digest=True,
    )
)
