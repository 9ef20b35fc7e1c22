"""Booking, moving, cancelling and marking appointments.

No double booking: on PostgreSQL the exclusion constraint ``appointment_no_overlap`` refuses
overlapping blocking appointments of one staff member; each insert runs in a savepoint so a
refused one moves on to the next candidate or reports "just taken". On SQLite the outer
transaction begins IMMEDIATE (settings), so writers are serialised and the overlap query
followed by the insert holds the same rule.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core import events
from core.errors import ServiceError
from core.http import RequestMeta
from core.links import absolute_url
from core.time import format_long_date, format_long_datetime, format_short_time
from portal import selectors as portal_selectors
from portal import services as portal_services
from scheduling import booking_flow, selectors
from scheduling.audit_actions import SchedulingAction
from scheduling.events import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentHeld,
    AppointmentMarked,
    AppointmentRescheduled,
)
from scheduling.models import (
    BLOCKING_STATUSES,
    OUTSIDE_RULES_REASON_MAX,
    Appointment,
    Service,
)
from scheduling.selectors.bookings import booking_context
from scheduling.services import holds, invitations, owner_checks, reminders
from scheduling.services.calendar_sync import live_busy_staff

if TYPE_CHECKING:
    from portal.models import Contact, Matter, User

# The action each staff mark records.
MARK_ACTIONS: dict[str, str] = {
    Appointment.Status.ATTENDED: SchedulingAction.APPOINTMENT_ATTENDED,
    Appointment.Status.NO_SHOW: SchedulingAction.APPOINTMENT_NO_SHOW,
}


class SlotInvalid(ServiceError):
    """The time is not one the service offers (400)."""


class SlotTaken(ServiceError):
    """Someone booked the time a moment ago (409)."""


class BookedAppointments(list[Appointment]):
    """What appointment_book returns: the appointments, earliest first (a list, as it
    always was), and for a held booking the URL of its first step."""

    next_url: str | None = None

    @property
    def held(self) -> bool:
        return bool(self) and self[0].status == Appointment.Status.HELD


@dataclass(frozen=True)
class BookerData:
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    language: str = "en"
    # The SMS consent text the booker ticked (empty: no SMS), stored word for word.
    sms_consent_text: str = ""
    sms_consent_version: str = ""


def _notify(*, changed: Sequence[Appointment], notify: Sequence[Appointment], event: str) -> None:
    """Reminder rows follow every changed appointment; the client hears about `notify`."""
    for appointment in changed:
        reminders.appointment_reminders_sync(appointment=appointment)
    if notify:
        reminders.appointment_notify(appointments=notify, event=event)


def _publish_booked(booked: Sequence[Appointment], *, actor: User | None) -> None:
    first = booked[0]
    events.publish(
        AppointmentBooked(
            appointment_ids=tuple(a.pk for a in booked),
            service_id=first.service_id,
            contact_id=first.contact_id,
            matter_id=first.matter_id,
            booked_by_id=actor.pk if actor is not None else first.booked_by_id,
        )
    )


def _live_check(*, service: Service, start_at: dt.datetime, candidates: list[int]) -> list[int]:
    """Drop lawyers whose own calendar shows the time busy right now (at most 2 s)."""
    _start, _end, b_start, b_end = _blocked(service, start_at)
    busy = live_busy_staff(staff_ids=candidates, start=b_start, end=b_end)
    if busy and not [c for c in candidates if c not in busy]:
        raise SlotTaken(_("This time was just taken. Please choose another time."))
    return [c for c in candidates if c not in busy]


def _blocked(
    service: Service, start: dt.datetime
) -> tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]:
    end = start + dt.timedelta(minutes=service.duration_minutes)
    return (
        start,
        end,
        start - dt.timedelta(minutes=service.buffer_before_minutes),
        end + dt.timedelta(minutes=service.buffer_after_minutes),
    )


def _utc(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise SlotInvalid(
            _("This time is not available. Please pick one of the times shown.")
        ) from exc


def _overlaps(staff_id: int, blocked_start: dt.datetime, blocked_end: dt.datetime) -> bool:
    return Appointment.objects.filter(
        staff_id=staff_id,
        status__in=BLOCKING_STATUSES,
        blocked_start__lt=blocked_end,
        blocked_end__gt=blocked_start,
    ).exists()


def _insert(
    *,
    staff_id: int,
    blocked_start: dt.datetime,
    blocked_end: dt.datetime,
    now: dt.datetime | None = None,
    **fields: Any,
) -> Appointment | None:
    """Insert a blocking appointment, or None when the time overlaps another one.

    Lapsed holds in the window are expired first, in the same transaction: a hold whose
    time is up never blocks a booker, even when the sweep runs late.
    """
    try:
        with transaction.atomic():
            holds.holds_expire_overlapping(
                staff_id=staff_id,
                blocked_start=blocked_start,
                blocked_end=blocked_end,
                now=now or timezone.now(),
            )
            if _overlaps(staff_id, blocked_start, blocked_end):
                return None
            return Appointment.objects.create(
                staff_id=staff_id, blocked_start=blocked_start, blocked_end=blocked_end, **fields
            )
    except IntegrityError:
        return None
    except OperationalError as exc:
        # Two inserts racing for one time can each wait on the other's exclusion check;
        # PostgreSQL then aborts one with "deadlock detected". For that booker the time
        # was just taken, exactly as with the exclusion violation.
        if getattr(exc.__cause__, "sqlstate", None) == _DEADLOCK_DETECTED:
            return None
        raise


_DEADLOCK_DETECTED = "40P01"


def _fair_order(staff_ids: Sequence[int], *, now: dt.datetime) -> list[int]:
    """Whoever has the fewest upcoming bookings first, so "any lawyer" spreads them."""
    counts = dict(
        Appointment.objects.filter(
            staff_id__in=staff_ids,
            status=Appointment.Status.BOOKED,
            start_at__gte=now,
        )
        .values_list("staff_id")
        .annotate(n=Count("id"))
        .values_list("staff_id", "n")
    )
    return sorted(staff_ids, key=lambda s: (counts.get(s, 0), secrets.randbelow(1000)))


def _booker_contact(booker: BookerData | None, time_zone: str) -> tuple[Contact, bool]:
    """The contact a public booker becomes (matched by email, else a new prospect), and
    whether it was created now."""
    if booker is None:
        raise ServiceError(_("Who is the appointment for?"))
    return portal_services.contact_for_booking(
        first_name=booker.first_name,
        last_name=booker.last_name,
        email=booker.email,
        phone=booker.phone,
        language=booker.language,
        time_zone=time_zone,
    )


def _owner_check(
    person: Contact, *, booker: BookerData | None, matched: bool
) -> tuple[str, dict[str, str | bool]]:
    """A public booking whose email matched an existing contact keeps what the booker typed
    (the contact is never changed); when that contact is a client or has a login, the
    booking also waits for the owner of the address to confirm it from the email."""
    if booker is None or not matched:
        return Appointment.OwnerCheck.NOT_NEEDED, {}
    details: dict[str, str | bool] = {
        "first_name": booker.first_name,
        "last_name": booker.last_name,
        "phone": booker.phone,
        "sms_consent": bool(booker.sms_consent_text),
    }
    if not portal_selectors.contact_is_account_holder(person):
        return Appointment.OwnerCheck.NOT_NEEDED, details
    details |= {
        "sms_consent_text": booker.sms_consent_text,
        "sms_consent_version": booker.sms_consent_version,
        "language": booker.language,
    }
    return Appointment.OwnerCheck.PENDING, details


def _check_offered(
    *,
    service: Service,
    start: dt.datetime,
    staff: User | None,
    now: dt.datetime,
    exclude: Sequence[Any] = (),
    latest: dt.datetime | None = None,
    online: bool = True,
) -> list[int]:
    """Staff ids for whom the time is a free slot, ignoring other appointments.

    A time outside working hours, notice or horizon (or `latest`, for a move) is invalid
    (400); a time that is free apart from appointments may only be taken by one in the
    meantime (409).
    """
    latest = latest or now + dt.timedelta(days=service.horizon_days)
    if not now <= start <= latest:
        raise SlotInvalid(_("This time is not available. Please pick one of the times shown."))
    members = service.offering_staff()
    if staff is not None:
        members = [m for m in members if m.pk == staff.pk]
        if not members:
            raise SlotInvalid(_("This lawyer does not offer this service."))
    slots = selectors.slots_for_change(
        service=service,
        start=start,
        end=start + dt.timedelta(seconds=1),
        now=now,
        staff=members,
        latest=latest,
        include_appointments=False,
        exclude_appointment_ids=exclude,
        # Staff-side booking still works when a fail-closed calendar is stale.
        online=online,
    )
    for slot in slots:
        if slot.start == start:
            return list(slot.staff_ids)
    raise SlotInvalid(_("This time is not available. Please pick one of the times shown."))


def _origin(origin: str | None, *, actor: User | None, contact: Contact | None) -> str:
    if origin is None:
        if actor is not None and actor.is_firm_staff:
            return Appointment.Origin.STAFF
        return Appointment.Origin.PORTAL if contact is not None else Appointment.Origin.PUBLIC
    if origin not in booking_flow.ORIGINS:
        raise ValueError(f"unknown booking origin {origin!r}")
    return origin


class OutsideRules(SlotInvalid):
    """Staff chose a time outside the service's public rules without giving a reason
    (400); `warnings` say which rules, for the page."""

    def __init__(self, warnings: Sequence[str]) -> None:
        super().__init__(" ".join(warnings))
        self.warnings = tuple(warnings)


def overlap_message(conflict: Appointment, *, staff: User) -> str:
    """What staff read when a time overlaps another appointment (never booked over)."""
    zone = timezone.get_current_timezone()
    return _(
        "%(name)s already has an appointment at this time (%(start)s to %(end)s, with the "
        "time kept free around it). Two appointments of one person never overlap: choose "
        "another time."
    ) % {
        "name": staff.get_full_name() or staff.email,
        "start": format_long_datetime(conflict.start_at, zone=zone),
        "end": format_short_time(conflict.end_at, zone=zone),
    }


def _staff_candidates(
    *,
    service: Service,
    first_service: Service,
    start: dt.datetime,
    staff: User | None,
    reason: str,
    now: dt.datetime,
) -> tuple[list[int], tuple[str, ...], str]:
    """A staff booking at a time staff chose: any time that overlaps no appointment,
    outside the public rules (working hours, notice, horizon, a busy calendar) only with
    a reason. Returns the staff id, the rules stepped outside of and the reason kept."""
    if staff is None:
        raise SlotInvalid(_("Choose the lawyer."))
    if staff.pk not in {m.pk for m in service.offering_staff()}:
        raise SlotInvalid(_("This lawyer does not offer this service."))
    if start < now:
        raise SlotInvalid(_("This time has already passed."))
    reason = reason.strip()
    if len(reason) > OUTSIDE_RULES_REASON_MAX:
        raise SlotInvalid(
            _("Keep the reason within %(max)d characters.") % {"max": OUTSIDE_RULES_REASON_MAX}
        )
    check = selectors.staff_time_check(service=first_service, staff=staff, start=start, now=now)
    if check.conflict is not None:
        raise SlotTaken(overlap_message(check.conflict, staff=staff))
    if check.outside and not reason:
        raise OutsideRules(check.warnings)
    return [staff.pk], check.rules, reason if check.outside else ""


class PlanChanged(SlotTaken):
    """The package's later steps no longer fall where the booker saw them (409)."""


