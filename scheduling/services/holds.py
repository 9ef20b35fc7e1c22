"""Held bookings: extending, releasing and expiring the time an unfinished booking keeps.

A booking with steps to do (scheduling.booking_flow) is inserted HELD; it blocks its time
like a confirmed one until `hold_expires_at`. The per-minute sweep (`booking_holds_expire`)
moves lapsed holds to EXPIRED, and the booking service expires the lapsed holds that
overlap a new booking inside its own transaction, so a late sweep never blocks a client.
Every change locks the booking's rows and updates them on a status condition, so the
sweep, a step completing and a release can race without a lost or doubled change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core import events
from core.errors import ServiceError
from core.http import RequestMeta
from scheduling.audit_actions import SchedulingAction
from scheduling.events import AppointmentHoldExpired, AppointmentHoldReleased
from scheduling.models import HOLD_MAX_MINUTES, Appointment

if TYPE_CHECKING:
    from core.http import AtriumUser

# At most this many bookings per sweep; the next minute takes the rest.
SWEEP_BATCH = 500


# The audit action of each way a hold ends.
END_ACTIONS: dict[str, str] = {
    Appointment.Status.EXPIRED: SchedulingAction.APPOINTMENT_HOLD_EXPIRED,
    Appointment.Status.CANCELLED: SchedulingAction.APPOINTMENT_HOLD_RELEASED,
}


class HoldLapsed(ServiceError):
    """The booking's time is no longer held for it (expired or released)."""


def booking_lock(*, token: str) -> list[Appointment]:
    """Lock every appointment of the booking this manage token belongs to (earliest
    first); 404 for an unknown token."""
    if not token or len(token) > 64:
        raise Http404
    row = Appointment.objects.filter(manage_token=token).first()
    if row is None:
        raise Http404
    if not row.booking_group:
        rows = list(Appointment.objects.select_for_update().filter(pk=row.pk))
    else:
        rows = list(
            Appointment.objects.select_for_update()
            .filter(booking_group=row.booking_group, contact_id=row.contact_id)
            .exclude(status=Appointment.Status.RESCHEDULED)
            .order_by("start_at")
        )
    return rows


def _ids(rows: Iterable[Appointment]) -> tuple[uuid.UUID, ...]:
    return tuple(a.pk for a in rows)


def _refuse_unless_held(rows: list[Appointment]) -> None:
    status = rows[0].status
    if status in (Appointment.Status.EXPIRED, Appointment.Status.CANCELLED):
        raise HoldLapsed(_("The time you picked was released. Please choose a time again to book."))
    if status != Appointment.Status.HELD:
        raise ServiceError(_("This booking is already confirmed."))


def _end_hold(
    rows: list[Appointment],
    *,
    status: str,
    now: dt.datetime,
    reason: str,
    actor: AtriumUser | None = None,
    meta: RequestMeta | None = None,
) -> bool:
    """HELD → EXPIRED or CANCELLED for one booking's locked rows; False if it was not held."""
    ids = _ids(rows)
    fields: dict[str, object] = {"status": status}
    if status == Appointment.Status.CANCELLED:
        fields["cancelled_at"] = now
    changed = Appointment.objects.filter(pk__in=ids, status=Appointment.Status.HELD).update(
        **fields
    )
    if not changed:
        return False
    first = rows[0]
    for appointment in rows:
        audit_record(
            action=END_ACTIONS[status],
            actor=actor,
            meta=meta,
            matter_id=appointment.matter_id,
            obj=appointment,
            data={"booking": first.booking_ref, "reason": reason},
        )
    service_ids = tuple(a.service_id for a in rows)
    if status == Appointment.Status.EXPIRED:
        events.publish(
            AppointmentHoldExpired(
                booking_ref=first.booking_ref,
                appointment_ids=ids,
                contact_id=first.contact_id,
                service_ids=service_ids,
            )
        )
    else:
        events.publish(
            AppointmentHoldReleased(
                booking_ref=first.booking_ref,
                appointment_ids=ids,
                contact_id=first.contact_id,
                service_ids=service_ids,
                reason=reason,
            )
        )
    for appointment in rows:
        appointment.status = status
    return True


def _bookings_of(rows: Iterable[Appointment]) -> list[list[Appointment]]:
    by_ref: dict[str, list[Appointment]] = {}
    for appointment in rows:
        by_ref.setdefault(appointment.booking_ref, []).append(appointment)
    return [sorted(group, key=lambda a: a.start_at) for group in by_ref.values()]


