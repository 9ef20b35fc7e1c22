"""Consents: what a person agreed to, in the exact words they were shown."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.languages import CHOICES as LANGUAGE_CHOICES
from portal.models.people import Contact


class ConsentRecord(models.Model):
    """One consent as it was given: append-only evidence.

    The row is never changed except to record a withdrawal, once (withdrawn_at and
    withdrawn_channel). On PostgreSQL a trigger refuses every other UPDATE and every
    DELETE (portal migration 0009). A consent given before there is a contact, or about an
    object of a higher app (a lead, an appointment), names it by `context_key`
    (`lead:<uuid>`, `appointment:<uuid>`).
    """

    class Purpose(models.TextChoices):
        MARKETING = "marketing", _("Marketing messages")
        SMS = "sms", _("Text messages (SMS)")
        PRIVACY_NOTICE_SHOWN = "privacy_notice_shown", _("Privacy notice shown")
        WITHDRAWAL_WAIVER = "withdrawal_waiver", _("Service before the withdrawal period ends")
        CARD_AUTHORISATION = "card_authorisation", _("Card payment authorisation")
        SEPA_MANDATE = "sepa_mandate", _("SEPA Direct Debit mandate")
        ESIGN_DISCLOSURE = "esign_disclosure", _("Electronic signature disclosure")
        FEEDBACK_PUBLISH = "feedback_publish", _("Publishing feedback")

    class LawfulBasis(models.TextChoices):
        # GDPR Art. 6(1)
        CONSENT = "consent", _("Consent")
        CONTRACT = "contract", _("Contract")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
        LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests")

    class Channel(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        BOOKING = "booking", _("Booking page")
        PORTAL = "portal", _("Client portal")
        STAFF_RECORDED = "staff_recorded", _("Recorded by staff")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: evidence outlives convenience; a contact with consents is kept.
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("contact"),
    )
    context_key = models.CharField(_("about"), max_length=100, blank=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    lawful_basis = models.CharField(_("lawful basis"), max_length=30, choices=LawfulBasis.choices)
    text = models.TextField(_("text shown"))
    text_version = models.CharField(_("text version"), max_length=40)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_channel = models.CharField(
        _("withdrawn through"), max_length=20, choices=Channel.choices, blank=True
    )

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes: ClassVar = [models.Index(fields=["contact", "-given_at"])]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~models.Q(contact__isnull=True, context_key=""),
                name="consent_names_contact_or_context",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True, withdrawn_channel="")
                | models.Q(withdrawn_at__isnull=False) & ~models.Q(withdrawn_channel=""),
                name="consent_withdrawal_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.given_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Consent records are append-only (withdraw through the service)")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Consent records are append-only")

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
