"""Retire the cached slots responses whenever what they were computed from changes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from scheduling.models import (
    Appointment,
    AvailabilityRule,
    BusyTime,
    ExternalCalendar,
    PackageStep,
    Service,
)
from scheduling.slots_cache import availability_changed

# ExternalCalendar: a fail-closed calendar's health decides whether its owner is offered.
_MODELS = (Appointment, AvailabilityRule, BusyTime, ExternalCalendar, PackageStep, Service)


def _changed(sender: Any, **kwargs: Any) -> None:
    availability_changed()


def _staff_member_saved(
    sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any
) -> None:
    # Working for the firm, leaving it or moving zone changes whose hours count; signing
    # in (last_login alone) does not.
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    if getattr(instance, "role", "") == "staff" or getattr(instance, "is_staff", False):
        availability_changed()


def connect() -> None:
    for model in _MODELS:
        uid = f"atrium-slots-{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(_changed, sender=Service.staff.through, dispatch_uid="atrium-slots-staff")
    # The firm's zone is the fallback zone of staff without one.
    post_save.connect(_changed, sender="portal.Firm", dispatch_uid="atrium-slots-firm")
    post_save.connect(_staff_member_saved, sender="portal.User", dispatch_uid="atrium-slots-user")
