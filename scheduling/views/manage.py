"""Manage links (one booking, read-only on GET) and the staff's private calendar feed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ServiceError
from core.http import RequestMeta
from core.time import day_window
from scheduling import selectors, services
from scheduling.forms import (
    RescheduleForm,
)
from scheduling.http import detail_url, embed_response, signed_in, viewer_zone
from scheduling.models import Appointment


@require_GET
def booking_detail(request: HttpRequest, token: str) -> HttpResponse:
    appointment = selectors.appointment_by_token(token=token)
    group = [appointment]
    if appointment.booking_group:
        group = list(
            Appointment.objects.select_related("service", "staff")
            .filter(
                booking_group=appointment.booking_group,
                contact_id=appointment.contact_id,
            )
            .exclude(status=Appointment.Status.RESCHEDULED)
            .order_by("start_at")
        )
    response = render(
        request,
        "scheduling/booking_detail.html",
        {
            "appointment": appointment,
            "group": group,
            "zone": ZoneInfo(appointment.time_zone),
            "links": selectors.appointment_manage_links(appointment=appointment),
            "embed": request.GET.get("embed") == "1",
        },
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return embed_response(request, response)


@require_GET
def booking_ics(request: HttpRequest, token: str) -> HttpResponse:
    appointment = selectors.appointment_by_token(token=token)
    cancelled = appointment.status == Appointment.Status.CANCELLED
    body = selectors.appointment_ics(
        appointments=[appointment], method="CANCEL" if cancelled else "REQUEST"
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    response["Cache-Control"] = "no-store"
    return response


# The manage link's token is the credential: a forged cross-site POST cannot know it, and
# the pages must work inside the firm's embedded frame, where our CSRF cookie is not sent.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def booking_reschedule(request: HttpRequest, token: str) -> HttpResponse:
    appointment = selectors.appointment_by_token(token=token, for_change=True)
    service = appointment.service
    tz = viewer_zone(request) if request.GET.get("tz") else appointment.time_zone
    zone = ZoneInfo(tz)
    today = timezone.now().astimezone(zone).date()
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = max(appointment.start_at.astimezone(zone).date(), today)
    day = min(max(day, today), today + dt.timedelta(days=service.horizon_days))
    start, end = day_window(start=day, end=day, zone=zone)
    slots = selectors.slots_list(
        service=service,
        start=start,
        end=end,
        staff=[appointment.staff],
        exclude_appointment_ids=[appointment.pk],
    )
    error = ""
    status = 200
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                new = services.appointment_reschedule(
                    appointment=appointment,
                    start_at=form.cleaned_data["start"],
                    actor=signed_in(request),
                    meta=RequestMeta.from_request(request),
                )
            except services.SlotTaken as exc:
                error, status = str(exc), 409
            except ServiceError as exc:
                error, status = str(exc), 400
            else:
                messages.success(request, _("Your appointment was moved."))
                return redirect(detail_url(new, request))
        else:
            error, status = _("Pick one of the times shown."), 400
    return embed_response(
        request,
        render(
            request,
            "scheduling/booking_reschedule.html",
            {
                "appointment": appointment,
                "slots": slots,
                "day": day,
                "zone": zone,
                "tz": tz,
                "days": [today + dt.timedelta(days=i) for i in range(0, 14)],
                "error": error,
                "embed": request.GET.get("embed") == "1",
            },
            status=status,
        ),
    )


@csrf_exempt  # see booking_reschedule
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, token: str) -> HttpResponse:
    appointment = selectors.appointment_by_token(token=token, for_change=True)
    fee = services.cancellation_fee(appointment=appointment)
    error = ""
    if request.method == "POST":
        try:
            services.appointment_cancel(
                appointment=appointment,
                actor=signed_in(request),
                meta=RequestMeta.from_request(request),
            )
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Your appointment was cancelled."))
            return redirect(detail_url(appointment, request))
    return embed_response(
        request,
        render(
            request,
            "scheduling/booking_cancel.html",
            {
                "appointment": appointment,
                "fee": fee,
                "zone": ZoneInfo(appointment.time_zone),
                "error": error,
                "embed": request.GET.get("embed") == "1",
            },
        ),
    )


@require_GET
def staff_feed(request: HttpRequest, token: str) -> HttpResponse:
    body = selectors.staff_feed_ics(token=token)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
