"""The audit actions intake records (declared in IntakeConfig.ready())."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IntakeAction(models.TextChoices):
    FORM_CREATED = "intake_form.created", _("Intake form created")
    FORM_CHANGED = "intake_form.changed", _("Intake form changed")
    FORM_PUBLISHED = "intake_form.published", _("Intake form published")
    FORM_SENT = "intake_form.sent", _("Intake form sent to a contact")
    SERVICE_FORM_SET = "intake_form.service", _("Intake form of a service set")
    SUBMITTED = "intake.submitted", _("Intake form submitted")
    LEAD_CREATED = "lead.created", _("Lead created")
    LEAD_MOVED = "lead.moved", _("Lead moved")
    CONFLICT_RUN = "conflict.run", _("Conflict check run")
    CONFLICT_VIEWED = "conflict.viewed", _("Conflict report viewed")
    CONFLICT_DECIDED = "conflict.decided", _("Conflict check decided")
    CONFLICT_HIT_DISMISSED = "conflict.hit_dismissed", _("Conflict hit dismissed")
    STAGE_TWO_SENT = "intake.stage_two_sent", _("Detailed questions sent")
    ENGAGEMENT_TEMPLATE_SAVED = "engagement_template.saved", _("Engagement letter template saved")
    ENGAGEMENT_CREATED = "engagement.created", _("Engagement letter prepared")
    ENGAGEMENT_SENT = "engagement.sent", _("Engagement letter sent")
    ENGAGEMENT_VIEWED = "engagement.viewed", _("Engagement letter opened by the client")
    ENGAGEMENT_DOWNLOADED = "engagement.downloaded", _("Engagement letter downloaded")
    ENGAGEMENT_SIGNED = "engagement.signed", _("Engagement letter signed")
    ENGAGEMENT_SIGN_REFUSED = "engagement.sign_refused", _("Engagement letter signature refused")
    ENGAGEMENT_DECLINED = "engagement.declined", _("Engagement letter declined")
    ENGAGEMENT_EXPIRED = "engagement.expired", _("Engagement letter expired")
    ENGAGEMENT_REVOKED = "engagement.revoked", _("Engagement letter withdrawn")
    LEAD_RETAINED = "lead.retained", _("Lead retained")
    LEAD_RETAIN_WAITING = (
        "lead.retain_waiting",
        _("Retainer paid; the lead waits for staff to retain it"),
    )
    PRIVACY_NOTICE_PUBLISHED = "privacy_notice.published", _("Privacy notice published")
    FILE_DOWNLOADED = "intake.file_downloaded", _("File sent with an intake form downloaded")
    PROSPECT_PURGED = "lead.purged", _("Inquiry purged after its retention period")
    PROSPECT_SENSITIVE_PURGED = "lead.sensitive_purged", _("Sensitive answers of an inquiry purged")
