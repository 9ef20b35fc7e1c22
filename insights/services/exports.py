"""Exports leave an audit trail (spec insights.md §7): who took which rows out, when."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from audit.services import audit_record
from core.http import AtriumUser, RequestMeta
from insights.audit_actions import InsightsAction
from insights.periods import Period


@transaction.atomic
def insights_export_record(
    *,
    actor: AtriumUser,
    meta: RequestMeta | None,
    metric_id: str,
    period: Period,
    filters: Mapping[str, Any],
    row_count: int,
    excel: bool = False,
) -> None:
    """One audit row per CSV export: the metric, the period, the filters, the row count."""
    audit_record(
        action=InsightsAction.EXPORTED,
        actor=actor,
        meta=meta,
        data={
            "metric": metric_id,
            "period": {
                "kind": period.kind,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
            },
            "filters": {str(k): str(v) for k, v in sorted(filters.items())},
            "rows": row_count,
            "excel": excel,
        },
    )
