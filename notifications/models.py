"""Templates (the firm's wording), the outbox of one-off notices and the sweep heartbeat."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.languages import CHOICES as LANGUAGE_CHOICES
from notifications.channels import Channel
from notifications.outbox import Delivery
from notifications.registry import EVENT_MAX_LENGTH


class NotificationTemplate(models.Model):
    """The firm's wording of one notice, for one channel and language.

    Rows exist only where the firm changed the shipped default (the notice's own texts).
    """

    event = models.CharField(_("event"), max_length=EVENT_MAX_LENGTH)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), max_length=4000)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["event", "channel", "language"]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["event", "channel", "language"], name="notification_template_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event}/{self.channel}/{self.language}"


class Notification(Delivery):
    """A one-off message: booking confirmations, secure-message notices, due reminders.

    The text is rendered when it is sent, from `about` and `context` (keys and ids only,
    never content), so a confirmation always quotes the appointment as it is then.
    """

    SWEEP_SELECT_RELATED: ClassVar[tuple[str, ...]] = ("recipient",)

    event = models.CharField(_("event"), max_length=EVENT_MAX_LENGTH)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # What the notice is about, as a key the owning app resolves ("matter:<uuid>").
    about = models.CharField(_("about"), max_length=100, blank=True, db_index=True)
    context = models.JSONField(default=dict, blank=True)
    # Batches several triggers into one message while it waits (e.g. secure messages):
    # unique among pending rows, so the second message finds the first notice.
    batch_key = models.CharField(max_length=200, blank=True)
    batch_count = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-due_at"]
        indexes: ClassVar = [
            models.Index(fields=["state", "next_attempt_at"], name="notif_due_idx"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["batch_key", "channel"],
                condition=models.Q(state="scheduled") & ~models.Q(batch_key=""),
                name="notification_one_pending_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.channel} {self.state}"

    def notice_event(self) -> str:
        return self.event


class SweepHeartbeat(models.Model):
    """One row (pk=1): when the reminder sweep last finished, read by /healthz."""

    last_run_at = models.DateTimeField(null=True, blank=True)
    last_claimed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(pk=1), name="sweep_heartbeat_singleton"),
        ]

    def __str__(self) -> str:
        return f"sweep {self.last_run_at}"
