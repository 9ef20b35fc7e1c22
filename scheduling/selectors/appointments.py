"""Appointments as clients, manage links and staff may see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from portal.models import User
from scheduling.models import (
    Appointment,
    ExternalCalendar,
)
from scheduling.selectors.catalogue import contact_for_user


def _appointment_qs() -> QuerySet[Appointment]:
    return Appointment.objects.select_related("service", "staff", "contact", "matter",
                                              "replaces")


def appointment_by_token(*, token: str, for_change: bool = False,
                         now: dt.datetime | None = None) -> Appointment:
    """The one booking a manage link opens; expired, replaced or unknown links get 404."""
    now = now or timezone.now()
    if not token or len(token) > 64:
        raise Http404
    appointment = _appointment_qs().filter(manage_token=token).first()
    if appointment is None or appointment.end_at <= now:
        raise Http404
    if for_change and appointment.status != Appointment.Status.BOOKED:
        raise Http404
    return appointment


def appointments_for_client(*, user: Any) -> tuple[list[Appointment], list[Appointment]]:
    """Upcoming and past appointments of a signed-in client (their own contact only)."""
    contact = contact_for_user(user)
    if contact is None:
        return [], []
    now = timezone.now()
    rows = list(_appointment_qs().filter(contact=contact).exclude(
        status=Appointment.Status.RESCHEDULED).order_by("start_at")[:200])
    upcoming = [a for a in rows if a.end_at > now and a.status == Appointment.Status.BOOKED]
    past = [a for a in rows if a not in upcoming][-20:][::-1]
    return upcoming, past


def appointment_get_for_staff(*, user: Any, appointment_id: Any) -> Appointment:
    if not getattr(user, "is_firm_staff", False):
        raise Http404
    try:
        return _appointment_qs().get(pk=appointment_id)
    except (Appointment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def appointment_history(*, appointment: Appointment) -> list[Appointment]:
    """The chain of appointments this one replaced, newest first (bounded)."""
    chain: list[Appointment] = []
    current = appointment.replaces
    while current is not None and len(chain) < 50:
        chain.append(current)
        current = current.replaces
    return chain


def appointments_for_staff_range(*, staff: User, start: dt.datetime,
                                 end: dt.datetime) -> list[Appointment]:
    return list(_appointment_qs().filter(
        staff=staff, start_at__lt=end, end_at__gt=start,
    ).exclude(status=Appointment.Status.RESCHEDULED).order_by("start_at"))


def external_calendars_for(*, staff: User) -> list[ExternalCalendar]:
    return list(ExternalCalendar.objects.filter(staff=staff))
