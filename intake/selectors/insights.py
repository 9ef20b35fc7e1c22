"""Leads as the firm's numbers read them (insights.md §2): plain rows with their stage
history, no access check beyond the owner filter (insights decides who may ask), a flat
number of queries whatever the period holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from django.db.models import Q

from audit import selectors as audit_selectors
from intake.models import IntakeSubmission, Lead, LeadStageChange

DECIDED = (Lead.Status.RETAINED, Lead.Status.DECLINED)


def _ids(values: Iterable[Any]) -> list[Any]:
    return [getattr(v, "pk", v) for v in values]


def leads_for_insights(
    *,
    start: dt.datetime,
    end: dt.datetime,
    by: Literal["created", "decided"] = "created",
    owner_id: Any = None,
    staff_ids: Iterable[Any] | None = None,
    sources: Iterable[str] | None = None,
    practice_areas: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Leads created in ``[start, end)`` (UTC), or ``by="decided"``: leads that reached
    RETAINED or DECLINED in it (``decided_at`` is that stage change), oldest first.

    ``owner_id``: only leads assigned to that staff member or whose matter they are
    responsible for. Each row has its ``changes`` (``(to_status, at)`` in order), the form
    it came through (``form_name``, "" for a staff-made lead) and ``touches``: audit
    events on the lead by staff (stage moves, edits, letters, logged calls). Four queries.
    """
    qs = Lead.objects.filter(purged_at__isnull=True)
    if by == "created":
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    else:
        qs = qs.filter(
            status__in=DECIDED,
            stage_changes__to_status__in=DECIDED,
            stage_changes__at__gte=start,
            stage_changes__at__lt=end,
        ).distinct()
    if owner_id is not None:
        qs = qs.filter(Q(assigned_to_id=owner_id) | Q(matter__responsible_lawyer_id=owner_id))
    if staff_ids is not None:
        qs = qs.filter(assigned_to_id__in=_ids(staff_ids))
    if sources is not None:
        qs = qs.filter(source__in=list(sources))
    if practice_areas is not None:
        qs = qs.filter(practice_area__in=list(practice_areas))
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in qs.order_by("created_at", "pk").values(
            "id",
            "created_at",
            "status",
            "source",
            "practice_area",
            "assigned_to_id",
            "assigned_to__first_name",
            "assigned_to__last_name",
            "contact_id",
            "contact__first_name",
            "contact__last_name",
            "matter_id",
            "declined_reason",
            "lost_reason",
        )
    ]
    ids = [r["id"] for r in rows]
    changes: dict[Any, list[tuple[str, dt.datetime]]] = {}
    forms: dict[Any, str] = {}
    touches: dict[str, int] = {}
    # Subqueries (and a never-matching key for the audit log's text ids) rather than
    # skipping: the same four queries for no leads as for thousands.
    for lead_id, to_status, at in (
        LeadStageChange.objects.filter(lead_id__in=qs.values("pk"))
        .order_by("at", "pk")
        .values_list("lead_id", "to_status", "at")
    ):
        changes.setdefault(lead_id, []).append((to_status, at))
    for lead_id, form_name in (
        IntakeSubmission.objects.filter(lead_id__in=qs.values("pk"))
        .order_by("-submitted_at")
        .values_list("lead_id", "form_version__form__name")
    ):
        forms.setdefault(lead_id, form_name or "")
    keys = [str(i) for i in ids] or [""]
    for object_id in audit_selectors.audit_events(
        visible=Q(object_type="lead", object_id__in=keys, actor__role="staff")
    ).values_list("object_id", flat=True):
        touches[object_id] = touches.get(object_id, 0) + 1
    for r in rows:
        r["assigned_name"] = _name(
            r.pop("assigned_to__first_name"), r.pop("assigned_to__last_name")
        )
        r["contact_name"] = _name(r.pop("contact__first_name"), r.pop("contact__last_name"))
        r["changes"] = changes.get(r["id"], [])
        r["decided_at"] = next(
            (at for to, at in reversed(r["changes"]) if to in DECIDED and to == r["status"]), None
        )
        r["form_name"] = forms.get(r["id"], "")
        r["touches"] = touches.get(str(r["id"]), 0)
    if by == "decided":
        rows = [r for r in rows if r["decided_at"] and start <= r["decided_at"] < end]
    return rows


def _name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def first_lead_decided_at() -> dt.datetime | None:
    """When the firm first retained or declined a lead (the start of the staff intake
    time's baseline month), or None before the first. One query."""
    change = (
        LeadStageChange.objects.filter(to_status__in=DECIDED)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    return change
