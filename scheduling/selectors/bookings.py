"""A booking as its manage token opens it: every appointment of it, and its steps."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.links import absolute_url
from scheduling import availability as engine
from scheduling import booking_flow
from scheduling.models import Appointment
from scheduling.selectors.appointments import appointment_current
from scheduling.selectors.availability import slots_list

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from portal.models import User
    from scheduling.models import Service

# A booking can always move this far past its own date, whatever the service's horizon.
RESCHEDULE_REACH_DAYS = 30


@dataclass(frozen=True)
class Booking:
    """One booking (a single appointment or every appointment of a package)."""

    booking_ref: str
    token: str  # the booking's manage token (its first appointment's)
    status: str  # the appointments share it while the booking is held
    appointments: tuple[Appointment, ...]
    contact_id: uuid.UUID
    origin: str
    pending_steps: tuple[str, ...]
    done_steps: tuple[str, ...]
    hold_started_at: dt.datetime | None
    hold_expires_at: dt.datetime | None

    @property
    def is_held(self) -> bool:
        return self.status == Appointment.Status.HELD

    @property
    def is_lapsed(self) -> bool:
        """The hold is over: expired by the sweep, or past its time and not yet swept."""
        if self.status == Appointment.Status.EXPIRED:
            return True
        return self.is_held and (
            self.hold_expires_at is not None and self.hold_expires_at <= timezone.now()
        )

    @property
    def was_released(self) -> bool:
        """Given back before it was confirmed (a confirmed booking has no pending steps)."""
        return self.status == Appointment.Status.CANCELLED and bool(self.pending_steps)

    @property
    def context(self) -> booking_flow.BookingContext:
        return booking_context(list(self.appointments), token=self.token)

    def remaining_steps(self) -> tuple[booking_flow.BookingStep, ...]:
        """The registered steps still to do, in the order the booking stored them."""
        steps = (booking_flow.step_get(key) for key in self.pending_steps)
        return tuple(step for step in steps if step is not None)

    @property
    def next_url(self) -> str | None:
        """Where the booker continues, while the booking is held."""
        steps = self.remaining_steps()
        if not self.is_held or not steps:
            return None
        return steps[0].url(self.context)


def booking_context(appointments: list[Appointment], *, token: str) -> booking_flow.BookingContext:
    """The context the registered steps see, built from the booking's appointments."""
    first = appointments[0]
    return booking_flow.BookingContext(
        booking_ref=first.booking_ref,
        appointment_ids=tuple(a.pk for a in appointments),
        service_ids=tuple(a.service_id for a in appointments),
        contact_id=first.contact_id,
        origin=first.origin,
        token=token,
    )


def booking_rows(appointment: Appointment) -> list[Appointment]:
    """Every appointment of the booking this one belongs to, earliest first."""
    if not appointment.booking_group:
        return [appointment]
    rows = list(
        Appointment.objects.select_related("service", "staff", "contact")
        .filter(booking_group=appointment.booking_group, contact_id=appointment.contact_id)
        .exclude(status=Appointment.Status.RESCHEDULED)
        .order_by("start_at")
    )
    return rows or [appointment]


def booking_get_by_token(*, token: str, now: dt.datetime | None = None) -> Booking:
    """The booking a manage token opens, whatever its status; 404 for an unknown token or
    one whose appointment is over (manage links expire with the appointment)."""
    now = now or timezone.now()
    if not token or len(token) > 64:
        raise Http404
    appointment = (
        Appointment.objects.select_related("service", "staff", "contact")
        .filter(manage_token=token)
        .first()
    )
    if appointment is None or appointment.end_at <= now:
        raise Http404
    rows = booking_rows(appointment)
    first = rows[0]
    return Booking(
        booking_ref=first.booking_ref,
        token=first.manage_token,
        status=first.status,
        appointments=tuple(rows),
        contact_id=first.contact_id,
        origin=first.origin,
        pending_steps=tuple(first.pending_steps or ()),
        done_steps=tuple(first.done_steps or ()),
        hold_started_at=first.hold_started_at,
        hold_expires_at=first.hold_expires_at,
    )


def reschedule_latest(*, appointment: Appointment, now: dt.datetime) -> dt.datetime:
    """The latest start a booking may move to: the service's horizon, or a month past the
    booked date when that is further (a booking made far ahead can still move)."""
    horizon = now + dt.timedelta(days=appointment.service.horizon_days)
    return max(horizon, appointment.start_at + dt.timedelta(days=RESCHEDULE_REACH_DAYS))


def slots_for_change(
    *,
    service: Service,
    staff: Sequence[User],
    start: dt.datetime,
    end: dt.datetime,
    latest: dt.datetime,
    now: dt.datetime | None = None,
    include_appointments: bool = True,
    exclude_appointment_ids: Iterable[Any] = (),
    online: bool = False,
) -> list[engine.Slot]:
    """Free slots for moving a booking: the service's rules with `latest` for the horizon.

    `online` (a client acting) drops staff whose fail-closed calendar is stale.
    """
    return slots_list(
        service=service,
        start=start,
        end=end,
        now=now,
        staff=staff,
        include_appointments=include_appointments,
        exclude_appointment_ids=exclude_appointment_ids,
        online=online,
        latest=latest,
    )


# The link in the email asking the owner of an address to confirm a booking made with it.
OWNER_CHECK_SALT = "scheduling.booking-owner-check"


def owner_check_link(appointment: Appointment) -> str:
    """The absolute URL of the owner's confirm page (signed, with no expiry of its own:
    it works while the booking waits and its time is ahead)."""
    token = signing.dumps(str(appointment.pk), salt=OWNER_CHECK_SALT)
    return absolute_url(reverse("scheduling:booking-owner-check", kwargs={"token": token}))


def owner_check_hours() -> int:
    """How long a booking made with an existing client's email waits for its owner."""
    return max(1, int(getattr(settings, "ATRIUM_OWNER_CHECK_HOURS", 24)))


def owner_check_deadline(appointment: Appointment) -> dt.datetime:
    """When an unconfirmed booking lapses: owner_check_hours after it was made, or its
    start if that comes first."""
    return min(
        appointment.created_at + dt.timedelta(hours=owner_check_hours()), appointment.start_at
    )


def owner_check_rows(*, token: str, lock: bool = False) -> list[Appointment]:
    """The booking an owner-check link is about, as it is now (after any moves): every
    appointment of it, earliest first; 404 for a forged or unknown link."""
    if not token or len(token) > 300:
        raise Http404
    try:
        appointment_id = uuid.UUID(signing.loads(token, salt=OWNER_CHECK_SALT))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise Http404 from exc
    start = Appointment.objects.filter(pk=appointment_id).first()
    if start is None:
        raise Http404
    current = appointment_current(appointment=start)
    rows = booking_rows(current)
    if lock:
        locked = Appointment.objects.select_for_update().filter(pk__in=[r.pk for r in rows])
        rows = list(locked.select_related("service", "staff", "contact").order_by("start_at"))
    return rows
