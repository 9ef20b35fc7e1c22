"""Booking invitations: staff send one, withdraw one, and a booking claims one.

The token is random and made by the worker when it sends the email (as portal
invitations are): only its SHA-256 is stored. Booking with it claims the row under a lock
inside the booking transaction (appointment_book), so one invitation books once even when
two people press "Book" together; a booking that fails leaves it unused.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import TYPE_CHECKING, Any

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template import Context, engines
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from core.links import absolute_url
from notifications.channels import email_from
from portal import selectors as portal_selectors
from scheduling import selectors
from scheduling.audit_actions import SchedulingAction
from scheduling.models import Appointment, BookingInvitation, Service

if TYPE_CHECKING:
    from portal.models import Contact, Matter, User

logger = logging.getLogger(__name__)


class InvitationRefused(ServiceError):
    """The invitation cannot book (used, expired, withdrawn, another service)."""


def _render(template_name: str, context: dict[str, object]) -> str:
    template = engines["django"].engine.get_template(template_name)  # type: ignore[attr-defined]  # DjangoTemplates has .engine
    return template.render(Context(context, autoescape=False))


def booking_invitation_create(
    *,
    actor: User,
    service: Service,
    contact: Contact,
    email: str,
    days: int,
    matter: Matter | None = None,
    meta: RequestMeta | None = None,
) -> BookingInvitation:
    """Invite a contact to book an invited-only service; the email goes after commit."""
    if not getattr(actor, "is_firm_staff", False):
        raise ServiceError(_("Only the firm's staff can send booking invitations."))
    if service.audience != Service.Audience.INVITED or not service.is_active:
        raise ServiceError(_("Invitations are only for active “invited only” services."))
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not 1 <= days <= BookingInvitation.MAX_DAYS
    ):
        raise ServiceError(
            _("Choose between 1 and %(max)d days.") % {"max": BookingInvitation.MAX_DAYS}
        )
    email = str(email or "").strip().lower()
    if not email or len(email) > 254:
        raise ServiceError(_("Enter a valid email address."))
    now = timezone.now()
    with transaction.atomic():
        invitation = BookingInvitation.objects.create(
            service=service,
            contact=contact,
            matter=matter,
            email=email,
            created_by=actor,
            expires_at=now + dt.timedelta(days=days),
        )
        audit_record(
            action=SchedulingAction.BOOKING_INVITATION_SENT,
            actor=actor,
            meta=meta,
            matter_id=matter.pk if matter else None,
            obj=invitation,
            data={"service": service.slug, "email": email, "days": days},
        )
        from scheduling import tasks

        transaction.on_commit(
            lambda: tasks.booking_invitation_deliver.delay(str(invitation.pk)), robust=True
        )
    return invitation


def booking_invitation_deliver(*, invitation_id: Any) -> str | None:
    """Make the link and send it, once (a conditional UPDATE claims the sending)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    claimed = BookingInvitation.objects.filter(
        pk=invitation_id, sent_at=None, revoked_at=None, used_at=None, expires_at__gt=now
    ).update(sent_at=now, token_hash=selectors.invitation_token_hash(token))
    if not claimed:
        return None
    invitation = BookingInvitation.objects.select_related("service", "contact").get(
        pk=invitation_id
    )
    try:
        _send(invitation, token)
    except Exception:
        # Release the claim so a retry sends a fresh link.
        BookingInvitation.objects.filter(pk=invitation_id).update(sent_at=None, token_hash=None)
        raise
    return token


def booking_invitations_unsent_deliver(*, now: dt.datetime | None = None) -> int:
    """The net under the immediate task (the broker was down): send what nobody sent."""
    now = now or timezone.now()
    ids = BookingInvitation.objects.filter(
        origin=BookingInvitation.Origin.STAFF,
        sent_at=None,
        revoked_at=None,
        used_at=None,
        expires_at__gt=now,
        created_at__lte=now - dt.timedelta(minutes=2),
    ).values_list("pk", flat=True)[:200]
    sent = 0
    for invitation_id in list(ids):
        try:
            if booking_invitation_deliver(invitation_id=invitation_id) is not None:
                sent += 1
        except Exception as exc:  # noqa: BLE001 - the next run tries again; others go on
            logger.warning("booking invitation not sent (%s)", type(exc).__name__)
    return sent


def _send(invitation: BookingInvitation, token: str) -> None:
    """Content-light: the firm, the service and the link, in the contact's language."""
    firm = portal_selectors.firm_get()
    language = invitation.contact.language or firm.default_language
    path = reverse("scheduling:book-service", kwargs={"slug": invitation.service.slug})
    with translation.override(language):
        context = {
            "firm": firm,
            "service": invitation.service.name,
            "link": absolute_url(f"{path}?invite={token}"),
            "name": invitation.contact.first_name,
            "until": invitation.expires_at,
        }
        subject = " ".join(
            _render("emails/scheduling/booking_invitation_subject.txt", context).split()
        )
        body = _render("emails/scheduling/booking_invitation.txt", context)
    from_email, reply_to = email_from()
    EmailMessage(
        subject=subject, body=body, from_email=from_email, reply_to=reply_to, to=[invitation.email]
    ).send()


def booking_invitation_revoke(
    *, actor: User, invitation: BookingInvitation, meta: RequestMeta | None = None
) -> bool:
    """Withdraw an open invitation (False when it was already used, withdrawn or over)."""
    now = timezone.now()
    with transaction.atomic():
        changed = BookingInvitation.objects.filter(
            pk=invitation.pk, revoked_at=None, used_at=None
        ).update(revoked_at=now, revoked_by=actor)
        if changed:
            audit_record(
                action=SchedulingAction.BOOKING_INVITATION_REVOKED,
                actor=actor,
                meta=meta,
                matter_id=invitation.matter_id,
                obj=invitation,
                data={"service": invitation.service.slug},
            )
    return bool(changed)


def invitation_claim(*, service: Service, token: str) -> selectors.InvitationCheck:
    """Inside the booking transaction: lock the invitation and check it books `service`
    (InvitationRefused otherwise). A rebooking link gets its row now, so a second use of it
    finds one; two bookers racing for it wait on the lock (or the unique hash)."""
    check = selectors.invitation_check(service=service, token=token, lock=True)
    if not check.ok:
        raise InvitationRefused(check.message)
    if check.invitation is None and check.appointment is not None:
        original = check.appointment
        try:
            with transaction.atomic():
                row = BookingInvitation.objects.create(
                    service=service,
                    contact=original.contact,
                    matter=original.matter,
                    email=original.contact.email or "",
                    origin=BookingInvitation.Origin.REBOOK,
                    token_hash=selectors.invitation_token_hash(token),
                    expires_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise InvitationRefused(selectors.InvitationCheck("used").message) from exc
        return selectors.InvitationCheck("ok", invitation=row, appointment=original)
    return check


def invitation_mark_used(
    invitation: BookingInvitation,
    *,
    appointment: Appointment,
    actor: User | None,
    meta: RequestMeta | None,
) -> None:
    invitation.used_at = timezone.now()
    invitation.used_by_appointment = appointment
    invitation.save(update_fields=["used_at", "used_by_appointment"])
    audit_record(
        action=SchedulingAction.BOOKING_INVITATION_USED,
        actor=actor,
        meta=meta,
        matter_id=invitation.matter_id,
        obj=invitation,
        data={"appointment": str(appointment.pk), "origin": invitation.origin},
    )
