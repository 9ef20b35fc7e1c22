"""Every access-checked read of the intake app, re-exported here."""

from __future__ import annotations

from intake.selectors.conflicts import (
    can_see_reports,
    conflict_check_get_for_report,
    conflict_hit_get,
    conflict_hits,
    has_serious_hit,
    latest_check,
)
from intake.selectors.engagements import (
    engagement_get_for_client,
    engagement_get_for_staff,
    engagements_for_client,
    engagements_for_lead,
    template_active_get,
    template_get_for_admin,
    templates_for_admin,
    templates_for_lead,
)
from intake.selectors.forms import (
    booking_form_for,
    draft_for_booking,
    draft_get_by_token,
    form_get_for_staff,
    form_public_get,
    forms_for_staff,
    service_links,
    version_for_edit,
)
from intake.selectors.insights import first_lead_decided_at, leads_for_insights
from intake.selectors.leads import (
    intake_file_get_for_staff,
    lead_get_for_staff,
    lead_source_choices,
    leads_for_staff,
    submission_get_for_staff,
    submission_rows,
    submissions_for_staff,
)
from intake.selectors.privacy import (
    NO_NOTICE_VERSION,
    privacy_notice_current,
    privacy_notice_version,
    privacy_notice_versions_known,
    privacy_notices_latest,
)
from intake.selectors.retention import PurgeItem, leads_purged_recently, purge_plan

__all__ = [
    "first_lead_decided_at",
    "leads_for_insights",
    "PurgeItem",
    "leads_purged_recently",
    "purge_plan",
    "NO_NOTICE_VERSION",
    "privacy_notice_current",
    "privacy_notice_version",
    "privacy_notice_versions_known",
    "privacy_notices_latest",
    "engagement_get_for_client",
    "engagement_get_for_staff",
    "engagements_for_client",
    "engagements_for_lead",
    "template_active_get",
    "template_get_for_admin",
    "templates_for_admin",
    "templates_for_lead",
    "can_see_reports",
    "conflict_check_get_for_report",
    "conflict_hit_get",
    "conflict_hits",
    "has_serious_hit",
    "latest_check",
    "booking_form_for",
    "draft_for_booking",
    "draft_get_by_token",
    "form_get_for_staff",
    "form_public_get",
    "forms_for_staff",
    "lead_get_for_staff",
    "lead_source_choices",
    "leads_for_staff",
    "service_links",
    "intake_file_get_for_staff",
    "submission_get_for_staff",
    "submission_rows",
    "submissions_for_staff",
    "version_for_edit",
]
