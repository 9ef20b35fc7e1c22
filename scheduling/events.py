"""What scheduling tells the apps above it (core.events): typed, ids only, on commit.

Published by the booking services inside their transactions; handlers registered by
higher apps (intake moving a lead, billing charging a late-cancellation fee, insights
asking for feedback) run after the transaction commits. tests/test_events.py lists who
listens to what.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from core.events import Event


@dataclass(frozen=True)
class AppointmentBooked(Event):
    """One booking: a single appointment, a package's steps or a monthly series."""

    appointment_ids: tuple[uuid.UUID, ...]
    service_id: uuid.UUID
    contact_id: uuid.UUID
    matter_id: uuid.UUID | None
    booked_by_id: int | None


@dataclass(frozen=True)
class AppointmentRescheduled(Event):
    """The old appointment is now "rescheduled"; the new one replaces it."""

    old_appointment_id: uuid.UUID
    new_appointment_id: uuid.UUID
    contact_id: uuid.UUID
    matter_id: uuid.UUID | None


@dataclass(frozen=True)
class AppointmentCancelled(Event):
    appointment_id: uuid.UUID
    contact_id: uuid.UUID
    matter_id: uuid.UUID | None
    by_client: bool
    fee: Decimal  # what the client owes for a late cancellation (0 otherwise)


@dataclass(frozen=True)
class AppointmentMarked(Event):
    """Staff marked an appointment attended or no-show (or corrected one to the other)."""

    appointment_id: uuid.UUID
    contact_id: uuid.UUID
    matter_id: uuid.UUID | None
    status: str  # Appointment.Status.ATTENDED or NO_SHOW


@dataclass(frozen=True)
class AppointmentHeld(Event):
    """A booking with steps to do (scheduling.booking_flow) was made: its time is held."""

    booking_ref: str
    appointment_ids: tuple[uuid.UUID, ...]
    contact_id: uuid.UUID
    service_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class AppointmentHoldExpired(Event):
    """A held booking lapsed before its steps were done; its time is free again."""

    booking_ref: str
    appointment_ids: tuple[uuid.UUID, ...]
    contact_id: uuid.UUID
    service_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class AppointmentHoldReleased(Event):
    """A held booking was given back (the booker cancelled, a step refused it, or staff)."""

    booking_ref: str
    appointment_ids: tuple[uuid.UUID, ...]
    contact_id: uuid.UUID
    service_ids: tuple[uuid.UUID, ...]
    reason: str = ""  # "client", "staff" or what the releasing step said
