"""Sharing a matter with external co-counsel until a date, and revoking it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.http import RequestMeta
from portal.models import (
    CoCounselGrant,
    Matter,
    User,
)
from portal.services.invitations import invitation_create
from portal.services.matters import _matter_sync_grants


def cocounsel_share(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    matter: Matter,
    email: str,
    first_name: str,
    last_name: str,
    expires_at: dt.datetime,
) -> CoCounselGrant:
    if expires_at <= timezone.now():
        raise ServiceError(_("Choose an end date in the future."))
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is not None and user.role != User.Role.COCOUNSEL:
            raise ServiceError(_("This email address belongs to a client or staff account."))
        if user is None:
            user = User.objects.create_user(
                email=email, first_name=first_name, last_name=last_name, role=User.Role.COCOUNSEL
            )
        grant, created = CoCounselGrant.objects.get_or_create(
            matter=matter,
            user=user,
            revoked_at=None,
            defaults={"expires_at": expires_at, "granted_by": actor},
        )
        if not created:
            grant.expires_at = expires_at
            grant.save(update_fields=["expires_at"])
        _matter_sync_grants(matter=matter, actor=actor, meta=meta)
        if not user.has_usable_password():
            invitation_create(
                actor=actor, meta=meta, email=user.email, role=User.Role.COCOUNSEL, grant=grant
            )
    return grant


def cocounsel_revoke(
    *, actor: User, meta: RequestMeta | None = None, grant: CoCounselGrant
) -> CoCounselGrant:
    with transaction.atomic():
        grant = CoCounselGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is None:
            grant.revoked_at = timezone.now()
            grant.save(update_fields=["revoked_at"])
            _matter_sync_grants(matter=grant.matter, actor=actor, meta=meta)
    return grant
