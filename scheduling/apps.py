from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Scheduling")

    def ready(self) -> None:
        from audit import actions
        from core import events
        from portal import contact_sections, search_providers
        from portal import task_links as portal_task_links
        from scheduling import (  # noqa: F401 (checks)
            checks,
            contact_section,
            handlers,
            notices,
            receivers,
            search,
            task_links,
        )
        from scheduling.audit_actions import SchedulingAction
        from scheduling.events import (
            AppointmentBooked,
            AppointmentCancelled,
            AppointmentRescheduled,
        )

        actions.declare(SchedulingAction)
        portal_task_links.register("book", task_links.book_links)
        search_providers.register("appointments", _("Appointments"), search.appointments_by_code)
        contact_sections.register(
            "appointments",
            label=_("Appointments"),
            empty=_("No appointments."),
            provider=contact_section.appointments_of_contact,
            order=10,
        )
        notices.register()
        receivers.connect()
        events.subscribe(AppointmentBooked, handlers.staff_hear_of_booking)
        events.subscribe(AppointmentRescheduled, handlers.staff_hear_of_reschedule)
        events.subscribe(AppointmentCancelled, handlers.staff_hear_of_cancellation)
        events.subscribe(AppointmentBooked, handlers.appointments_to_calendars)
        events.subscribe(AppointmentRescheduled, handlers.appointments_to_calendars)
        events.subscribe(AppointmentCancelled, handlers.appointments_to_calendars)
