"""Billing as the firm's numbers read it (insights.md §2): plain rows, no access check
beyond the owner filter (insights decides who may ask), a flat number of queries whatever
the period holds. Amounts stay in their own currency; nothing here converts or sums
across currencies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Max, Min, Q, Sum

from billing.models import Allocation, CreditNote, Invoice, Payment, PaymentAttempt, PaymentRequest

# Days past due at a period's end (insights.md §2): current, 1–14, 15–30, 31–60, 61–90, > 90.
AGING_BUCKETS: tuple[tuple[int, str], ...] = (
    (0, "current"),
    (1, "1-14"),
    (15, "15-30"),
    (31, "31-60"),
    (61, "61-90"),
    (91, "90+"),
)
RECEIVED = (Payment.Status.SUCCEEDED, Payment.Status.DISPUTED)


def _ids(values: Iterable[Any]) -> list[Any]:
    return [getattr(v, "pk", v) for v in values]


def _name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def consultation_fees_for_insights(
    *,
    start: dt.datetime,
    end: dt.datetime,
    owner_id: Any = None,
    staff_ids: Iterable[Any] | None = None,
    service_ids: Iterable[Any] | None = None,
) -> list[dict[str, Any]]:
    """Consultation-fee requests created in ``[start, end)`` (UTC), oldest first, each
    with ``paid_at`` (the first payment received for it, or None) and its ``method``.
    Cancelled requests (a waived fee, a released booking) are left out: nobody was
    waiting for that money. ``owner_id``: the appointment's staff member or its matter's
    responsible lawyer. Two queries."""
    qs = PaymentRequest.objects.filter(
        kind=PaymentRequest.Kind.CONSULTATION_FEE, created_at__gte=start, created_at__lt=end
    ).exclude(status=PaymentRequest.Status.CANCELLED)
    if owner_id is not None:
        qs = qs.filter(
            Q(appointment__staff_id=owner_id)
            | Q(appointment__matter__responsible_lawyer_id=owner_id)
        )
    if staff_ids is not None:
        qs = qs.filter(appointment__staff_id__in=_ids(staff_ids))
    if service_ids is not None:
        qs = qs.filter(appointment__service_id__in=_ids(service_ids))
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in qs.order_by("created_at", "pk").values(
            "id",
            "created_at",
            "status",
            "amount",
            "currency",
            "contact_id",
            "contact__first_name",
            "contact__last_name",
            "appointment_id",
            "appointment__staff_id",
            "appointment__staff__first_name",
            "appointment__staff__last_name",
            "appointment__service_id",
            "appointment__service__name",
        )
    ]
    paid: dict[Any, tuple[dt.datetime, str]] = {}
    # A subquery: one query whether there are no requests or thousands.
    for request_id, received_at, method in (
        Payment.objects.filter(attempt__request_id__in=qs.values("pk"), status__in=RECEIVED)
        .order_by("received_at")
        .values_list("attempt__request_id", "received_at", "method")
    ):
        paid.setdefault(request_id, (received_at, method))
    for r in rows:
        r["contact_name"] = _name(r.pop("contact__first_name"), r.pop("contact__last_name"))
        r["staff_name"] = _name(
            r.pop("appointment__staff__first_name"), r.pop("appointment__staff__last_name")
        )
        r["paid_at"], r["method"] = paid.get(r["id"], (None, ""))
    return rows


def _invoice_qs(
    *,
    owner_id: Any,
    staff_ids: Iterable[Any] | None,
    practice_areas: Iterable[str] | None,
    currencies: Iterable[str] | None,
) -> Any:
    qs = Invoice.objects.filter(lifecycle=Invoice.Lifecycle.ISSUED)
    if owner_id is not None:
        qs = qs.filter(matter__responsible_lawyer_id=owner_id)
    if staff_ids is not None:
        qs = qs.filter(matter__responsible_lawyer_id__in=_ids(staff_ids))
    if practice_areas is not None:
        qs = qs.filter(matter__practice_area__in=list(practice_areas))
    if currencies is not None:
        qs = qs.filter(currency__in=list(currencies))
    return qs


_INVOICE_VALUES = (
    "id",
    "number",
    "currency",
    "total",
    "balance",
    "settlement",
    "issue_date",
    "due_date",
    "contact_id",
    "contact__first_name",
    "contact__last_name",
    "matter_id",
    "matter__reference",
    "matter__practice_area",
    "matter__responsible_lawyer_id",
    "matter__responsible_lawyer__first_name",
    "matter__responsible_lawyer__last_name",
)


def _invoice_row(r: dict[str, Any]) -> dict[str, Any]:
    r["contact_name"] = _name(r.pop("contact__first_name"), r.pop("contact__last_name"))
    r["lawyer_id"] = r.pop("matter__responsible_lawyer_id")
    r["lawyer_name"] = _name(
        r.pop("matter__responsible_lawyer__first_name"),
        r.pop("matter__responsible_lawyer__last_name"),
    )
    r["practice_area"] = r.pop("matter__practice_area") or ""
    return r


def invoices_settled_for_insights(
    *,
    start: dt.datetime,
    end: dt.datetime,
    owner_id: Any = None,
    staff_ids: Iterable[Any] | None = None,
    practice_areas: Iterable[str] | None = None,
    currencies: Iterable[str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """``{"paid": [...], "credited": [...]}``: issued invoices whose balance reached 0 in
    ``[start, end)`` (UTC) by a payment — ``paid_at`` is the allocation that did it, the
    latest one — and, counted apart, those settled by a credit note in it. ``owner_id``:
    the matter's responsible lawyer. Two queries."""
    base = _invoice_qs(
        owner_id=owner_id, staff_ids=staff_ids, practice_areas=practice_areas, currencies=currencies
    )
    paid = [
        _invoice_row(r)
        for r in base.filter(settlement=Invoice.Settlement.PAID)
        .annotate(paid_at=Max("allocations__created_at"))
        .filter(paid_at__gte=start, paid_at__lt=end)
        .order_by("paid_at", "pk")
        .values(*_INVOICE_VALUES, "paid_at")
    ]
    credited = [
        _invoice_row(r)
        for r in base.filter(settlement=Invoice.Settlement.CREDITED)
        .annotate(credited_at=Max("credit_notes__issued_at"))
        .filter(credited_at__gte=start, credited_at__lt=end)
        .order_by("credited_at", "pk")
        .values(*_INVOICE_VALUES, "credited_at")
    ]
    return {"paid": paid, "credited": credited}