def _check_audience(steps: Sequence[Service], *, origin: str, actor: User | None) -> None:
    """Every step of a package keeps its own service's audience (staff may book any)."""
    if origin == Appointment.Origin.STAFF:
        return
    for step_service in steps:
        if not selectors.may_book(service=step_service, user=actor):
            raise ServiceError(
                _(
                    "This package includes “%(service)s”, which only existing clients or "
                    "invited people can book. Please sign in or contact us."
                )
                % {"service": step_service.name}
            )


def _first_step_candidates(service: Service, candidates: list[int]) -> list[int]:
    """A package's first step goes to someone who offers that step's own service."""
    steps = list(service.steps.all())
    if not steps:
        return candidates
    offering = {m.pk for m in selectors.step_staff(steps[0].service)}
    kept = [c for c in candidates if c in offering]
    if not kept:
        raise SlotInvalid(_("This time is not available. Please pick one of the times shown."))
    return kept


def appointment_book(
    *,
    service: Service,
    start_at: dt.datetime,
    staff: User | None = None,
    booker: BookerData | None = None,
    contact: Contact | None = None,
    matter: Matter | None = None,
    time_zone: str = "UTC",
    actor: User | None = None,
    meta: RequestMeta | None = None,
    now: dt.datetime | None = None,
    origin: str | None = None,
    expected_plan: str | None = None,
    steps_apply: bool = True,
    staff_reason: str | None = None,
    invitation: str = "",
) -> BookedAppointments:
    """Book a service (all the steps of a package) and send one confirmation.

    A package's steps follow selectors.package_plan: each with someone offering its own
    service, its gap after the previous one, at the first step's time where free. Every
    step's audience applies to whoever books. `expected_plan` (plan_fingerprint) is the
    plan the booker saw: when the steps would now fall elsewhere nothing is booked
    (PlanChanged).

    When a registered booking step applies (scheduling.booking_flow), the appointments are
    HELD instead: they block the time until `now + service.hold_minutes`, nothing is sent
    and no reminder is made until the last step confirms them (booking_step_complete), and
    the result's `next_url` is the first step's. `origin` ("public", "portal", "staff";
    by default from who books) is what the steps decide by. `steps_apply=False` confirms
    at once whatever steps are registered: a booking whose steps were already done (a
    payment that arrived after its hold lapsed takes the same time again).

    `staff_reason` (not None: staff book at the time they typed, the staff booking page)
    lets staff step outside the public rules: any time that overlaps no other appointment,
    and one outside working hours, notice, horizon or the lawyer's busy calendar only with
    a reason, which is stored on the appointment and audited (OutsideRules without it).

    An "invited only" service booked by anyone but staff needs `invitation` (the token of
    a booking invitation or a rebooking link): it is claimed under a lock in the same
    transaction (InvitationRefused when used, expired, withdrawn or for another service),
    and the booking goes to the invited contact (and matter).
    """
    now = now or timezone.now()
    start_at = _utc(start_at)
    if contact is None and booker is None:
        raise ServiceError(_("Who is the appointment for?"))
    origin = _origin(origin, actor=actor, contact=contact)
    steps = list(service.steps.all())
    _check_audience([step.service for step in steps], origin=origin, actor=actor)
    outside: tuple[str, ...] = ()
    reason = ""
    if staff_reason is not None:
        if origin != Appointment.Origin.STAFF or actor is None or not actor.is_firm_staff:
            raise ServiceError(_("Only staff may book outside the usual times."))
        candidates, outside, reason = _staff_candidates(
            service=service,
            first_service=steps[0].service if steps else service,
            start=start_at,
            staff=staff,
            reason=staff_reason,
            now=now,
        )
    else:
        candidates = _check_offered(
            service=service,
            start=start_at,
            staff=staff,
            now=now,
            online=origin != Appointment.Origin.STAFF,
        )
    candidates = _first_step_candidates(service, candidates)
    people = {m.pk: m for m in service.staff.all()}
    if origin != Appointment.Origin.STAFF:
        candidates = _live_check(service=service, start_at=start_at, candidates=candidates)
    with transaction.atomic():
        claimed = None
        if (
            service.audience == Service.Audience.INVITED
            and origin != Appointment.Origin.STAFF
            and steps_apply
        ):
            claimed = invitations.invitation_claim(service=service, token=invitation)
            if contact is None and claimed.invitation is not None:
                contact = claimed.invitation.contact
                matter = matter or claimed.invitation.matter
        if contact is not None:
            person, matched = contact, False
        else:
            person, created = _booker_contact(booker, time_zone)
            matched = not created
        owner_check, details = _owner_check(person, booker=booker, matched=matched)
        if (
            booker is not None
            and booker.sms_consent_text
            and owner_check != Appointment.OwnerCheck.PENDING
        ):
            portal_services.sms_consent_give(
                contact=person,
                phone=booker.phone,
                text=booker.sms_consent_text,
                text_version=booker.sms_consent_version,
                language=booker.language,
                channel="booking",
                meta=meta,
                actor=actor,
            )
        group = uuid.uuid4() if steps else None
        # The terms shown before booking (a package's own), kept on every appointment.
        policy = selectors.policy_snapshot(service)
        booked = BookedAppointments()
        first_service = steps[0].service if steps else service
        for staff_id in _fair_order(candidates, now=now):
            start, end, b_start, b_end = _blocked(first_service, start_at)
            appointment = _insert(
                staff_id=staff_id,
                blocked_start=b_start,
                blocked_end=b_end,
                now=now,
                service=first_service,
                contact=person,
                matter=matter,
                start_at=start,
                end_at=end,
                time_zone=time_zone,
                booking_group=group,
                package=service if steps else None,
                booked_by=actor,
                origin=origin,
                policy_snapshot=policy,
                owner_check=owner_check,
                booker_details=details,
                outside_rules=list(outside),
                outside_rules_reason=reason,
            )
            if appointment is not None:
                booked.append(appointment)
                break
        if not booked:
            if staff_reason is not None and staff is not None:
                conflict = selectors.staff_time_check(
                    service=first_service, staff=staff, start=start_at, now=now
                ).conflict
                if conflict is not None:
                    raise SlotTaken(overlap_message(conflict, staff=staff))
            raise SlotTaken(_("This time was just taken. Please choose another time."))
        if steps:
            plan = selectors.package_plan(
                package=service,
                first_start=booked[0].start_at,
                first_staff=people[booked[0].staff_id],
                now=now,
                online=origin != Appointment.Origin.STAFF,
            )
            if plan is None:
                raise SlotInvalid(
                    _(
                        "We could not find times for every part of this package. "
                        "Please pick a later start or call us."
                    )
                )
            if expected_plan is not None and selectors.plan_fingerprint(plan) != expected_plan:
                raise PlanChanged(
                    _(
                        "The times of this package's later appointments changed meanwhile. "
                        "Please check them again before you confirm."
                    )
                )
            for planned in plan[1:]:
                s, e, bs, be = _blocked(planned.service, planned.start)
                appointment = _insert(
                    staff_id=planned.staff.pk,
                    blocked_start=bs,
                    blocked_end=be,
                    now=now,
                    service=planned.service,
                    contact=person,
                    matter=matter,
                    start_at=s,
                    end_at=e,
                    time_zone=time_zone,
                    booking_group=group,
                    package=service,
                    booked_by=actor,
                    origin=origin,
                    policy_snapshot=policy,
                    owner_check=owner_check,
                    booker_details=details,
                )
                if appointment is None:
                    raise SlotTaken(_("This time was just taken. Please choose another time."))
                booked.append(appointment)
        if claimed is not None and claimed.invitation is not None:
            invitations.invitation_mark_used(
                claimed.invitation, appointment=booked[0], actor=actor, meta=meta
            )
        context = booking_context(booked, token=booked[0].manage_token)
        pending = booking_flow.steps_that_apply(context) if steps_apply else ()
        if pending:
            _hold(booked, service=service, pending=pending, now=now, actor=actor, meta=meta)
            booked.next_url = pending[0].url(context)
            return booked
        data: dict[str, Any] = {"service": service.slug, "start": start_at.isoformat()}
        if outside:
            data |= {"outside_rules": list(outside), "reason": reason}
        _confirm(booked, actor=actor, meta=meta, data=data)
    return booked


