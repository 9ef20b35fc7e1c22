"""The staff audit log page: which rows a staff member may read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from audit import selectors as audit_selectors
from portal.models import (
    Matter,
    User,
)
from portal.selectors.matters import matters_visible_to

if TYPE_CHECKING:
    from audit.models import AuditEvent


def audit_events_for_staff(
    *,
    user: User,
    action: str = "",
    actor: str = "",
    matter_ref: str = "",
    date_from: Any = None,
    date_to: Any = None,
) -> QuerySet[AuditEvent]:
    """The audit log a staff member may read: firm admins all of it, others the rows of
    the matters they may open and the rows of what they did themselves."""
    if not user.is_firm_staff:
        return audit_selectors.no_audit_events()
    visible = None
    if not user.is_firm_admin:
        visible = Q(matter_id__in=matters_visible_to(user).values("pk")) | Q(actor=user)
    matter_ids = (
        Matter.objects.filter(reference__icontains=matter_ref).values("pk") if matter_ref else None
    )
    return audit_selectors.audit_events(
        visible=visible,
        action=action,
        actor_label=actor,
        matter_ids=matter_ids,
        date_from=date_from,
        date_to=date_to,
    )
