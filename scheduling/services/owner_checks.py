"""Bookings waiting for the owner of their email do not wait for ever.

A public booking made with the email of an existing client waits for the owner of the
address to confirm it (booking.booking_owner_answer). Unanswered, it lapses at
selectors.owner_check_deadline (ATRIUM_OWNER_CHECK_HOURS after it was made, or its start if
that comes first): the five-minute sweep cancels it and frees its time. Nobody is told:
nothing was announced for it (AppointmentBooked waits for the confirmation), and the
booker's own page only says the booking was cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record
from scheduling import selectors
from scheduling.audit_actions import SchedulingAction
from scheduling.models import Appointment
from scheduling.services import reminders
from scheduling.slots_cache import availability_changed

# At most this many appointments per sweep; the next run takes the rest.
SWEEP_BATCH = 500


def owner_check_lapse(rows: Sequence[Appointment], *, now: dt.datetime) -> int:
    """Cancel the given (locked) pending rows as lapsed; returns how many changed."""
    changed = 0
    for row in rows:
        if (
            row.owner_check != Appointment.OwnerCheck.PENDING
            or row.status != Appointment.Status.BOOKED
        ):
            continue
        row.owner_check = Appointment.OwnerCheck.LAPSED
        row.status = Appointment.Status.CANCELLED
        row.cancelled_at = now
        row.sequence += 1
        row.save(update_fields=["owner_check", "status", "cancelled_at", "sequence"])
        audit_record(
            action=SchedulingAction.APPOINTMENT_OWNER_LAPSED,
            matter_id=row.matter_id,
            obj=row,
            data={"booking": row.booking_ref, "made": row.created_at.isoformat()},
        )
        reminders.appointment_reminders_sync(appointment=row)
        changed += 1
    if changed:
        availability_changed()
    return changed


def owner_checks_expire(*, now: dt.datetime | None = None) -> int:
    """The sweep: every booking still waiting for its email's owner past its deadline is
    cancelled (owner_check LAPSED) and its time freed. A second run finds nothing.
    Returns how many appointments lapsed."""
    now = now or timezone.now()
    made_before = now - dt.timedelta(hours=selectors.owner_check_hours())
    due = Q(created_at__lte=made_before) | Q(start_at__lte=now)
    with transaction.atomic():
        ids = list(
            Appointment.objects.filter(
                due,
                owner_check=Appointment.OwnerCheck.PENDING,
                status=Appointment.Status.BOOKED,
            )
            .order_by("created_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        if not ids:
            return 0
        rows = list(
            Appointment.objects.select_for_update()
            .filter(pk__in=ids)
            # Checked again under the lock: the owner may have answered meanwhile.
            .filter(owner_check=Appointment.OwnerCheck.PENDING, status=Appointment.Status.BOOKED)
            .order_by("pk")
        )
        return owner_check_lapse(rows, now=now)
