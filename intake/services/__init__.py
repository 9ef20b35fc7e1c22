"""Every write of the intake app, one module per noun, all re-exported here."""

from __future__ import annotations

from intake.services.booking import booking_form_step_applies, lead_form_after_booking
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
    service_intake_set,
)
from intake.services.submissions import (
    MAX_BODY,
    SubmitResult,
    draft_autosave,
    draft_stage,
    intake_submit,
    ip_prefix,
)

__all__ = [
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
