from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from audit import actions
        from notifications.audit_actions import NotificationsAction
        from notifications.services.appointments import register_reminders

        actions.declare(NotificationsAction)
        register_reminders()
