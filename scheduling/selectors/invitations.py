"""Booking invitations: whether a link still books, and the staff lists of them.

Two kinds of token reach the booking page as ``?invite=``: a personal invitation staff
sent (random, looked up by its SHA-256) and a rebooking link of a cancelled or missed
appointment of an invited-only service (signed, bound to that appointment). Either books
once: its use is recorded as a BookingInvitation row claimed inside the booking
transaction (scheduling.services.invitations).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduling.models import Appointment, BookingInvitation, Service

if TYPE_CHECKING:
    from portal.models import Contact, Matter

REBOOK_SALT = "scheduling.rebook"
# A rebooking link works this long after the appointment it rebooks was made.
REBOOK_MAX_AGE = 60 * 60 * 24 * 60
# The statuses after which an appointment may be rebooked with its link.
REBOOKABLE = (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW, Appointment.Status.EXPIRED)


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rebook_token(*, appointment: Appointment) -> str:
    return signing.dumps({"a": str(appointment.pk)}, salt=REBOOK_SALT)


@dataclass(frozen=True)
class InvitationCheck:
    """What a token is worth for one service: `state` is "ok", "unknown", "used",
    "expired", "revoked" or "other_service"; `invitation` the row (staff invitations and
    rebooking links already used), `appointment` the appointment a rebooking link rebooks."""

    state: str
    invitation: BookingInvitation | None = None
    appointment: Appointment | None = None

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    @property
    def message(self) -> str:
        return {
            "used": _("This invitation was already used to book an appointment."),
            "expired": _("This invitation has expired."),
            "revoked": _("This invitation was withdrawn by the firm."),
            "other_service": _("This invitation is for another service."),
        }.get(self.state, _("This invitation link is not valid."))


def _lapsed_booking(appointment: Appointment | None) -> bool:
    """The booking made with it never finished (its hold lapsed or was released)."""
    if appointment is None:
        return False  # used, and its appointment since deleted: still used
    return appointment.status == Appointment.Status.EXPIRED or (
        appointment.status == Appointment.Status.CANCELLED and bool(appointment.pending_steps)
    )


def _row_state(row: BookingInvitation, service: Service, now: Any) -> str:
    if row.service_id != service.pk:
        return "other_service"
    if row.revoked_at is not None:
        return "revoked"
    if row.used_at is not None and not _lapsed_booking(row.used_by_appointment):
        return "used"
    if row.origin == BookingInvitation.Origin.STAFF and row.expires_at <= now:
        return "expired"
    return "ok"


def invitation_check(*, service: Service, token: str, lock: bool = False) -> InvitationCheck:
    """Whether `token` lets its holder book `service` now (with `lock`, the invitation row
    is locked: call it inside the booking transaction)."""
    token = str(token or "")
    if not token or len(token) > 300:
        return InvitationCheck("unknown")
    now = timezone.now()
    # Under the lock the appointment is read afterwards, by its own query: a row joined
    # into the locking statement would come from before the lock wait (READ COMMITTED), so
    # a booking made meanwhile by whoever held the lock would be missed.
    rows = (
        BookingInvitation.objects.select_for_update()
        if lock
        else BookingInvitation.objects.select_related("used_by_appointment")
    )
    row = rows.filter(token_hash=invitation_token_hash(token)).first()
    if ":" not in token:
        if row is None:
            return InvitationCheck("unknown")
        return InvitationCheck(_row_state(row, service, now), invitation=row)
    # A rebooking link: signed, bound to one appointment of this service.
    try:
        data = signing.loads(token, salt=REBOOK_SALT, max_age=REBOOK_MAX_AGE)
        appointment_id = uuid.UUID(str(data.get("a")))
    except (signing.BadSignature, ValueError, TypeError, AttributeError):
        return InvitationCheck("unknown")
    original = (
        Appointment.objects.select_related("contact", "matter").filter(pk=appointment_id).first()
    )
    if original is None:
        return InvitationCheck("unknown")
    if service.pk not in (original.service_id, original.package_id):
        return InvitationCheck("other_service")
    if row is not None:
        return InvitationCheck(_row_state(row, service, now), invitation=row, appointment=original)
    if original.status not in REBOOKABLE:
        return InvitationCheck("used", appointment=original)
    return InvitationCheck("ok", appointment=original)


def invitation_valid(*, service: Service, token: str) -> bool:
    return invitation_check(service=service, token=token).ok


def invitation_problem(*, slug: str, token: str) -> InvitationCheck | None:
    """For a booking page refused with an invitation: why (None when the service itself
    is unknown or not invited-only, where the page is simply not found)."""
    service = Service.objects.filter(is_active=True, slug=str(slug)[:80]).first()
    if service is None or service.audience != Service.Audience.INVITED or not token:
        return None
    check = invitation_check(service=service, token=token)
    return None if check.ok else check


def invited_services() -> QuerySet[Service]:
    """The active invited-only services staff may send an invitation for."""
    return Service.objects.filter(is_active=True, audience=Service.Audience.INVITED).order_by(
        "position", "name"
    )


def invitations_for_staff(
    *, user: Any, contact: Contact | None = None, matter: Matter | None = None
) -> list[BookingInvitation]:
    """A contact's (or a matter's) booking invitations sent by staff, newest first."""
    if not getattr(user, "is_firm_staff", False):
        raise Http404
    rows = BookingInvitation.objects.filter(origin=BookingInvitation.Origin.STAFF).select_related(
        "service", "created_by", "used_by_appointment"
    )
    if contact is not None:
        rows = rows.filter(contact=contact)
    if matter is not None:
        rows = rows.filter(matter=matter)
    return list(rows[:50])


def invitation_get_for_staff(*, user: Any, invitation_id: Any) -> BookingInvitation:
    if not getattr(user, "is_firm_staff", False):
        raise Http404
    try:
        pk = uuid.UUID(str(invitation_id))
    except ValueError as exc:
        raise Http404 from exc
    row = BookingInvitation.objects.select_related("contact", "service").filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def invitation_status(row: BookingInvitation) -> str:
    """For the staff list: "open", "sending", "used", "expired" or "revoked"."""
    if row.revoked_at is not None:
        return "revoked"
    if row.used_at is not None and not _lapsed_booking(row.used_by_appointment):
        return "used"
    if row.expires_at <= timezone.now():
        return "expired"
    return "open" if row.sent_at else "sending"
