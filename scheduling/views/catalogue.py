"""Services: every staff member sees the list; firm admins create, edit and archive."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import firm_admin_required, staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from portal.selectors import firm_get
from portal.types import Request
from scheduling import selectors, services
from scheduling.forms import (
    PackageStepFormSet,
    ServiceForm,
)
from scheduling.models import Service

if TYPE_CHECKING:
    pass


@staff_required
@require_GET
def staff_services(request: Request) -> HttpResponse:
    return render(
        request,
        "scheduling/staff_services.html",
        {
            "services": selectors.services_for_staff(user=request.user),
            "can_edit": request.user.is_firm_admin,
        },
    )


SERVICE_FORM_GROUPS = (
    (
        _lazy("What it is"),
        (
            "name",
            "slug",
            "description",
            "location_kind",
            "location_detail",
            "position",
            "is_consultation",
        ),
    ),
    (
        _lazy("Time"),
        (
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "min_notice_minutes",
            "horizon_days",
            "slot_step_minutes",
            "hold_minutes",
            "reminder_offsets",
            "reminders_off",
        ),
    ),
    (
        _lazy("Price and cancellation"),
        ("price", "payment_rule", "deposit_amount", "cancel_deadline_hours", "cancel_fee"),
    ),
    (_lazy("Who"), ("staff", "audience", "intake_required")),
)


def _service_form_page(request: Request, service: Service | None) -> HttpResponse:
    firm = firm_get()
    instance = service or Service()
    data = request.POST if request.method == "POST" else None
    form = ServiceForm(
        data, instance=instance, currency=firm.currency, firm_language=firm.default_language
    )
    steps = PackageStepFormSet(data, instance=instance, prefix="steps")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        actor = request.user
        try:
            if service is None:
                saved = services.service_create(
                    fields=form.service_fields(),
                    staff=list(form.cleaned_data["staff"]),
                    steps=steps.steps(),
                    actor=actor,
                    meta=RequestMeta.from_request(request),
                )
            else:
                saved = services.service_update(
                    service=service,
                    fields=form.service_fields(),
                    staff=list(form.cleaned_data["staff"]),
                    steps=steps.steps(),
                    actor=actor,
                    meta=RequestMeta.from_request(request),
                )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": saved.name})
            return redirect("scheduling:staff-services")
    invalid = bool(form.errors or steps.total_error_count() or steps.non_form_errors())
    groups = [
        (title, [form[name] for name in form.expand_translated(names)])
        for title, names in SERVICE_FORM_GROUPS
    ]
    return render(
        request,
        "scheduling/staff_service_form.html",
        {
            "form": form,
            "groups": groups,
            "steps": steps,
            "service": service,
            "currency": firm.currency,
        },
        status=400 if request.method == "POST" and invalid else 200,
    )


@firm_admin_required
@require_http_methods(["GET", "POST"])
def staff_service_new(request: Request) -> HttpResponse:
    return _service_form_page(request, None)


@firm_admin_required
@require_http_methods(["GET", "POST"])
def staff_service_edit(request: Request, service_id: Any) -> HttpResponse:
    service = selectors.service_get_for_staff(user=request.user, service_id=service_id)
    return _service_form_page(request, service)


@firm_admin_required
@require_POST
def staff_service_archive(request: Request, service_id: Any) -> HttpResponse:
    """POST archives the service; POST with restore=1 offers it again."""
    service = selectors.service_get_for_staff(user=request.user, service_id=service_id)
    actor = request.user
    try:
        if request.POST.get("restore") == "1":
            services.service_restore(
                service=service, actor=actor, meta=RequestMeta.from_request(request)
            )
            messages.success(request, _("“%(name)s” can be booked again.") % {"name": service.name})
        else:
            services.service_archive(
                service=service, actor=actor, meta=RequestMeta.from_request(request)
            )
            messages.success(
                request,
                _(
                    "“%(name)s” is archived: it can no longer be booked. "
                    "Appointments already booked stay as they are."
                )
                % {"name": service.name},
            )
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("scheduling:staff-services")
