from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from audit import actions
        from insights.audit_actions import InsightsAction

        actions.declare(InsightsAction)

        # Every metric registers itself on import (insights.metrics.__init__).
        import insights.metrics  # noqa: F401

        self._feedback_and_outside_contacts()
        self._pages()

    def _feedback_and_outside_contacts(self) -> None:
        """Feedback after consultations and at matter close; contacts outside the portal."""
        from core import events
        from insights import contact_section, notices
        from insights.services import feedback
        from insights.views import feedback as feedback_views
        from insights.views import outside_contacts as outside_views
        from portal import contact_sections, staff_panels
        from portal.events import MatterStageChanged
        from scheduling.events import AppointmentMarked

        notices.register()
        events.subscribe(AppointmentMarked, feedback.on_appointment_marked)
        events.subscribe(MatterStageChanged, feedback.on_matter_stage_changed)
        contact_sections.register(
            "outside_contacts",
            label=_("Contacts outside the portal"),
            empty=_("No contacts outside the portal logged."),
            provider=contact_section.outside_contacts_of,
            order=30,
        )
        staff_panels.register(
            staff_panels.HOME, "feedback_follow_ups", feedback_views.follow_ups_panel
        )
        staff_panels.register(
            staff_panels.CONTACT, "outside_contact", outside_views.quick_form_for_contact
        )
        staff_panels.register(
            staff_panels.MATTER, "outside_contact", outside_views.quick_form_for_matter
        )

    def _pages(self) -> None:
        """The monthly digest to firm admins (the pages' notice)."""
        from insights import digest_notice

        digest_notice.register()