def _hold(
    booked: Sequence[Appointment],
    *,
    service: Service,
    pending: Sequence[booking_flow.BookingStep],
    now: dt.datetime,
    actor: User | None,
    meta: RequestMeta | None,
) -> None:
    """Turn just-inserted appointments into a held booking (still blocking the time)."""
    expires = now + dt.timedelta(minutes=service.hold_minutes)
    keys = [step.key for step in pending]
    for appointment in booked:
        appointment.status = Appointment.Status.HELD
        appointment.hold_started_at = now
        appointment.hold_expires_at = expires
        appointment.pending_steps = keys
        appointment.done_steps = []
        appointment.save(
            update_fields=[
                "status",
                "hold_started_at",
                "hold_expires_at",
                "pending_steps",
                "done_steps",
            ]
        )
        audit_record(
            action=SchedulingAction.APPOINTMENT_HELD,
            actor=actor,
            meta=meta,
            matter_id=appointment.matter_id,
            obj=appointment,
            data={
                "service": appointment.service.slug,
                "start": appointment.start_at.isoformat(),
                "until": expires.isoformat(),
                "steps": keys,
            },
        )
    first = booked[0]
    events.publish(
        AppointmentHeld(
            booking_ref=first.booking_ref,
            appointment_ids=tuple(a.pk for a in booked),
            contact_id=first.contact_id,
            service_ids=tuple(a.service_id for a in booked),
        )
    )


