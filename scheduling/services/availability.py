"""Staff working hours and days off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from audit.services import audit_record
from core.http import RequestMeta
from scheduling.audit_actions import SchedulingAction
from scheduling.models import (
    AvailabilityRule,
)

if TYPE_CHECKING:
    from portal.models import User


def availability_rule_add(
    *, rule: AvailabilityRule, actor: User | None = None, meta: RequestMeta | None = None
) -> AvailabilityRule:
    """Add a working-hours rule; `actor` is who made the change (a firm admin may keep a
    colleague's hours), the rule's owner when not given."""
    with transaction.atomic():
        rule.full_clean()
        rule.save()
        audit_record(
            action=SchedulingAction.AVAILABILITY_CHANGED,
            actor=actor or rule.staff,
            meta=meta,
            obj=rule,
            data={"weekday": rule.weekday, "date": str(rule.date or ""), "off": rule.is_off},
        )
    return rule


def availability_rule_remove(
    *, rule: AvailabilityRule, actor: User | None = None, meta: RequestMeta | None = None
) -> None:
    with transaction.atomic():
        audit_record(
            action=SchedulingAction.AVAILABILITY_CHANGED,
            actor=actor or rule.staff,
            meta=meta,
            obj=rule,
            data={"removed": True},
        )
        rule.delete()
