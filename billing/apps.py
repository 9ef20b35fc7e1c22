from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from audit import actions
        from billing import checks, notices, task_links  # noqa: F401  (checks registers on import)
        from billing.audit_actions import BillingAction
        from portal import task_links as portal_task_links

        actions.declare(BillingAction)
        portal_task_links.register("pay", task_links.pay_links)
        notices.register()
