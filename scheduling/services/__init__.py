"""Every write of the scheduling app, one module per noun, all re-exported here."""

from __future__ import annotations

from scheduling.services.availability import availability_rule_add, availability_rule_remove
from scheduling.services.booking import (
    BookerData,
    SlotInvalid,
    SlotTaken,
    appointment_book,
    appointment_cancel,
    appointment_mark,
    appointment_reschedule,
    cancellation_fee,
    recurring_book,
)
from scheduling.services.calendars import (
    busy_intervals_from_ics,
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
from scheduling.services.reminders import (
    appointment_notify,
    appointment_reminders_sync,
    reminder_offsets,
)

__all__ = [
    "appointment_book",
    "appointment_cancel",
    "appointment_mark",
    "appointment_notify",
    "appointment_reminders_sync",
    "appointment_reschedule",
    "availability_rule_add",
    "availability_rule_remove",
    "BookerData",
    "busy_intervals_from_ics",
    "cancellation_fee",
    "external_calendar_add",
    "external_calendar_ids",
    "external_calendar_import",
    "external_calendar_remove",
    "recurring_book",
    "reminder_offsets",
    "service_archive",
    "service_create",
    "service_restore",
    "service_update",
    "SlotInvalid",
    "SlotTaken",
]
