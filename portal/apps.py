from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from audit import actions
        from notifications.channels import sender_register
        from portal import emails, notices, receivers
        from portal.audit_actions import PortalAction

        actions.declare(PortalAction)
        notices.register()
        sender_register(emails.firm_sender)
        # Framework signals (Django's and allauth's login events) are the only way to see
        # sign-ins that happen inside allauth; they write audit rows and nothing else.
        receivers.connect()
