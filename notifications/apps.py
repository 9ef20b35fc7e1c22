from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from audit import actions
        from notifications import registry
        from notifications.audit_actions import NotificationsAction
        from notifications.models import Notification

        actions.declare(NotificationsAction)
        registry.register_outbox(Notification)
