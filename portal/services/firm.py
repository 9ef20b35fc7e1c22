"""Writes of the firm's own settings."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from audit.services import audit_record
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.models import (
    Firm,
    User,
)
from portal.selectors.firm import FIRM_CACHE_KEY


def firm_update(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    data: dict[str, Any],
    logo: UploadedFile | None = None,
    clear_logo: bool = False,
) -> Firm:
    with transaction.atomic():
        firm, _created = Firm.objects.select_for_update().get_or_create(pk=1)
        changed = []
        for field, value in data.items():
            if getattr(firm, field) != value:
                setattr(firm, field, value)
                changed.append(field)
        if clear_logo and firm.logo:
            firm.logo.delete(save=False)
            firm.logo = ""
            changed.append("logo")
        if logo is not None:
            firm.logo.save(f"logo-{secrets.token_hex(8)}", logo, save=False)
            changed.append("logo")
        if changed:
            firm.save()
            audit_record(
                action=PortalAction.FIRM_UPDATED,
                actor=actor,
                meta=meta,
                obj=firm,
                data={"fields": changed},
            )
        cache.delete(FIRM_CACHE_KEY)
        # Again after commit, in case another request cached the old row meanwhile.
        transaction.on_commit(lambda: cache.delete(FIRM_CACHE_KEY))
    return firm
