"""Every write of the insights app, one module per noun, re-exported here."""

from __future__ import annotations

from insights.services.feedback import (
    FeedbackAlreadyRecorded,
    FeedbackLinkInvalid,
    feedback_follow_up_done,
    feedback_request_after_consultation,
    feedback_requests_at_close,
    feedback_submit,
    feedback_withdraw_for_appointment,
    feedback_withdraw_for_matter,
    publish_consent_text,
)
from insights.services.outside_contacts import outside_contact_log

__all__ = [
    "FeedbackAlreadyRecorded",
    "FeedbackLinkInvalid",
    "feedback_follow_up_done",
    "feedback_request_after_consultation",
    "feedback_requests_at_close",
    "feedback_submit",
    "feedback_withdraw_for_appointment",
    "feedback_withdraw_for_matter",
    "outside_contact_log",
    "publish_consent_text",
]
