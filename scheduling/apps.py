from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Scheduling")

    def ready(self) -> None:
        from audit import actions
        from scheduling import notices, receivers
        from scheduling.audit_actions import SchedulingAction

        actions.declare(SchedulingAction)
        notices.register()
        receivers.connect()
