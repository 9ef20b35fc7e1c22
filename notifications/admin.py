from __future__ import annotations

from typing import Any

from django.contrib import admin

from notifications.models import (
    Notification,
    NotificationTemplate,
    Reminder,
    ServiceReminderOffsets,
)


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("event", "channel", "language", "updated_at", "updated_by")
    list_filter = ("event", "channel", "language")
    readonly_fields = ("updated_by",)


class _DeliveryAdmin(admin.ModelAdmin):
    """Read-only: states move only through the sweep and the Twilio callback."""

    list_filter = ("state", "channel", "event")
    ordering = ("-due_at",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(_DeliveryAdmin):
    list_display = ("event", "channel", "state", "reason", "due_at", "sent_at", "attempts")


@admin.register(Reminder)
class ReminderAdmin(_DeliveryAdmin):
    list_display = ("appointment", "kind", "channel", "state", "reason", "due_at", "sent_at",
                    "attempts")
    raw_id_fields = ("appointment",)
    list_filter = ("state", "channel", "kind")


@admin.register(ServiceReminderOffsets)
class ServiceReminderOffsetsAdmin(admin.ModelAdmin):
    list_display = ("service", "offsets_minutes")