def _confirm(
    booked: Sequence[Appointment],
    *,
    actor: User | None,
    meta: RequestMeta | None,
    data: dict[str, Any],
    from_hold: bool = False,
) -> None:
    """A booking is made: the event, an audit row each, the confirmation and reminders.

    A held booking confirmed by its last step is booked by whoever made it, not by
    whoever (often nobody: a payment webhook) finished the step.
    """
    pending_owner = booked[0].owner_check == Appointment.OwnerCheck.PENDING
    if not pending_owner:
        # For the contact only once the owner of the email confirmed it (booking_owner_answer).
        _publish_booked(booked, actor=None if from_hold else actor)
    for appointment in booked:
        audit_record(
            action=SchedulingAction.APPOINTMENT_BOOKED,
            actor=actor,
            meta=meta,
            matter_id=appointment.matter_id,
            obj=appointment,
            data=data,
        )
    if pending_owner:
        # Not the confirmation: the owner of the address is asked first (no reminders yet).
        for appointment in booked:
            reminders.appointment_reminders_sync(appointment=appointment)
        reminders.owner_check_notify(appointments=booked)
        return
    _notify(changed=booked, notify=booked, event="booked")


def booking_step_complete(
    *,
    token: str,
    step_key: str,
    actor: User | None = None,
    meta: RequestMeta | None = None,
) -> str:
    """A step of a held booking is done: the URL of the next one, or, after the last,
    the booking is confirmed (HELD → BOOKED for every appointment of it, one confirmation,
    the reminders and AppointmentBooked) and the URL is the booking's page.

    Works while the booking is HELD even past `hold_expires_at` (the time is still ours
    until the sweep or another booker takes it back); raises HoldLapsed once the hold
    expired or was released. Completing a step again, or completing one of a booking that
    is already confirmed, changes nothing and answers the same URL.
    """
    with transaction.atomic():
        rows = holds.booking_lock(token=token)
        first = rows[0]
        detail = absolute_url(
            reverse("scheduling:booking-detail", kwargs={"token": first.manage_token})
        )
        if first.status in (Appointment.Status.EXPIRED, Appointment.Status.CANCELLED):
            raise holds.HoldLapsed(
                _("The time you picked was released. Please choose a time again to book.")
            )
        if first.status != Appointment.Status.HELD:
            return detail
        pending = [key for key in first.pending_steps or () if key != step_key]
        done = list(first.done_steps or ())
        if step_key not in (first.pending_steps or ()):
            if step_key not in done:
                raise ServiceError(_("This step is not part of the booking."))
        else:
            done.append(step_key)
        ids = [a.pk for a in rows]
        context = booking_context(rows, token=first.manage_token)
        remaining = [s for s in (booking_flow.step_get(k) for k in pending) if s is not None]
        if remaining:
            Appointment.objects.filter(pk__in=ids, status=Appointment.Status.HELD).update(
                pending_steps=pending, done_steps=done
            )
            if done != list(first.done_steps or ()):
                for appointment in rows:
                    audit_record(
                        action=SchedulingAction.APPOINTMENT_STEP_DONE,
                        actor=actor,
                        meta=meta,
                        matter_id=appointment.matter_id,
                        obj=appointment,
                        data={"booking": first.booking_ref, "step": step_key},
                    )
            return remaining[0].url(context)
        Appointment.objects.filter(pk__in=ids, status=Appointment.Status.HELD).update(
            status=Appointment.Status.BOOKED, pending_steps=[], done_steps=done
        )
        for appointment in rows:
            appointment.status = Appointment.Status.BOOKED
            appointment.pending_steps = []
            appointment.done_steps = done
        _confirm(
            rows,
            actor=actor,
            meta=meta,
            data={"booking": first.booking_ref, "step": step_key},
            from_hold=True,
        )
    return detail


