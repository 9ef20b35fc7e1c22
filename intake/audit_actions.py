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
