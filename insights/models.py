"""What insights owns (spec insights.md §1, §3): month-end snapshots of the metrics, the
contacts clients made outside the portal, and feedback requests with their answers.

Every other figure is read from the lower apps through their selectors; lower apps'
models are named by string ("portal.Contact", "scheduling.Appointment").
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.languages import CHOICES as LANGUAGE_CHOICES

COMMENT_MAX_CHARS = 2000


class MetricSnapshot(models.Model):
    """A metric's figure for a closed month, written once by the nightly job.

    The page shows the live figure; when it differs from this one (a late no-show mark)
    it says "changed since month end". A snapshot is never rewritten: a definition change
    bumps ``definition_version`` and a new row is written beside the old one.
    """

    metric = models.CharField(max_length=60)
    definition_version = models.PositiveSmallIntegerField()
    # The first day of the month, in the firm's zone.
    period_start = models.DateField()
    # A hash of the filters the figure was computed with ("" for the whole firm).
    filters_hash = models.CharField(max_length=64, blank=True, default="")
    # Per-currency metrics write one row per currency; "" for the others.
    currency = models.CharField(max_length=3, blank=True, default="")
    numerator = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    value = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    n = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["metric", "-period_start"]
        default_permissions = ()
        permissions: ClassVar = [
            ("view", "Can see the firm's insights"),
            ("view_all", "Can see other lawyers' figures"),
            ("export", "Can export insights rows and feedback comments"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["metric", "definition_version", "period_start", "filters_hash", "currency"],
                name="insights_snapshot_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.period_start:%Y-%m} v{self.definition_version}"


class OutsideContact(models.Model):
    """A client reached the firm outside the portal (a call, an email to a lawyer's inbox)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        SMS = "sms", _("Text message")
        WHATSAPP = "whatsapp", _("WhatsApp")
        IN_PERSON = "in_person", _("In person")
        OTHER = "other", _("Other")

    class Direction(models.TextChoices):
        IN = "in", _("From the client")
        OUT = "out", _("To the client")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contact = models.ForeignKey(
        "portal.Contact", on_delete=models.CASCADE, related_name="outside_contacts"
    )
    matter = models.ForeignKey(
        "portal.Matter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outside_contacts",
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.IN
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Added by Atrium itself (later: an inbound SMS to the firm's number), not by a person.
    auto = models.BooleanField(default=False)
    # When the client was sent the "please use the portal" text for this contact.
    nudged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("contact outside the portal")
        verbose_name_plural = _("contacts outside the portal")
        indexes: ClassVar = [models.Index(fields=["direction", "at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.direction} {self.at:%Y-%m-%d}"


class FeedbackRequest(models.Model):
    """One question to one client: a rating after a consultation or at the matter's close.

    The link carries a random token; only its SHA-256 is stored. The landing page
    (GET) pre-selects a score; only the POST records it.
    """

    class Kind(models.TextChoices):
        CSAT_CONSULT = "csat_consult", _("Rating after a consultation")
        NPS_CLOSE = "nps_close", _("Recommendation at matter close")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=14, choices=Kind.choices)
    contact = models.ForeignKey(
        "portal.Contact", on_delete=models.CASCADE, related_name="feedback_requests"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    matter = models.ForeignKey(
        "portal.Matter", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The staff member the answer is about (the consultation's lawyer, the matter's
    # responsible lawyer), who gets the follow-up for a low score.
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    token_hash = models.CharField(max_length=64, unique=True)
    send_after = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    # Withdrawn before it went out: a no-show correction, a reopened matter.
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback request")
        verbose_name_plural = _("feedback requests")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["kind", "appointment"],
                condition=models.Q(appointment__isnull=False),
                name="insights_feedback_once_per_appointment",
            ),
            models.UniqueConstraint(
                fields=["kind", "matter", "contact"],
                condition=models.Q(matter__isnull=False),
                name="insights_feedback_once_per_matter_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.contact_id}"

    @property
    def scale(self) -> range:
        return range(1, 6) if self.kind == self.Kind.CSAT_CONSULT else range(0, 11)

    @property
    def low_score(self) -> int:
        """The highest score that asks the responsible lawyer to call the client back."""
        return 3 if self.kind == self.Kind.CSAT_CONSULT else 6


class Feedback(models.Model):
    """A client's answer to a feedback request: a score and an optional comment."""

    request = models.OneToOneField(
        FeedbackRequest, on_delete=models.CASCADE, related_name="feedback"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_CHARS, blank=True)
    publish_consent = models.ForeignKey(
        "portal.ConsentRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(score__lte=10), name="insights_feedback_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} ({self.request_id})"