def booking_owner_answer(
    *, token: str, confirmed: bool, meta: RequestMeta | None = None
) -> list[Appointment]:
    """The owner of the email a public booking was made with answers the link we sent.

    Confirmed: the booking joins their portal, its confirmation and reminders go out, and
    the SMS consent the booker ticked is recorded (for the number on file only). Declined
    ("this was not me"): the booking is cancelled and its time freed, with no message to
    anyone (nothing was announced for it: AppointmentBooked waits for the confirmation). Answering again changes nothing; a cancelled or past booking cannot be answered.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = selectors.owner_check_rows(token=token, lock=True)
        pending = [r for r in rows if r.owner_check == Appointment.OwnerCheck.PENDING]
        if not pending:
            return rows
        if any(r.status != Appointment.Status.BOOKED or r.end_at <= now for r in pending):
            raise ServiceError(_("This booking can no longer be confirmed or declined."))
        if any(selectors.owner_check_deadline(r) <= now for r in pending):
            # Past its deadline (the sweep had not run yet): it lapses now, as it would have.
            owner_checks.owner_check_lapse(pending, now=now)
            return rows
        answer = Appointment.OwnerCheck.CONFIRMED if confirmed else Appointment.OwnerCheck.DECLINED
        for row in pending:
            row.owner_check = answer
            fields = ["owner_check"]
            if not confirmed:
                row.status = Appointment.Status.CANCELLED
                row.cancelled_at = now
                row.sequence += 1
                fields += ["status", "cancelled_at", "sequence"]
            row.save(update_fields=fields)
            audit_record(
                action=SchedulingAction.APPOINTMENT_OWNER_CONFIRMED
                if confirmed
                else SchedulingAction.APPOINTMENT_OWNER_DECLINED,
                meta=meta,
                matter_id=row.matter_id,
                obj=row,
                data={"booking": row.booking_ref},
            )
        first = pending[0]
        details = first.booker_details or {}
        if not confirmed:
            # AppointmentBooked was never published for it, so nothing follows up.
            for row in pending:
                reminders.appointment_reminders_sync(appointment=row)
            return rows
        if details.get("sms_consent_text"):
            portal_services.sms_consent_give(
                contact=first.contact,
                phone=str(details.get("phone") or ""),
                text=str(details["sms_consent_text"]),
                text_version=str(details.get("sms_consent_version") or ""),
                language=str(details.get("language") or "en"),
                channel="booking",
                meta=meta,
            )
        _publish_booked(pending, actor=None)
        _notify(changed=pending, notify=pending, event="booked")
    return rows


def appointment_reschedule(
    *,
    appointment: Appointment,
    start_at: dt.datetime,
    staff: User | None = None,
    actor: User | None = None,
    meta: RequestMeta | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move a booking: the old row becomes "rescheduled", the new one replaces it."""
    now = now or timezone.now()
    start_at = _utc(start_at)
    service = appointment.service
    staff = staff or appointment.staff
    candidates = _check_offered(
        service=service,
        start=start_at,
        staff=staff,
        now=now,
        exclude=[appointment.pk],
        latest=selectors.reschedule_latest(appointment=appointment, now=now),
        online=actor is None or not actor.is_firm_staff,
    )
    _check_package_order(appointment, start_at)
    with transaction.atomic():
        old = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if old.status != Appointment.Status.BOOKED:
            raise ServiceError(_("This appointment can no longer be changed."))
        old.status = Appointment.Status.RESCHEDULED
        old.save(update_fields=["status"])
        new = None
        for staff_id in candidates:
            new = _insert_moved(
                old, service=service, start=start_at, staff_id=staff_id, actor=actor, now=now
            )
            if new is not None:
                break
        if new is None:
            raise SlotTaken(_("This time was just taken. Please choose another time."))
        _moved_announce([(old, new)], actor=actor, meta=meta)
    return new


