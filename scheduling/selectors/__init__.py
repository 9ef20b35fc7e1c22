"""Every read of the scheduling app, one module per noun, all re-exported here."""

from __future__ import annotations

from scheduling.selectors.appointments import (
    appointment_by_token,
    appointment_current,
    appointment_get_for_staff,
    appointment_history,
    appointments_for_client,
    appointments_for_staff_range,
    appointments_visible_to,
    external_calendars_for,
    reminders_for_appointment,
)
from scheduling.selectors.availability import (
    MAX_RANGE_DAYS,
    firm_time_zone,
    online_booking_paused,
    rules_for,
    slots_list,
    staff_calendars,
    staff_list,
    staff_names,
)
from scheduling.selectors.bookings import (
    RESCHEDULE_REACH_DAYS,
    Booking,
    booking_get_by_token,
    reschedule_latest,
    slots_for_change,
)
from scheduling.selectors.calendars import (
    appointment_ics,
    appointment_manage_links,
    appointment_rebook_link,
    staff_feed_ics,
)
from scheduling.selectors.catalogue import (
    may_book,
    service_get_for_booking,
    service_get_for_staff,
    service_invite_token,
    services_active,
    services_bookable,
    services_for_staff,
)
from scheduling.selectors.connections import (
    broken_connection_count,
    broken_connections_for_banner,
    calendar_changes_flagged,
    calendar_connection_get,
    calendar_connections_visible_to,
    calendar_reason,
    staff_offline_ids,
)
from scheduling.selectors.series import (
    MAX_OCCURRENCES,
    Occurrence,
    series_proposal,
    series_starts,
)

__all__ = [
    "appointment_by_token",
    "appointment_current",
    "appointment_get_for_staff",
    "appointment_history",
    "appointment_ics",
    "appointment_manage_links",
    "appointment_rebook_link",
    "appointments_for_client",
    "appointments_for_staff_range",
    "appointments_visible_to",
    "Booking",
    "booking_get_by_token",
    "broken_connection_count",
    "broken_connections_for_banner",
    "calendar_changes_flagged",
    "calendar_connection_get",
    "calendar_connections_visible_to",
    "calendar_reason",
    "external_calendars_for",
    "firm_time_zone",
    "MAX_OCCURRENCES",
    "MAX_RANGE_DAYS",
    "may_book",
    "Occurrence",
    "online_booking_paused",
    "reminders_for_appointment",
    "RESCHEDULE_REACH_DAYS",
    "reschedule_latest",
    "rules_for",
    "service_get_for_booking",
    "service_get_for_staff",
    "service_invite_token",
    "services_active",
    "services_bookable",
    "services_for_staff",
    "series_proposal",
    "series_starts",
    "slots_for_change",
    "slots_list",
    "staff_calendars",
    "staff_feed_ics",
    "staff_list",
    "staff_names",
    "staff_offline_ids",
]
