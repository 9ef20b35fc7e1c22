"""Appointments as clients, manage links and staff may see them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.http import uuid_or_404
from portal import selectors as portal_selectors
from scheduling.models import Appointment, ExternalCalendar, Reminder

if TYPE_CHECKING:
    from portal.models import User


def _appointment_qs() -> QuerySet[Appointment]:
    return Appointment.objects.select_related("service", "staff", "contact", "matter", "replaces")


def appointment_by_token(
    *, token: str, for_change: bool = False, now: dt.datetime | None = None
) -> Appointment:
    """The one booking a manage link opens; expired, replaced or unknown links get 404."""
    now = now or timezone.now()
    if not token or len(token) > 64:
        raise Http404
    appointment = _appointment_qs().filter(manage_token=token).first()
    if appointment is None:
        raise Http404
    # A moved appointment's old link still says where the booking went (its own time may
    # be over while the new one is not).
    if appointment.status != Appointment.Status.RESCHEDULED and appointment.end_at <= now:
        raise Http404
    if for_change and appointment.status != Appointment.Status.BOOKED:
        raise Http404
    return appointment


def appointment_current(*, appointment: Appointment) -> Appointment:
    """What a moved appointment became: the end of its chain of replacements (bounded)."""
    current = appointment
    for _hop in range(50):
        if current.status != Appointment.Status.RESCHEDULED:
            break
        following = _appointment_qs().filter(replaces=current).first()
        if following is None:
            break
        current = following
    return current


def appointments_current_by_ids(*, ids: Any) -> dict[Any, Appointment]:
    """For each id, what that appointment is now (following reschedules); unknown ids are
    left out. For the apps above acting for the firm (no access check)."""
    found = {a.pk: a for a in _appointment_qs().filter(pk__in=list(ids))}
    return {pk: appointment_current(appointment=a) for pk, a in found.items()}


def appointments_for_client(*, user: Any) -> tuple[list[Appointment], list[Appointment]]:
    """Upcoming and past appointments of a signed-in client (their own contact only)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_client:
        return [], []
    now = timezone.now()
    rows = list(
        _appointment_qs()
        # The contact through its user in the same query (no separate contact lookup).
        .filter(contact__user=user)
        .exclude(status=Appointment.Status.RESCHEDULED)
        # Unfinished bookings are not appointments yet; one given back never was one.
        .exclude(status__in=(Appointment.Status.HELD, Appointment.Status.EXPIRED))
        .exclude(Q(status=Appointment.Status.CANCELLED) & ~Q(pending_steps=[]))
        # Booked on the public page with this client's email: not theirs until they
        # confirm it from the email (and never, once they said it was not them).
        .exclude(owner_check__in=(Appointment.OwnerCheck.PENDING, Appointment.OwnerCheck.DECLINED))
        .order_by("start_at")[:200]
    )
    upcoming = [a for a in rows if a.end_at > now and a.status == Appointment.Status.BOOKED]
    past = [a for a in rows if a not in upcoming][-20:][::-1]
    return upcoming, past


def appointments_visible_to(user: User) -> QuerySet[Appointment]:
    """The staff access policy for appointments: firm admins see every appointment; other
    staff see their own and those of the matters they may open; nobody else sees any."""
    if not user.is_firm_staff:
        return Appointment.objects.none()
    if user.is_firm_admin:
        return Appointment.objects.all()
    return Appointment.objects.filter(
        Q(staff=user) | Q(matter__in=portal_selectors.matters_visible_to(user).values("pk"))
    )


def appointment_get_for_staff(*, user: User, appointment_id: Any) -> Appointment:
    """One appointment for the staff pages; 404 unless the policy above lets them see it."""
    appointment = (
        _appointment_qs()
        .filter(pk__in=appointments_visible_to(user).values("pk"))
        .filter(pk=uuid_or_404(appointment_id))
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


def appointments_by_ids(*, ids: Any) -> list[Appointment]:
    """These appointments with their service, package and contact, earliest first (for
    the apps above that keep an appointment id, such as a paid booking's request)."""
    return list(
        Appointment.objects.select_related("service", "package", "staff", "contact")
        .filter(pk__in=list(ids))
        .order_by("start_at")
    )


def appointment_history(*, appointment: Appointment) -> list[Appointment]:
    """The chain of appointments this one replaced, newest first (bounded)."""
    chain: list[Appointment] = []
    current = appointment.replaces
    while current is not None and len(chain) < 50:
        chain.append(current)
        current = current.replaces
    return chain


def appointments_for_staff_range(
    *, staff: User, start: dt.datetime, end: dt.datetime, viewer: User
) -> list[Appointment]:
    """A staff member's calendar between two instants, as `viewer` may see it.

    An appointment the viewer may not open is kept (the time is taken) but marked
    `hidden`, and the page shows it as busy without client or service.
    """
    rows = list(
        _appointment_qs()
        .filter(
            staff=staff,
            start_at__lt=end,
            end_at__gt=start,
        )
        .exclude(status__in=(Appointment.Status.RESCHEDULED, Appointment.Status.EXPIRED))
        .order_by("start_at")
    )
    visible = {a.pk for a in rows}
    if rows and viewer.pk != staff.pk and not viewer.is_firm_admin:
        visible = set(
            appointments_visible_to(viewer).filter(pk__in=visible).values_list("pk", flat=True)
        )
    for appointment in rows:
        appointment.hidden = appointment.pk not in visible  # type: ignore[attr-defined]  # for the page only
    return rows


def external_calendars_for(*, staff: User) -> list[ExternalCalendar]:
    return list(ExternalCalendar.objects.filter(staff=staff))


def reminders_for_appointment(*, appointment: Appointment) -> list[Reminder]:
    """Every reminder of one appointment with its state and reason, for staff pages."""
    return list(Reminder.objects.filter(appointment=appointment).order_by("due_at", "channel"))


def consultation_appointments(*, ids: Any) -> list[Appointment]:
    """The appointments among `ids` whose service counts as a consultation (for the lead
    pipeline of the apps above; no access check: callers act for the firm)."""
    return list(
        Appointment.objects.select_related("service")
        .filter(pk__in=list(ids), service__is_consultation=True)
        .order_by("start_at")
    )


def contact_has_booked_consultation(*, contact_id: Any, now: dt.datetime | None = None) -> bool:
    """Whether the contact still has a booked consultation ahead."""
    now = now or timezone.now()
    return Appointment.objects.filter(
        contact_id=contact_id,
        service__is_consultation=True,
        status=Appointment.Status.BOOKED,
        end_at__gt=now,
    ).exists()
