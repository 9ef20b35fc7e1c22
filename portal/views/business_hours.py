"""The firm's business time on the settings pages: opening hours, holidays, closures."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import time
from core.decorators import firm_admin_required
from core.errors import ServiceError
from core.forms import flash_form_errors
from core.http import RequestMeta
from portal import selectors, services
from portal.forms import FirmClosureForm, OfficeHoursForm
from portal.types import Request


def _today(firm_tz: str) -> dt.date:
    return timezone.now().astimezone(time.zone(firm_tz)).date()


@firm_admin_required
def firm_hours(request: Request) -> HttpResponse:
    firm = selectors.firm_get()
    data = selectors.firm_calendar_data()
    form = OfficeHoursForm(
        request.POST or None,
        hours=data.hours,
        country=firm.country,
        subdivision=firm.subdivision,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.firm_hours_update(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                hours=form.cleaned_data["hours"],
                country=form.cleaned_data["country"],
                subdivision=form.cleaned_data["subdivision"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Office hours saved."))
            return redirect("staff:firm-hours")
    context = {
        "form": form,
        "closure_form": FirmClosureForm(),
        "closures": selectors.firm_closures_upcoming(today=_today(firm.time_zone)),
        "office_hours": selectors.office_hours_text(),
    }
    return render(request, "staff/firm_hours.html", context)


@firm_admin_required
@require_POST
def firm_closure_add(request: Request) -> HttpResponse:
    form = FirmClosureForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("staff:firm-hours")
    try:
        services.firm_closure_add(
            actor=request.user,
            meta=RequestMeta.from_request(request),
            date=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Closure day added."))
    return redirect("staff:firm-hours")


@firm_admin_required
@require_POST
def firm_closure_remove(request: Request, closure_id: int) -> HttpResponse:
    try:
        services.firm_closure_remove(
            actor=request.user, meta=RequestMeta.from_request(request), closure_id=closure_id
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Closure day removed."))
    return redirect("staff:firm-hours")
