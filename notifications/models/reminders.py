"""Appointment reminders: one row per appointment, kind and channel."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.models.core import Delivery


class Reminder(Delivery):
    """A reminder of one appointment on one channel, `offset_minutes` before it starts.

    Created in the booking's transaction (appointment_reminders_sync); a reschedule moves
    due_at, a cancellation suppresses it. The text is rendered when it is sent.
    """

    SWEEP_SELECT_RELATED: ClassVar[tuple[str, ...]] = (
        "appointment__contact", "appointment__service", "appointment__staff")

    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.CASCADE,
                                    related_name="reminders")
    kind = models.CharField(_("kind"), max_length=10)  # "24h", "2h", "90m"
    offset_minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["due_at", "channel"]
        indexes: ClassVar = [
            models.Index(fields=["state", "next_attempt_at"], name="reminder_due_idx"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["appointment", "kind", "channel"],
                                    name="reminder_one_per_appointment_kind_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} {self.state}"

    @property
    def retry_deadline(self) -> dt.datetime:
        # Retrying a reminder after the appointment began would only confuse.
        return self.appointment.start_at


def kind_for(minutes: int) -> str:
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


class ServiceReminderOffsets(models.Model):
    """A service's own reminder times (minutes before), overriding the firm-wide default.

    Kept here, keyed by the service, because scheduling's Service has no such field.
    """

    service = models.OneToOneField("scheduling.Service", on_delete=models.CASCADE,
                                   related_name="reminder_setting")
    offsets_minutes = models.JSONField(
        _("reminders (minutes before)"), default=list,
        help_text=_("For example [1440, 120] for 24 hours and 2 hours before."))

    class Meta:
        verbose_name = _("reminder times of a service")
        verbose_name_plural = _("reminder times of services")

    def __str__(self) -> str:
        return f"{self.service_id}: {self.offsets_minutes}"