def invoice_aging_for_insights(
    *,
    at: dt.datetime,
    today: dt.date,
    owner_id: Any = None,
    staff_ids: Iterable[Any] | None = None,
    practice_areas: Iterable[str] | None = None,
    currencies: Iterable[str] | None = None,
) -> dict[str, dict[str, Decimal]]:
    """Open balances at the instant ``at`` (a period's end) by currency and days past due
    on ``today`` (the last day of the period): what was issued by then, less what was
    allocated and credited by then. ``{"PLN": {"current": ..., "1-14": ..., ...}}``, only
    currencies with something open. Three queries."""
    base = _invoice_qs(
        owner_id=owner_id, staff_ids=staff_ids, practice_areas=practice_areas, currencies=currencies
    ).filter(issued_at__lt=at)
    invoices = list(base.values_list("id", "currency", "total", "due_date"))
    # Subqueries: the same three queries for no open invoice as for thousands.
    allocated = dict(
        Allocation.objects.filter(invoice_id__in=base.values("pk"), created_at__lt=at)
        .values("invoice_id")
        .annotate(s=Sum("amount"))
        .values_list("invoice_id", "s")
    )
    credited = dict(
        CreditNote.objects.filter(invoice_id__in=base.values("pk"), issued_at__lt=at)
        .values("invoice_id")
        .annotate(s=Sum("total"))
        .values_list("invoice_id", "s")
    )
    out: dict[str, dict[str, Decimal]] = {}
    for invoice_id, currency, total, due_date in invoices:
        open_amount = (
            Decimal(total)
            - Decimal(allocated.get(invoice_id) or 0)
            - Decimal(credited.get(invoice_id) or 0)
        )
        if open_amount <= 0:
            continue
        days = (today - due_date).days
        bucket = AGING_BUCKETS[0][1]
        for first_day, name in AGING_BUCKETS:
            if days >= first_day:
                bucket = name
        per = out.setdefault(currency, {name: Decimal("0.00") for _d, name in AGING_BUCKETS})
        per[bucket] += open_amount
    return out


