"""The metric registry (insights.md §1, §2): importing this package registers every
metric, one module per area; ``Metric.position`` orders the overview."""

from __future__ import annotations

from insights.metrics import (  # noqa: F401  (each module registers its metrics)
    appointments,
    billing,
    feedback,
    leads,
    messages,
    payments,
)
from insights.metrics.base import all_metrics, get, register

__all__ = ["all_metrics", "get", "register"]
