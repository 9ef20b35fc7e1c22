"""Reading the audit log. Who may read which rows is decided by the caller (portal)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from audit.models import AuditEvent


def audit_events(
    *,
    visible: Q | None = None,
    action: str = "",
    actor_label: str = "",
    matter_ids: Any = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Rows matching the filters, newest first. `visible` limits them (None: all rows);
    `matter_ids` (ids or a subquery) keeps the rows of those matters."""
    qs = AuditEvent.objects.all()
    if visible is not None:
        qs = qs.filter(visible)
    if action:
        qs = qs.filter(action=action)
    if actor_label:
        qs = qs.filter(actor_label__icontains=actor_label)
    if matter_ids is not None:
        qs = qs.filter(matter_id__in=matter_ids)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


def no_audit_events() -> QuerySet[AuditEvent]:
    """An empty page of the log (for someone who may read none of it)."""
    return AuditEvent.objects.none()
