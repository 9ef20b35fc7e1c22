"""The services the firm offers (staff pages; firm admins only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from scheduling.audit_actions import SchedulingAction
from scheduling.models import (
    STAFF_TITLE_LAWYER,
    Appointment,
    PackageStep,
    Service,
)

if TYPE_CHECKING:
    from portal.models import User


def _steps_check(*, service: Service, steps: Sequence[tuple[Service, int]]) -> None:
    for step_service, gap in steps:
        if step_service.pk == service.pk:
            raise ServiceError(_("A package cannot contain itself."))
        if step_service.steps.exists():
            raise ServiceError(_("A package step cannot itself be a package."))
        if not step_service.is_active:
            raise ServiceError(_("Archived services cannot be package steps."))
        if gap < 0:
            raise ServiceError(_("The gap between steps cannot be negative."))
    if steps and PackageStep.objects.filter(service=service).exists():
        raise ServiceError(
            _("This service is a step of another package, so it cannot have steps of its own.")
        )


def _service_save(
    *, service: Service, staff: Sequence[User], steps: Sequence[tuple[Service, int]], creating: bool
) -> None:
    if not staff:
        raise ServiceError(_("Choose at least one lawyer who offers this service."))
    if any(not member.is_firm_staff for member in staff):
        raise ServiceError(_("Only active firm staff can offer a service."))
    if service.lawyers_only and any(m.staff_title != STAFF_TITLE_LAWYER for m in staff):
        raise ServiceError(
            _("This service is for lawyers only: untick the paralegals who offer it.")
        )
    service.full_clean(exclude=["staff"])
    try:
        with transaction.atomic():
            service.save(force_insert=creating)
    except IntegrityError as exc:
        raise ServiceError(_("Another service already uses this link name.")) from exc
    _steps_check(service=service, steps=steps)
    service.staff.set(staff)
    PackageStep.objects.filter(package=service).delete()
    PackageStep.objects.bulk_create(
        [
            PackageStep(package=service, service=step_service, position=i, min_gap_days=gap)
            for i, (step_service, gap) in enumerate(steps)
        ]
    )


def service_create(
    *,
    fields: dict[str, Any],
    staff: Sequence[User],
    steps: Sequence[tuple[Service, int]] = (),
    actor: User,
    meta: RequestMeta | None = None,
) -> Service:
    """A new bookable service with who offers it and, for a package, its steps."""
    service = Service(**fields)
    with transaction.atomic():
        _service_save(service=service, staff=staff, steps=steps, creating=True)
        audit_record(
            action=SchedulingAction.SERVICE_CREATED,
            actor=actor,
            meta=meta,
            obj=service,
            data={"slug": service.slug, "staff": sorted(m.pk for m in staff), "steps": len(steps)},
        )
    return service


def service_update(
    *,
    service: Service,
    fields: dict[str, Any],
    staff: Sequence[User],
    steps: Sequence[tuple[Service, int]] = (),
    actor: User,
    meta: RequestMeta | None = None,
) -> Service:
    """Change a service; booked appointments keep their times (new rules apply to new ones)."""
    with transaction.atomic():
        # Read again: a ModelForm has already copied the new values onto the caller's object.
        service = Service.objects.select_for_update().get(pk=service.pk)
        before = {name: getattr(service, name) for name in fields}
        old_staff = sorted(service.staff.values_list("pk", flat=True))
        old_steps = list(service.steps.values_list("service_id", "min_gap_days"))
        for name, value in fields.items():
            setattr(service, name, value)
        _service_save(service=service, staff=staff, steps=steps, creating=False)
        changed = sorted(name for name, value in before.items() if value != fields[name])
        new_staff = sorted(m.pk for m in staff)
        if new_staff != old_staff:
            changed.append("staff")
        if [(s.pk, gap) for s, gap in steps] != old_steps:
            changed.append("steps")
        audit_record(
            action=SchedulingAction.SERVICE_UPDATED,
            actor=actor,
            meta=meta,
            obj=service,
            data={"slug": service.slug, "changed": changed},
        )
    return service


def service_archive(*, service: Service, actor: User, meta: RequestMeta | None = None) -> Service:
    """Stop offering a service. Never deleted: its appointments and history keep it."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        if not service.is_active:
            return service
        packages = list(
            Service.objects.filter(is_active=True, steps__service=service)
            .values_list("name", flat=True)
            .distinct()
        )
        if packages:
            raise ServiceError(
                _(
                    "This service is a step of %(packages)s. Archive the package "
                    "or remove the step first."
                )
                % {"packages": ", ".join(packages)}
            )
        service.is_active = False
        service.save(update_fields=["is_active"])
        upcoming = service.appointments.filter(
            status=Appointment.Status.BOOKED, start_at__gte=timezone.now()
        ).count()
        audit_record(
            action=SchedulingAction.SERVICE_ARCHIVED,
            actor=actor,
            meta=meta,
            obj=service,
            data={"slug": service.slug, "upcoming_kept": upcoming},
        )
    return service


def service_restore(*, service: Service, actor: User, meta: RequestMeta | None = None) -> Service:
    """Offer an archived service again."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        if service.is_active:
            return service
        if any(not step.service.is_active for step in service.steps.select_related("service")):
            raise ServiceError(_("A step of this package is archived; restore it first."))
        service.is_active = True
        service.save(update_fields=["is_active"])
        audit_record(
            action=SchedulingAction.SERVICE_RESTORED,
            actor=actor,
            meta=meta,
            obj=service,
            data={"slug": service.slug},
        )
    return service
