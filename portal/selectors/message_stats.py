"""Client messages as the firm's numbers count them (insights.md §2, the outside-portal
share): plain rows, no access check beyond the owner filter (insights decides who may
ask), one query whatever the period holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from portal.models import Message


def client_messages_for_insights(
    *,
    start: dt.datetime,
    end: dt.datetime,
    owner_id: Any = None,
    staff_ids: Iterable[Any] | None = None,
    practice_areas: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Messages clients sent in the portal in ``[start, end)`` (UTC), oldest first, with
    their matter's reference, practice area and responsible lawyer. ``owner_id``: only
    matters that staff member is responsible for. One query."""
    qs = Message.objects.filter(side=Message.Side.CLIENT, created_at__gte=start, created_at__lt=end)
    if owner_id is not None:
        qs = qs.filter(matter__responsible_lawyer_id=owner_id)
    if staff_ids is not None:
        qs = qs.filter(matter__responsible_lawyer_id__in=[getattr(s, "pk", s) for s in staff_ids])
    if practice_areas is not None:
        qs = qs.filter(matter__practice_area__in=list(practice_areas))
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in qs.order_by("created_at", "pk").values(
            "id",
            "created_at",
            "matter_id",
            "matter__reference",
            "matter__practice_area",
            "matter__responsible_lawyer_id",
            "matter__responsible_lawyer__first_name",
            "matter__responsible_lawyer__last_name",
            "sender__first_name",
            "sender__last_name",
        )
    ]
    for r in rows:
        r["lawyer_name"] = (
            f"{r.pop('matter__responsible_lawyer__first_name') or ''} "
            f"{r.pop('matter__responsible_lawyer__last_name') or ''}"
        ).strip()
        r["sender_name"] = (
            f"{r.pop('sender__first_name') or ''} {r.pop('sender__last_name') or ''}"
        ).strip()
    return rows