def payments_for_insights(
    *,
    start: dt.datetime,
    end: dt.datetime,
    owner_id: Any = None,
    staff_ids: Iterable[Any] | None = None,
    practice_areas: Iterable[str] | None = None,
    currencies: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Payments received in ``[start, end)`` (UTC), oldest first, each with its method,
    currency, ``disputed`` and the lawyer/practice area of the first invoice it paid
    (a fee paid for itself: of its appointment's matter). ``owner_id`` (and the filters):
    payments allocated to that lawyer's matters' invoices or paying a fee of their
    appointments. One query."""
    qs = Payment.objects.filter(received_at__gte=start, received_at__lt=end)
    lawyer_q = None
    if owner_id is not None:
        lawyer_q = (
            Q(allocations__invoice__matter__responsible_lawyer_id=owner_id)
            | Q(attempt__request__appointment__staff_id=owner_id)
            | Q(attempt__request__appointment__matter__responsible_lawyer_id=owner_id)
        )
        qs = qs.filter(lawyer_q)
    if staff_ids is not None:
        ids = _ids(staff_ids)
        qs = qs.filter(
            Q(allocations__invoice__matter__responsible_lawyer_id__in=ids)
            | Q(attempt__request__appointment__staff_id__in=ids)
        )
    if practice_areas is not None:
        areas = list(practice_areas)
        qs = qs.filter(
            Q(allocations__invoice__matter__practice_area__in=areas)
            | Q(attempt__request__appointment__matter__practice_area__in=areas)
        )
    if currencies is not None:
        qs = qs.filter(currency__in=list(currencies))
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in qs.annotate(
            lawyer_id=Min("allocations__invoice__matter__responsible_lawyer_id"),
            practice_area=Min("allocations__invoice__matter__practice_area"),
        )
        .order_by("received_at", "pk")
        .values(
            "id",
            "received_at",
            "method",
            "amount",
            "currency",
            "status",
            "refunded_total",
            "contact_id",
            "contact__first_name",
            "contact__last_name",
            "lawyer_id",
            "practice_area",
        )
        .distinct()
    ]
    for r in rows:
        r["contact_name"] = _name(r.pop("contact__first_name"), r.pop("contact__last_name"))
        r["disputed"] = r["status"] != Payment.Status.SUCCEEDED
        r["practice_area"] = r["practice_area"] or ""
    return rows


def failed_attempts_count(*, start: dt.datetime, end: dt.datetime, owner_id: Any = None) -> int:
    """Online payment tries that failed in ``[start, end)`` (UTC). One query."""
    qs = PaymentAttempt.objects.filter(
        status=PaymentAttempt.Status.FAILED, created_at__gte=start, created_at__lt=end
    )
    if owner_id is not None:
        qs = qs.filter(
            Q(request__invoice__matter__responsible_lawyer_id=owner_id)
            | Q(request__appointment__staff_id=owner_id)
        )
    return qs.count()


def invoiced_for_contacts(
    *, contact_ids: Iterable[Any], since: dt.date
) -> list[tuple[Any, dt.date, str, Decimal]]:
    """``(contact_id, issue_date, currency, total)`` of the invoices issued to these
    contacts from ``since`` on (the lead funnel's revenue in the first 90 days). One query,
    even for none."""
    ids = _ids(contact_ids)
    # Asked even for no contacts (matching nothing): always one query.
    which = Q(contact_id__in=ids) if ids else Q(contact__isnull=True)
    rows: Any = (
        Invoice.objects.filter(
            which,
            lifecycle=Invoice.Lifecycle.ISSUED,
            document=Invoice.Document.INVOICE,
            issue_date__gte=since,
        )
        .order_by("issue_date")
        .values_list("contact_id", "issue_date", "currency", "total")
    )
    return list(rows)
