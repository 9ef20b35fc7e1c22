"""Invitations: single-use, expiring links that open a client's or co-counsel's account."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from portal import emails, tasks
from portal.audit_actions import PortalAction
from portal.models import (
    CoCounselGrant,
    Contact,
    Invitation,
    User,
)
from portal.services.matters import _matter_sync_grants


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


logger = logging.getLogger(__name__)


def invitation_create(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    email: str,
    role: str,
    contact: Contact | None = None,
    grant: CoCounselGrant | None = None,
) -> Invitation:
    """Create an invitation and queue its email; the link is made by the worker."""
    with transaction.atomic():
        # An older open invitation for the same address stops working.
        Invitation.objects.filter(email__iexact=email, accepted_at=None).update(
            expires_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            email=email.lower(),
            role=role,
            contact=contact,
            grant=grant,
            created_by=actor,
            expires_at=timezone.now() + dt.timedelta(days=settings.ATRIUM_INVITATION_DAYS),
        )
        audit_record(
            action=PortalAction.INVITATION_SENT,
            actor=actor,
            meta=meta,
            obj=invitation,
            matter_id=grant.matter_id if grant else None,
            data={"email": invitation.email, "role": role},
        )
        # robust: with the broker down the invitation is saved and the page answers;
        # invitations_unsent_deliver (beat) sends it once the worker runs.
        transaction.on_commit(
            lambda: tasks.invitation_deliver.delay(str(invitation.pk)), robust=True
        )
    return invitation


def invitations_unsent_deliver(*, now: dt.datetime | None = None) -> int:
    """The net under the immediate task: send open invitations nobody sent (broker was down).

    Only those older than two minutes, so the normal path always goes first; the claim in
    invitation_deliver keeps the two from sending one invitation twice.
    """
    now = now or timezone.now()
    ids = Invitation.objects.filter(
        sent_at=None,
        accepted_at=None,
        expires_at__gt=now,
        created_at__lte=now - dt.timedelta(minutes=2),
    ).values_list("pk", flat=True)[:200]
    sent = 0
    for invitation_id in list(ids):
        try:
            if invitation_deliver(invitation_id=str(invitation_id)) is not None:
                sent += 1
        except Exception as exc:  # noqa: BLE001 - the next run tries again; others go on
            logger.warning("invitation not sent (%s); retried next run", type(exc).__name__)
    return sent


def invitation_deliver(*, invitation_id: str) -> str | None:
    """Make the link and send it, once: the claim is a conditional UPDATE on sent_at."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation_id, sent_at=None, accepted_at=None, expires_at__gt=now
    ).update(sent_at=now, token_hash=_token_hash(token))
    if not claimed:
        return None
    invitation = Invitation.objects.select_related("contact", "created_by").get(pk=invitation_id)
    try:
        emails.send_invitation(invitation=invitation, token=token)
    except Exception:
        # Release the claim so a retry can send a fresh link.
        Invitation.objects.filter(pk=invitation_id).update(sent_at=None, token_hash=None)
        raise
    return token


def invitation_get_valid(*, token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("contact", "grant")
        .filter(token_hash=_token_hash(token), accepted_at=None, expires_at__gt=timezone.now())
        .first()
    )


def invitation_accept(*, token: str, password: str, meta: RequestMeta | None = None) -> User:
    """Set the password and open the account; the link then stops working."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(token_hash=_token_hash(token), accepted_at=None, expires_at__gt=timezone.now())
            .first()
        )
        if invitation is None:
            raise ServiceError(
                _("This invitation link is no longer valid. Ask the firm to send you a new one.")
            )
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None and (not user.is_active or user.role != invitation.role):
            # A disabled account stays disabled, and a link never sets the password of an
            # account of another kind (a staff login through a client invitation).
            raise ServiceError(
                _("This invitation link is no longer valid. Ask the firm to send you a new one.")
            )
        if user is None:
            user = User(email=invitation.email, role=invitation.role)
            if invitation.contact is not None:
                user.first_name = invitation.contact.first_name
                user.last_name = invitation.contact.last_name
                user.language = invitation.contact.language
                user.time_zone = invitation.contact.time_zone
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        audit_record(action=PortalAction.INVITATION_ACCEPTED, actor=user, meta=meta, obj=invitation)
        if invitation.contact is not None and invitation.contact.user_id != user.pk:
            contact = invitation.contact
            contact.user = user
            contact.save(update_fields=["user"])
            for matter in contact.matters.all():
                _matter_sync_grants(matter=matter, actor=user, meta=meta)
    return user


def client_invite(*, actor: User, meta: RequestMeta | None = None, contact: Contact) -> Invitation:
    if not contact.email:
        raise ServiceError(_("Add an email address to this contact before inviting them."))
    existing = User.objects.filter(email__iexact=contact.email).first()
    if existing is not None and existing.role != User.Role.CLIENT:
        raise ServiceError(_("This email address belongs to a staff or co-counsel account."))
    return invitation_create(
        actor=actor, meta=meta, email=contact.email, role=User.Role.CLIENT, contact=contact
    )
