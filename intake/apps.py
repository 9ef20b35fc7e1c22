from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from audit import actions
        from billing.events import InvoicePaid
        from core import events
        from intake import notices, privacy
        from intake.audit_actions import IntakeAction
        from intake.services import booking, conflicts, pipeline, retain
        from notifications.channels import email_footer_register
        from portal.events import ContactNamesChanged, MatterPartiesChanged
        from scheduling import booking_flow
        from scheduling.events import AppointmentBooked, AppointmentCancelled, AppointmentMarked

        actions.declare(IntakeAction)
        notices.register()
        email_footer_register(privacy.footer_links)
        booking_flow.register_step(
            booking_flow.BookingStep(
                key=booking.STEP_KEY,
                order=10,
                label=_("A few questions"),
                applies=booking.booking_form_step_applies,
                url=booking.booking_form_step_url,
            )
        )
        events.subscribe(AppointmentBooked, booking.lead_form_after_booking)
        events.subscribe(AppointmentBooked, pipeline.lead_on_booked)
        events.subscribe(AppointmentMarked, pipeline.lead_on_marked)
        events.subscribe(AppointmentCancelled, pipeline.lead_on_cancelled)
        events.subscribe(ContactNamesChanged, conflicts.on_contact_names_changed)
        events.subscribe(MatterPartiesChanged, conflicts.on_matter_parties_changed)
        events.subscribe(InvoicePaid, retain.on_invoice_paid)
