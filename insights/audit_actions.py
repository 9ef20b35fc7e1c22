"""The audit actions insights records (declared in InsightsConfig.ready()).

One enum for the whole app: the pages, feedback and outside-contact parts each add their
members here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InsightsAction(models.TextChoices):
    EXPORTED = "insights.exported", _("Insights rows exported as CSV")
    DIGEST_SENT = "insights.digest_sent", _("Monthly insights digest queued")
    # Contacts outside the portal and feedback (insights.services.outside_contacts, .feedback)
    OUTSIDE_CONTACT_LOGGED = "outside_contact.logged", _("Contact outside the portal logged")
    FEEDBACK_REQUESTED = "feedback.requested", _("Feedback requested")
    FEEDBACK_SUPPRESSED = "feedback.suppressed", _("Feedback request withdrawn")
    FEEDBACK_RECEIVED = "feedback.received", _("Feedback received")
    FEEDBACK_FOLLOWED_UP = "feedback.followed_up", _("Client called back after feedback")