def _insert_moved(
    old: Appointment,
    *,
    service: Service,
    start: dt.datetime,
    staff_id: int,
    actor: User | None,
    now: dt.datetime,
) -> Appointment | None:
    """The row replacing a moved one (None when the time overlaps another booking)."""
    s, e, bs, be = _blocked(service, start)
    return _insert(
        staff_id=staff_id,
        blocked_start=bs,
        blocked_end=be,
        service=service,
        contact_id=old.contact_id,
        matter_id=old.matter_id,
        start_at=s,
        end_at=e,
        time_zone=old.time_zone,
        booking_group=old.booking_group,
        package_id=old.package_id,
        series=old.series,
        replaces=old,
        uid=old.uid,
        sequence=old.sequence + 1,
        booked_by=actor,
        origin=old.origin,
        owner_check=old.owner_check,
        booker_details=old.booker_details,
        now=now,
        # The terms and the payment follow the booking to its new time.
        policy_snapshot=old.policy_snapshot,
    )


def _moved_announce(
    pairs: Sequence[tuple[Appointment, Appointment]],
    *,
    actor: User | None,
    meta: RequestMeta | None,
) -> None:
    """Audit each move, one message to the client for all of them, an event each."""
    for old, new in pairs:
        audit_record(
            action=SchedulingAction.APPOINTMENT_RESCHEDULED,
            actor=actor,
            meta=meta,
            matter_id=old.matter_id,
            obj=new,
            data={
                "from": old.start_at.isoformat(),
                "to": new.start_at.isoformat(),
                "replaces": str(old.pk),
            },
        )
    _notify(
        changed=[row for pair in pairs for row in pair],
        notify=[new for _old, new in pairs],
        event="rescheduled",
    )
    for old, new in pairs:
        events.publish(
            AppointmentRescheduled(
                old_appointment_id=old.pk,
                new_appointment_id=new.pk,
                contact_id=old.contact_id,
                matter_id=old.matter_id,
            )
        )


