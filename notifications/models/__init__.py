"""Notification models; everything is importable from notifications.models."""

from notifications.models.core import (  # noqa: F401
    Delivery,
    Event,
    Notification,
    NotificationTemplate,
    State,
    SweepHeartbeat,
)
from notifications.models.reminders import Reminder, ServiceReminderOffsets, kind_for  # noqa: F401
