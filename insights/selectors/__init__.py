"""Every read of the insights app, one module per noun, re-exported here."""

from __future__ import annotations

from insights.selectors.baseline import outside_logging_started_at
from insights.selectors.feedback import (
    TOKEN_MAX,
    FeedbackCounts,
    FeedbackRow,
    feedback_get_for_staff,
    feedback_link_usable,
    feedback_list_for_staff,
    feedback_request_by_token,
    feedback_request_counts,
    feedback_rows,
    feedback_token_hash,
    feedback_visible_to,
    follow_ups_open,
)
from insights.selectors.history import own_filters_hash, snapshots_by_month
from insights.selectors.outside_contacts import (
    OutsideContactRow,
    outside_contacts_between,
    outside_contacts_of_contact,
    outside_logging_coverage,
)
from insights.selectors.scope import firm_scope, insights_scope, may_see_all
from insights.selectors.snapshots import (
    SnapshotChange,
    snapshot_change,
    snapshot_compare,
    snapshots_for_period,
)

__all__ = [
    "SnapshotChange",
    "firm_scope",
    "insights_scope",
    "may_see_all",
    "outside_logging_started_at",
    "snapshot_change",
    "snapshot_compare",
    "own_filters_hash",
    "snapshots_by_month",
    "snapshots_for_period",
    "TOKEN_MAX",
    "FeedbackCounts",
    "FeedbackRow",
    "OutsideContactRow",
    "feedback_get_for_staff",
    "feedback_link_usable",
    "feedback_list_for_staff",
    "feedback_request_by_token",
    "feedback_request_counts",
    "feedback_rows",
    "feedback_token_hash",
    "feedback_visible_to",
    "follow_ups_open",
    "outside_contacts_between",
    "outside_contacts_of_contact",
    "outside_logging_coverage",
]
