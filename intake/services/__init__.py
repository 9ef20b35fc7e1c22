"""Every write of the intake app, one module per noun, all re-exported here."""

from __future__ import annotations

from intake.services.booking import booking_form_step_applies, lead_form_after_booking
from intake.services.conflicts import (
    Name,
    conflict_check_adhoc,
    conflict_check_decide,
    conflict_check_lead,
    conflict_hit_dismiss,
    conflict_index_rebuild,
    conflict_report_viewed,
    lead_check_is_current,
)
from intake.services.forms import (
    draft_start,
    form_create,
    form_field_move,
    form_field_remove,
    form_field_save,
    form_publish,
    form_schema_save,
    form_send_to_contact,
    form_set_active,
    lead_send_stage_two,
    service_intake_set,
)
from intake.services.pipeline import DECLINE_REASONS, LOST_REASONS, lead_close
from intake.services.submissions import (
    MAX_BODY,
    SubmitResult,
    draft_autosave,
    draft_stage,
    intake_submit,
    ip_prefix,
)

__all__ = [
    "DECLINE_REASONS",
    "LOST_REASONS",
    "lead_close",
    "Name",
    "conflict_check_adhoc",
    "conflict_check_decide",
    "conflict_check_lead",
    "conflict_hit_dismiss",
    "conflict_index_rebuild",
    "conflict_report_viewed",
    "lead_check_is_current",
    "lead_send_stage_two",
    "MAX_BODY",
    "SubmitResult",
    "booking_form_step_applies",
    "draft_autosave",
    "draft_stage",
    "draft_start",
    "form_create",
    "form_field_move",
    "form_field_remove",
    "form_field_save",
    "form_publish",
    "form_schema_save",
    "form_send_to_contact",
    "form_set_active",
    "intake_submit",
    "ip_prefix",
    "lead_form_after_booking",
    "service_intake_set",
]
