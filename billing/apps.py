from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from audit import actions
        from billing import checks, notices  # noqa: F401  (checks registers on import)
        from billing.audit_actions import BillingAction

        actions.declare(BillingAction)
        notices.register()
