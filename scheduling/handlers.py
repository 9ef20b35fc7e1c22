"""What scheduling does after its own events: staff hear what clients did with bookings,
and appointments are written to the lawyer's CalDAV calendar.

Subscribed in SchedulingConfig.ready(); each runs after the booking's transaction commits
(core.events), so a failed notice never undoes a booking. Portal's inbox service sends the
notices (to the appointment's staff member and the matter's lawyer and team, each as they
chose); only what a client did is told, never what staff did themselves.
"""

from __future__ import annotations

import logging

from portal import services as portal
from scheduling import services, tasks
from scheduling.events import AppointmentBooked, AppointmentCancelled, AppointmentRescheduled
from scheduling.models import Appointment

logger = logging.getLogger(__name__)


def _by_client(appointment: Appointment) -> bool:
    """Booked through the public page or the portal (not by staff for the client)."""
    return appointment.origin != Appointment.Origin.STAFF and (
        appointment.booked_by is None or not appointment.booked_by.is_firm_side
    )


def _tell_staff(appointment: Appointment) -> None:
    portal.client_activity_notify(matter_id=appointment.matter_id, staff_ids=[appointment.staff_id])


def staff_hear_of_booking(event: AppointmentBooked) -> None:
    first = (
        Appointment.objects.select_related("booked_by")
        .filter(pk__in=event.appointment_ids)
        .order_by("start_at")
        .first()
    )
    if first is not None and _by_client(first):
        _tell_staff(first)


def staff_hear_of_reschedule(event: AppointmentRescheduled) -> None:
    new = (
        Appointment.objects.select_related("booked_by").filter(pk=event.new_appointment_id).first()
    )
    if new is not None and (new.booked_by is None or not new.booked_by.is_firm_side):
        _tell_staff(new)


def staff_hear_of_cancellation(event: AppointmentCancelled) -> None:
    if not event.by_client:
        return
    row = Appointment.objects.filter(pk=event.appointment_id).first()
    if row is not None:
        _tell_staff(row)


def appointments_to_calendars(
    event: AppointmentBooked | AppointmentRescheduled | AppointmentCancelled,
) -> None:
    """After a booking, a move or a cancellation: write it to the lawyer's CalDAV calendar."""
    if isinstance(event, AppointmentBooked):
        ids = list(event.appointment_ids)
    elif isinstance(event, AppointmentRescheduled):
        ids = [event.new_appointment_id]
    else:
        ids = [event.appointment_id]
    for uid in services.writeback_queue(appointment_ids=ids):
        try:
            tasks.appointment_writeback.delay(uid)
        except Exception:  # the broker is down: the next sync of the connection writes it
            logger.warning("calendar write-back not queued; the next sync does it")
