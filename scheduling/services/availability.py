"""Staff working hours and days off."""

from __future__ import annotations

from django.db import transaction

from audit.services import audit_record
from core.http import RequestMeta
from scheduling.audit_actions import SchedulingAction
from scheduling.models import (
    AvailabilityRule,
)


def availability_rule_add(
    *, rule: AvailabilityRule, meta: RequestMeta | None = None
) -> AvailabilityRule:
    with transaction.atomic():
        rule.full_clean()
        rule.save()
        audit_record(
            action=SchedulingAction.AVAILABILITY_CHANGED,
            actor=rule.staff,
            meta=meta,
            obj=rule,
            data={"weekday": rule.weekday, "date": str(rule.date or ""), "off": rule.is_off},
        )
    return rule


def availability_rule_remove(*, rule: AvailabilityRule, meta: RequestMeta | None = None) -> None:
    with transaction.atomic():
        audit_record(
            action=SchedulingAction.AVAILABILITY_CHANGED,
            actor=rule.staff,
            meta=meta,
            obj=rule,
            data={"removed": True},
        )
        rule.delete()
