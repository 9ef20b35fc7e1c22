"""A staff contact page lists the person's appointments (portal.contact_sections)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from portal.contact_sections import LIMIT, ContactRow
from scheduling.models import Appointment
from scheduling.selectors import appointments_visible_to, booking_code

if TYPE_CHECKING:
    from portal.models import Contact, User

# Expired holds and the replaced halves of a reschedule are noise on a person's history.
_HIDDEN = (Appointment.Status.EXPIRED, Appointment.Status.RESCHEDULED)


def appointments_of_contact(user: User, contact: Contact) -> tuple[list[ContactRow], str]:
    """The contact's appointments this staff member may see, latest start first; one query."""
    found = (
        appointments_visible_to(user)
        .filter(contact=contact)
        .exclude(status__in=_HIDDEN)
        .select_related("service", "staff")
        .order_by("-start_at")[: LIMIT + 1]
    )
    rows = [
        ContactRow(
            title=f"{date_format(timezone.localtime(a.start_at), 'SHORT_DATETIME_FORMAT')}"
            f" · {a.service.name}",
            detail=f"{a.get_status_display()} · {a.staff} · {booking_code(a.booking_ref)}",
            url=reverse("scheduling:staff-appointment", args=[a.pk]),
        )
        for a in found
    ]
    return rows, ""
