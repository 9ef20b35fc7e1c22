"""Every write of the scheduling app, one module per noun, all re-exported here."""

from __future__ import annotations

from scheduling.services.availability import availability_rule_add, availability_rule_remove
from scheduling.services.booking import (
    BookedAppointments,
    BookerData,
    PlanChanged,
    SeriesChanged,
    SlotInvalid,
    SlotTaken,
    appointment_book,
    appointment_cancel,
    appointment_mark,
    appointment_reschedule,
    booking_owner_answer,
    booking_step_complete,
    cancellation_fee,
    recurring_book,
)
from scheduling.services.caldav import (
    appointment_writeback,
    caldav_choose,
    caldav_connect,
    caldav_ids,
    caldav_reconnect,
    caldav_sync,
    calendar_event_restore,
    calendar_sync,
    writeback_queue,
)
from scheduling.services.calendars import (
    busy_intervals_from_ics,
    calendar_disconnect,
    calendar_settings_update,
    connection_failed,
    connection_succeeded,
    external_calendar_add,
    external_calendar_ids,
    external_calendar_import,
    external_calendar_remove,
)
from scheduling.services.catalogue import (
    service_archive,
    service_create,
    service_restore,
    service_update,
)
from scheduling.services.followup import Step, appointment_follow_up
from scheduling.services.holds import (
    HoldLapsed,
    booking_hold_extend,
    booking_hold_release,
    booking_holds_expire,
)
from scheduling.services.owner_checks import owner_checks_expire
from scheduling.services.reminders import (
    appointment_notify,
    appointment_reminders_sync,
    reminder_offsets,
)

__all__ = [
    "Step",
    "appointment_follow_up",
    "appointment_book",
    "appointment_cancel",
    "appointment_mark",
    "appointment_notify",
    "appointment_reminders_sync",
    "appointment_reschedule",
    "appointment_writeback",
    "availability_rule_add",
    "availability_rule_remove",
    "BookedAppointments",
    "BookerData",
    "booking_hold_extend",
    "booking_hold_release",
    "booking_holds_expire",
    "booking_owner_answer",
    "booking_step_complete",
    "busy_intervals_from_ics",
    "caldav_choose",
    "caldav_connect",
    "caldav_ids",
    "caldav_reconnect",
    "caldav_sync",
    "calendar_event_restore",
    "calendar_disconnect",
    "calendar_settings_update",
    "calendar_sync",
    "cancellation_fee",
    "connection_failed",
    "connection_succeeded",
    "external_calendar_add",
    "external_calendar_ids",
    "external_calendar_import",
    "external_calendar_remove",
    "HoldLapsed",
    "owner_checks_expire",
    "recurring_book",
    "reminder_offsets",
    "service_archive",
    "service_create",
    "service_restore",
    "PlanChanged",
    "SeriesChanged",
    "service_update",
    "SlotInvalid",
    "SlotTaken",
    "writeback_queue",
]