class PackageCannotMove(SlotInvalid):
    """A later step of the package finds no time after the moved one: nothing moves."""


def package_cannot_move_text() -> str:
    return _(
        "The later appointments of this package find no free time after this one, "
        "so nothing was moved. Please pick an earlier time or contact us."
    )


def package_reschedule(
    *,
    appointment: Appointment,
    start_at: dt.datetime,
    expected: str | None,
    actor: User | None = None,
    meta: RequestMeta | None = None,
    now: dt.datetime | None = None,
) -> list[Appointment]:
    """Move a package step to a time after the next step, moving the later steps along
    (selectors.package_move_plan: each its gap after the previous, with its person where
    free). `expected` is the plan the person saw (move_fingerprint): when it would now be
    different nothing moves (PlanChanged). All or nothing, in one transaction: when a
    later step cannot move, nothing moves (PackageCannotMove, SlotTaken).
    """
    now = now or timezone.now()
    start_at = _utc(start_at)
    service = appointment.service
    online = actor is None or not actor.is_firm_staff
    bounds = selectors.package_step_bounds(appointment=appointment)
    if bounds is None:
        raise ServiceError(_("This appointment is not part of a package."))
    if bounds.earliest is not None and start_at < bounds.earliest:
        raise SlotInvalid(
            _(
                "This time would change the order of your package's appointments. "
                "Please pick one of the times shown."
            )
        )
    _check_offered(
        service=service,
        start=start_at,
        staff=appointment.staff,
        now=now,
        exclude=[appointment.pk],
        latest=selectors.reschedule_latest(appointment=appointment, now=now),
        online=online,
    )
    moves = selectors.package_move_plan(
        appointment=appointment, start=start_at, now=now, online=online
    )
    if moves is None:
        raise PackageCannotMove(package_cannot_move_text())
    if expected is not None and selectors.move_fingerprint(moves) != expected:
        raise PlanChanged(
            _(
                "The times of this package's later appointments changed meanwhile. "
                "Please check them again before you confirm."
            )
        )
    with transaction.atomic():
        ids = [m.appointment.pk for m in moves]
        locked = {a.pk: a for a in Appointment.objects.select_for_update().filter(pk__in=ids)}
        if len(locked) != len(ids) or any(
            a.status != Appointment.Status.BOOKED for a in locked.values()
        ):
            raise ServiceError(_("This appointment can no longer be changed."))
        # Every moving row stops blocking first, so the steps may swap places.
        Appointment.objects.filter(pk__in=ids).update(status=Appointment.Status.RESCHEDULED)
        pairs: list[tuple[Appointment, Appointment]] = []
        for move in moves:
            old = locked[move.appointment.pk]
            old.status = Appointment.Status.RESCHEDULED
            new = _insert_moved(
                old,
                service=move.to.service,
                start=move.to.start,
                staff_id=move.to.staff.pk,
                actor=actor,
                now=now,
            )
            if new is None:
                # The transaction rolls back: every step keeps its time.
                raise SlotTaken(
                    _(
                        "One of these times was just taken, so nothing was moved. "
                        "Please choose a time again."
                    )
                )
            pairs.append((old, new))
        _moved_announce(pairs, actor=actor, meta=meta)
    return [new for _old, new in pairs]


def _check_package_order(appointment: Appointment, start_at: dt.datetime) -> None:
    """A package step moves only to a time that keeps the steps' order and gaps."""
    bounds = selectors.package_step_bounds(appointment=appointment)
    if bounds is None:
        return
    end = start_at + dt.timedelta(minutes=appointment.service.duration_minutes)
    if not bounds.allows(start_at, end):
        raise SlotInvalid(
            _(
                "This time would change the order of your package's appointments. "
                "Please pick one of the times shown."
            )
        )


def cancellation_fee(*, appointment: Appointment, now: dt.datetime | None = None) -> Decimal:
    """The fee a client pays when cancelling now (0 outside the deadline): the terms the
    client accepted when booking (policy_snapshot), else the service's current ones."""
    now = now or timezone.now()
    hours, fee = selectors.policy_cancellation(appointment)
    deadline = appointment.start_at - dt.timedelta(hours=hours)
    return fee if now >= deadline else Decimal("0")


