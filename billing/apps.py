from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from audit import actions
        from billing import checks, contact_section, notices, search, task_links  # noqa: F401  (checks registers on import)
        from billing.audit_actions import BillingAction
        from billing.services import bookings
        from core import events
        from portal import contact_sections, search_providers
        from portal import task_links as portal_task_links
        from scheduling import booking_flow
        from scheduling.events import (
            AppointmentCancelled,
            AppointmentHoldExpired,
            AppointmentHoldReleased,
        )

        actions.declare(BillingAction)
        portal_task_links.register("pay", task_links.pay_links)
        search_providers.register("invoices", _("Invoices"), search.invoices_by_number)
        contact_sections.register(
            "invoices",
            label=_("Invoices"),
            empty=_("No invoices."),
            provider=contact_section.invoices_of_contact,
            order=20,
        )
        notices.register()
        bookings.register()
        booking_flow.register_step(
            booking_flow.BookingStep(
                key=bookings.STEP_KEY,
                order=20,
                label=_("Payment"),
                applies=bookings.payment_step_applies,
                url=bookings.payment_step_url,
            )
        )
        events.subscribe(AppointmentHoldExpired, bookings.on_hold_expired)
        events.subscribe(AppointmentHoldReleased, bookings.on_hold_released)
        events.subscribe(AppointmentCancelled, bookings.on_appointment_cancelled)
