"""Staff accounts, managed by firm admins: invite, roles, sign-in on and off.

A role is one of lawyer, paralegal or firm admin (a firm admin is also a lawyer or a
paralegal: `staff_title` stays). Changes apply from the person's next request, because
every request reads the account again. Turning sign-in off ends every session at once and
the account's next request is refused; nothing of what the person did is removed.
"""

from __future__ import annotations

from allauth.usersessions.models import UserSession
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.models import Invitation, User
from portal.services.invitations import invitation_create

FIRM_ADMIN = "firm_admin"
ROLES = (User.StaffTitle.LAWYER, User.StaffTitle.PARALEGAL, FIRM_ADMIN)


def staff_role(user: User) -> str:
    """What the staff pages call the person's role."""
    return FIRM_ADMIN if user.is_superuser else (user.staff_title or User.StaffTitle.LAWYER)


def _require_admin(actor: User) -> None:
    if not actor.is_firm_admin:
        raise ServiceError(_("Only firm admins manage staff accounts."))


def _other_active_admins(user: User) -> bool:
    return (
        User.objects.filter(role=User.Role.STAFF, is_superuser=True, is_active=True)
        .exclude(pk=user.pk)
        .exists()
    )


def _apply_role(user: User, role: str) -> None:
    if role not in ROLES:
        raise ServiceError(_("Choose lawyer, paralegal or firm admin."))
    user.is_superuser = role == FIRM_ADMIN
    if role != FIRM_ADMIN:
        user.staff_title = role
    elif not user.staff_title:
        user.staff_title = User.StaffTitle.LAWYER


def staff_create(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    language: str = "",
) -> User:
    """Create the account and send the invitation that lets the person set a password."""
    _require_admin(actor)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ServiceError(_("Enter a valid email address.")) from exc
    if not first_name.strip() or not last_name.strip():
        raise ServiceError(_("Enter the person's first and last name."))
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError(_("An account with this email address already exists."))
    with transaction.atomic():
        user = User(
            email=email,
            first_name=first_name.strip()[:150],
            last_name=last_name.strip()[:150],
            role=User.Role.STAFF,
            is_staff=True,
            language=language,
        )
        _apply_role(user, role)
        user.set_unusable_password()
        user.save()
        audit_record(
            action=PortalAction.STAFF_CREATED,
            actor=actor,
            meta=meta,
            obj=user,
            data={"email": email, "role": role},
        )
        invitation_create(actor=actor, meta=meta, email=email, role=User.Role.STAFF)
    return user


def staff_invite_again(*, actor: User, meta: RequestMeta | None = None, user: User) -> Invitation:
    """A fresh link for someone who has not set a password yet (the old one stops)."""
    _require_admin(actor)
    if user.has_usable_password():
        raise ServiceError(_("This person has already set a password."))
    return invitation_create(actor=actor, meta=meta, email=user.email, role=User.Role.STAFF)


def staff_set_role(*, actor: User, meta: RequestMeta | None = None, user: User, role: str) -> User:
    _require_admin(actor)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk, role=User.Role.STAFF)
        before = staff_role(locked)
        if before == role:
            return locked
        if before == FIRM_ADMIN and not _other_active_admins(locked):
            raise ServiceError(_("The firm needs at least one firm admin."))
        _apply_role(locked, role)
        locked.save(update_fields=["is_superuser", "staff_title"])
        audit_record(
            action=PortalAction.STAFF_ROLE_CHANGED,
            actor=actor,
            meta=meta,
            obj=locked,
            data={"from": before, "to": role},
        )
    return locked


def staff_set_active(
    *, actor: User, meta: RequestMeta | None = None, user: User, active: bool
) -> User:
    """Turn a login off (every session ends now) or back on."""
    _require_admin(actor)
    if user.pk == actor.pk and not active:
        raise ServiceError(_("You cannot turn off your own sign-in."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk, role=User.Role.STAFF)
        if locked.is_active == active:
            return locked
        if not active and locked.is_superuser and not _other_active_admins(locked):
            raise ServiceError(_("The firm needs at least one firm admin."))
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        if not active:
            for session in UserSession.objects.filter(user=locked):
                session.end()
        audit_record(
            action=PortalAction.STAFF_REACTIVATED if active else PortalAction.STAFF_DEACTIVATED,
            actor=actor,
            meta=meta,
            obj=locked,
        )
    return locked