def _expire_locked(lapsed: Q, *, now: dt.datetime, reason: str, limit: int | None = None) -> int:
    """Expire every held booking with a row matching `lapsed` (all its rows together)."""
    held = Appointment.objects.filter(
        status=Appointment.Status.HELD, hold_expires_at__lte=now
    ).filter(lapsed)
    pairs = held.order_by("hold_expires_at").values_list("pk", "booking_group")
    found = list(pairs[:limit] if limit else pairs)
    if not found:
        return 0
    pks = [pk for pk, group in found if group is None]
    groups = {group for _pk, group in found if group is not None}
    rows = (
        Appointment.objects.select_for_update()
        .filter(Q(pk__in=pks) | Q(booking_group__in=groups))
        # Checked again under the lock: a step may have confirmed or extended it meanwhile.
        .filter(status=Appointment.Status.HELD, hold_expires_at__lte=now)
        .order_by("pk")
    )
    expired = 0
    for booking in _bookings_of(rows):
        if _end_hold(
            booking,
            status=Appointment.Status.EXPIRED,
            now=now,
            reason=reason,
        ):
            expired += 1
    return expired


def holds_expire_overlapping(
    *, staff_id: int, blocked_start: dt.datetime, blocked_end: dt.datetime, now: dt.datetime
) -> int:
    """Expire lapsed holds in this staff member's window (call inside the booking's
    transaction, before the insert), so a late sweep never blocks a new booker."""
    return _expire_locked(
        Q(staff_id=staff_id, blocked_start__lt=blocked_end, blocked_end__gt=blocked_start),
        now=now,
        reason="lapsed, the time was booked again",
    )


def booking_holds_expire(*, now: dt.datetime | None = None) -> int:
    """The per-minute sweep: every held booking past its time → EXPIRED, one
    AppointmentHoldExpired each (a second run finds nothing). Returns how many expired."""
    now = now or timezone.now()
    with transaction.atomic():
        return _expire_locked(Q(), now=now, reason="lapsed", limit=SWEEP_BATCH)


def booking_hold_extend(
    *,
    token: str,
    minutes: int,
    actor: AtriumUser | None = None,
    meta: RequestMeta | None = None,
    now: dt.datetime | None = None,
) -> dt.datetime:
    """Keep the time longer (a bank confirming a payment): `minutes` more from now or from
    the current expiry, whichever is later, never beyond HOLD_MAX_MINUTES after the hold
    started. Returns the new expiry. Works while the booking is still HELD, even past its
    time; raises HoldLapsed once it expired or was released."""
    now = now or timezone.now()
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 60:
        raise ServiceError(_("Extend a hold by 1 to 60 minutes."))
    with transaction.atomic():
        rows = booking_lock(token=token)
        _refuse_unless_held(rows)
        first = rows[0]
        started = first.hold_started_at or first.created_at
        current = first.hold_expires_at or now
        cap = started + dt.timedelta(minutes=HOLD_MAX_MINUTES)
        until = min(max(current, now) + dt.timedelta(minutes=minutes), cap)
        until = max(until, current)  # never shortens a hold
        if until != current:
            Appointment.objects.filter(pk__in=_ids(rows), status=Appointment.Status.HELD).update(
                hold_expires_at=until
            )
            for appointment in rows:
                audit_record(
                    action=SchedulingAction.APPOINTMENT_HOLD_EXTENDED,
                    actor=actor,
                    meta=meta,
                    matter_id=appointment.matter_id,
                    obj=appointment,
                    data={"booking": first.booking_ref, "until": until.isoformat()},
                )
    return until


def booking_hold_release(
    *,
    token: str,
    reason: str,
    actor: AtriumUser | None = None,
    meta: RequestMeta | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Give a held booking's time back (HELD → CANCELLED for every appointment of it):
    the booker cancelled, a step refused the booking, or staff. Nothing is sent to the
    client: they were never told the booking was confirmed. Releasing a hold that already
    expired or was released changes nothing (False); a confirmed booking is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = booking_lock(token=token)
        if rows[0].status in (Appointment.Status.EXPIRED, Appointment.Status.CANCELLED):
            return False
        _refuse_unless_held(rows)
        return _end_hold(
            rows,
            status=Appointment.Status.CANCELLED,
            now=now,
            reason=str(reason)[:100],
            actor=actor,
            meta=meta,
        )
