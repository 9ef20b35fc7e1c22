from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin

from notifications.models import Notification, NotificationTemplate


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin[NotificationTemplate]):
    list_display = ("event", "channel", "language", "updated_at", "updated_by")
    list_filter = ("event", "channel", "language")
    readonly_fields = ("updated_by",)


class DeliveryAdmin(admin.ModelAdmin[Any]):
    """Read-only: states move only through the sweep and the Twilio callback."""

    list_filter: ClassVar[tuple[str, ...]] = ("state", "channel")
    ordering = ("-due_at",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(DeliveryAdmin):
    list_display = ("event", "channel", "state", "reason", "due_at", "sent_at", "attempts")
    list_filter = ("state", "channel", "event")
