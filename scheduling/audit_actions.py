"""The audit actions scheduling records (declared in SchedulingConfig.ready())."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SchedulingAction(models.TextChoices):
    APPOINTMENT_BOOKED = "appointment.booked", _("Appointment booked")
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled", _("Appointment rescheduled")
    APPOINTMENT_CANCELLED = "appointment.cancelled", _("Appointment cancelled")
    APPOINTMENT_FOLLOWED_UP = "appointment.followed_up", _("Meeting follow-up sent")
    APPOINTMENT_ATTENDED = "appointment.attended", _("Appointment attended")
    APPOINTMENT_NO_SHOW = "appointment.no_show", _("Client did not attend")
    APPOINTMENT_HELD = "appointment.held", _("Time held for an unfinished booking")
    APPOINTMENT_STEP_DONE = "appointment.step_done", _("Booking step done")
    APPOINTMENT_HOLD_EXTENDED = "appointment.hold_extended", _("Booking hold extended")
    APPOINTMENT_HOLD_EXPIRED = "appointment.hold_expired", _("Booking hold expired")
    APPOINTMENT_HOLD_RELEASED = "appointment.hold_released", _("Booking hold released")
    APPOINTMENT_OWNER_CONFIRMED = (
        "appointment.owner_confirmed",
        _("Booking confirmed by the owner of its email"),
    )
    APPOINTMENT_OWNER_DECLINED = (
        "appointment.owner_declined",
        _("Booking declined by the owner of its email"),
    )
    APPOINTMENT_OWNER_LAPSED = (
        "appointment.owner_lapsed",
        _("Booking not confirmed in time by the owner of its email"),
    )
    BOOKING_INVITATION_SENT = "booking_invitation.sent", _("Booking invitation sent")
    BOOKING_INVITATION_REVOKED = "booking_invitation.revoked", _("Booking invitation withdrawn")
    BOOKING_INVITATION_USED = "booking_invitation.used", _("Booking invitation used")
    AVAILABILITY_CHANGED = "availability.changed", _("Working hours changed")
    CALENDAR_ADDED = "calendar.added", _("External calendar added")
    CALENDAR_REMOVED = "calendar.removed", _("External calendar removed")
    CALENDAR_DISCONNECTED = "calendar.disconnected", _("Calendar disconnected")
    CALENDAR_CHANGED = "calendar.changed", _("Calendar settings changed")
    CALENDAR_BROKEN = "calendar.broken", _("Calendar connection broke")
    SERVICE_CREATED = "service.created", _("Service created")
    SERVICE_UPDATED = "service.updated", _("Service changed")
    SERVICE_ARCHIVED = "service.archived", _("Service archived")
    SERVICE_RESTORED = "service.restored", _("Service restored")
