"""Templates, the outbox of notifications and the sweep heartbeat.

Every message Atrium sends is a row first (an outbox): the row is written in the same
transaction as the change that causes it, and the one-a-minute sweep (or an immediate
task enqueued on commit) claims it, sends it outside the lock and records the outcome.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.languages import CHOICES as LANGUAGE_CHOICES
from notifications.channels import Channel


class Event(models.TextChoices):
    BOOKED = "booked", _("Booking confirmed")
    RESCHEDULED = "rescheduled", _("Booking changed")
    CANCELLED = "cancelled", _("Booking cancelled")
    NO_SHOW = "no_show", _("Missed appointment")
    REMINDER = "reminder", _("Appointment reminder")
    MESSAGE = "message", _("New secure message")
    TASK_DUE = "task_due", _("Task due")
    DOCUMENT_DUE = "document_due", _("Document request due")
    SILENCE = "silence", _("Silent matters digest (staff)")


class State(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Suppressed")


# Reasons are stored as these stable English keys (they are also grepped in logs) and
# shown to staff translated; a provider's own error text is shown as it came.
REASONS = {
    "appointment cancelled": _("appointment cancelled"),
    "appointment rescheduled": _("appointment rescheduled"),
    "marked as no-show": _("marked as no-show"),
    "appointment attended": _("appointment attended"),
    "appointment not active": _("appointment no longer active"),
    "no longer needed": _("no longer needed"),
    "reminder removed": _("reminder time removed from the service"),
    "no SMS consent": _("no SMS consent"),
    "no phone number": _("no phone number"),
    "no email address": _("no email address"),
    "no recipient": _("no recipient"),
    "account disabled": _("account disabled"),
    "quiet hours": _("quiet hours"),
    "too late": _("too late"),
    "too late: booked after this reminder was due": _("too late: booked after this reminder "
                                                      "was due"),
    "too late: the appointment has started": _("too late: the appointment had started"),
    "appointment moved": _("waiting for the new appointment time"),
    "appointment no longer exists": _("appointment no longer exists"),
    "superseded: the appointment changed again": _("not sent: the appointment changed again"),
    "superseded: the appointment is not cancelled": _("not sent: the appointment is not "
                                                      "cancelled"),
    "merged into a later notice": _("merged into a later notice"),
    "interrupted while sending; not repeated to avoid a duplicate": _(
        "interrupted while sending; not repeated to avoid a duplicate"),
}


class NotificationTemplate(models.Model):
    """The firm's wording of one event, for one channel and language.

    Rows exist only where the firm changed the shipped default (notifications.defaults).
    """

    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), max_length=4000)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["event", "channel", "language"]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["event", "channel", "language"],
                                    name="notification_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.event}/{self.channel}/{self.language}"


class Delivery(models.Model):
    """What every outbound message has: a due time, a state, attempts and a lease.

    States only move forward (TRANSITIONS); the sweep and the Twilio callback both update
    with a conditional UPDATE on the current state, so a late or repeated writer is a no-op.
    """

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        State.SCHEDULED: (State.SENDING, State.SUPPRESSED, State.FAILED),
        # Back to scheduled only for a retry or a lease that expired before any send began.
        State.SENDING: (State.SENT, State.FAILED, State.SCHEDULED, State.SUPPRESSED,
                        State.DELIVERED),
        State.SENT: (State.DELIVERED, State.FAILED),
        State.DELIVERED: (),
        State.FAILED: (),
        # A suppressed reminder comes back when the appointment moves to a new time.
        State.SUPPRESSED: (State.SCHEDULED,),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.SCHEDULED)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # When it should go (shown to staff) and when the sweep may next try (retries move it).
    due_at = models.DateTimeField(_("due"))
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set when a sweep claims the row; a different sweep may take it over after lease_until
    # only if send_started_at is still empty (nothing can have gone out).
    claim_token = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    to_address = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @classmethod
    def can_move(cls, from_state: str, to_state: str) -> bool:
        return to_state in cls.TRANSITIONS.get(from_state, ())

    @property
    def reason_display(self) -> str:
        return str(REASONS.get(self.reason, self.reason))

    @property
    def state_badge(self) -> str:
        badges: dict[str, str] = {State.SENT: "ok", State.DELIVERED: "ok",
                                  State.FAILED: "danger", State.SUPPRESSED: "muted"}
        return badges.get(str(self.state), "")


class Notification(Delivery):
    """A one-off message: booking confirmations, secure-message notices, due reminders.

    The text is rendered when it is sent, from `context` (ids only, never content), so a
    confirmation always quotes the appointment as it is at that moment.
    """

    SWEEP_SELECT_RELATED: ClassVar[tuple[str, ...]] = (
        "recipient__contact", "contact__user", "matter")

    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="notifications")
    contact = models.ForeignKey("portal.Contact", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="notifications")
    matter = models.ForeignKey("portal.Matter", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="notifications")
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