def appointment_cancel(
    *,
    appointment: Appointment,
    actor: User | None = None,
    meta: RequestMeta | None = None,
    by_client: bool = True,
    now: dt.datetime | None = None,
) -> Appointment:
    now = now or timezone.now()
    with transaction.atomic():
        row = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if row.status == Appointment.Status.HELD:
            # Nothing was confirmed, so nothing is cancelled: the hold is released.
            raise ServiceError(
                _(
                    "This booking is not finished yet, so there is nothing to cancel. Release the time instead."
                )
            )
        if not row.can_move_to(Appointment.Status.CANCELLED):
            raise ServiceError(_("This appointment can no longer be changed."))
        row.status = Appointment.Status.CANCELLED
        row.cancelled_at = now
        row.cancellation_fee = (
            cancellation_fee(appointment=appointment, now=now) if by_client else Decimal("0")
        )
        row.sequence += 1
        row.save(update_fields=["status", "cancelled_at", "cancellation_fee", "sequence"])
        audit_record(
            action=SchedulingAction.APPOINTMENT_CANCELLED,
            actor=actor,
            meta=meta,
            matter_id=row.matter_id,
            obj=row,
            data={"fee": str(row.cancellation_fee), "by_client": by_client},
        )
        _notify(changed=[row], notify=[row], event="cancelled")
        events.publish(
            AppointmentCancelled(
                appointment_id=row.pk,
                contact_id=row.contact_id,
                matter_id=row.matter_id,
                by_client=by_client,
                fee=row.cancellation_fee,
            )
        )
    return row


def appointment_mark(
    *, appointment: Appointment, status: str, actor: User, meta: RequestMeta | None = None
) -> Appointment:
    """Staff mark attended or no-show; a no-show gets a rebooking link."""
    if status not in (Appointment.Status.ATTENDED, Appointment.Status.NO_SHOW):
        raise ServiceError(_("Unknown status."))
    with transaction.atomic():
        row = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not row.can_move_to(status):
            raise ServiceError(_("This appointment can no longer be changed."))
        if row.start_at > timezone.now():
            raise ServiceError(_("The appointment has not started yet."))
        row.status = status
        row.save(update_fields=["status"])
        audit_record(
            action=MARK_ACTIONS[status], actor=actor, meta=meta, matter_id=row.matter_id, obj=row
        )
        _notify(
            changed=[row],
            notify=[row] if status == Appointment.Status.NO_SHOW else [],
            event="no_show",
        )
        events.publish(
            AppointmentMarked(
                appointment_id=row.pk,
                contact_id=row.contact_id,
                matter_id=row.matter_id,
                status=status,
            )
        )
    return row


class SeriesChanged(SlotTaken):
    """The free times changed since staff saw the proposed dates (409)."""


def recurring_book(
    *,
    service: Service,
    staff: User,
    contact: Contact,
    matter: Matter | None,
    first_start: dt.datetime,
    count: int,
    actor: User,
    meta: RequestMeta | None = None,
    expected: Sequence[dt.datetime] | None = None,
) -> list[Appointment]:
    """Monthly check-ins, each at the nearest free time of the staff member around the
    same day and wall-clock time (selectors.series_proposal); each one stands alone.

    `expected` is what staff saw and confirmed: when the proposal is no longer exactly
    that, nothing is booked (SeriesChanged) and they look again.
    """
    if not 1 <= count <= selectors.MAX_OCCURRENCES:
        raise ServiceError(
            _("Choose between 1 and %(max)d occurrences.") % {"max": selectors.MAX_OCCURRENCES}
        )
    if not timezone.now() <= _utc(first_start) <= timezone.now() + dt.timedelta(days=366 * 3):
        raise SlotInvalid(_("Choose a start within the next three years."))
    if staff.pk not in {m.pk for m in service.offering_staff()}:
        raise SlotInvalid(_("This lawyer does not offer this service."))
    series = uuid.uuid4()
    with transaction.atomic():
        proposal = selectors.series_proposal(
            service=service, staff=staff, first_start=first_start, count=count
        )
        missing = [o for o in proposal if o.start is None]
        if missing:
            zone = ZoneInfo(staff.time_zone or selectors.firm_time_zone())
            raise SlotInvalid(
                _("There is no free time near %(when)s; nothing was booked.")
                % {"when": format_long_date(missing[0].aimed, zone=zone)}
            )
        starts = selectors.series_starts(proposal)
        if expected is not None and [_utc(e) for e in expected] != starts:
            raise SeriesChanged(
                _("The free times changed since you looked. Check the new dates and confirm again.")
            )
        booked: list[Appointment] = []
        for start in starts:
            s, e, bs, be = _blocked(service, start)
            appointment = _insert(
                staff_id=staff.pk,
                blocked_start=bs,
                blocked_end=be,
                service=service,
                contact=contact,
                matter=matter,
                start_at=s,
                end_at=e,
                time_zone=contact.time_zone,
                series=series,
                booked_by=actor,
                origin=Appointment.Origin.STAFF,
                policy_snapshot=selectors.policy_snapshot(service),
            )
            if appointment is None:
                raise SlotTaken(_("One of these times was just taken; nothing was booked."))
            booked.append(appointment)
        audit_record(
            action=SchedulingAction.APPOINTMENT_BOOKED,
            actor=actor,
            meta=meta,
            matter_id=matter.pk if matter else None,
            obj=booked[0],
            data={"series": str(series), "count": len(booked)},
        )
        _publish_booked(booked, actor=actor)
        _notify(changed=booked, notify=booked, event="booked")
    return booked
