"""Manage links (one booking, read-only on GET) and the staff's private calendar feed."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError
from core.http import RequestMeta
from core.time import parse_date
from scheduling import booking_flow, selectors, services
from scheduling.forms import (
    RescheduleForm,
)
from scheduling.http import detail_url, embed_response, signed_in, viewer_zone
from scheduling.models import Appointment
from scheduling.views.month_page import month_context, month_days, month_param, times_data


def _unfinished(appointment: Appointment) -> bool:
    """A booking still held, or one whose hold lapsed or was given back unconfirmed."""
    return appointment.status in (Appointment.Status.HELD, Appointment.Status.EXPIRED) or (
        appointment.status == Appointment.Status.CANCELLED and bool(appointment.pending_steps)
    )


def _finish_page(
    request: HttpRequest, token: str, *, error: str = "", status: int = 200
) -> HttpResponse:
    """ "Finish your booking": the time held, the countdown and the steps left, or, once
    the hold is over, that the time was released and where to book again."""
    booking = selectors.booking_get_by_token(token=token)
    first = booking.appointments[0]
    now = timezone.now()
    left = 0
    if booking.is_held and booking.hold_expires_at is not None:
        left = max(0, int((booking.hold_expires_at - now).total_seconds()))
    labels = {
        key: step.label
        for key in (*booking.done_steps, *booking.pending_steps)
        if (step := booking_flow.step_get(key)) is not None
    }
    response = render(
        request,
        "scheduling/booking_finish.html",
        {
            "booking": booking,
            "appointment": first,
            "zone": ZoneInfo(first.time_zone),
            "seconds_left": left,
            "countdown": f"{left // 60}:{left % 60:02d}",
            "done": [labels[k] for k in booking.done_steps if k in labels],
            "remaining": [labels[k] for k in booking.pending_steps if k in labels],
            "next_url": booking.next_url if booking.is_held and not booking.is_lapsed else None,
            "lapsed": not booking.is_held or booking.is_lapsed,
            "rebook_url": (
                reverse("scheduling:book")
                if first.booking_group
                else selectors.appointment_rebook_link(appointment=first)
            ),
            "error": error,
            "embed": request.GET.get("embed") == "1",
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return embed_response(request, response)


def _outdated_page(
    request: HttpRequest, appointment: Appointment, *, status: int = 200
) -> HttpResponse:
    """An old link (the booking moved or was cancelled): what happened, and where the
    booking is now or how to book again."""
    current = selectors.appointment_current(appointment=appointment)
    moved = current.pk != appointment.pk
    response = render(
        request,
        "scheduling/booking_outdated.html",
        {
            "appointment": appointment,
            "current": current,
            "moved": moved,
            "current_url": (
                detail_url(current, request)
                if moved and current.status == Appointment.Status.BOOKED
                else ""
            ),
            "rebook_url": (
                selectors.appointment_rebook_link(appointment=current)
                if current.status == Appointment.Status.CANCELLED
                else ""
            ),
            "zone": ZoneInfo(current.time_zone),
            "embed": request.GET.get("embed") == "1",
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return embed_response(request, response)


@require_GET
def booking_detail(request: HttpRequest, token: str) -> HttpResponse:
    appointment = selectors.appointment_by_token(token=token)
    if _unfinished(appointment):
        return _finish_page(request, token)
    if appointment.status == Appointment.Status.RESCHEDULED:
        return _outdated_page(request, appointment)
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
            "rows": [
                (a, selectors.appointment_place(a), selectors.appointment_terms(a)) for a in group
            ],
            "code": selectors.booking_code(appointment.booking_ref),
            "email": appointment.contact.email,
            "zone": ZoneInfo(appointment.time_zone),
            "links": selectors.appointment_manage_links(appointment=appointment),
            "rebook_url": (
                selectors.appointment_rebook_link(appointment=appointment)
                if appointment.status == Appointment.Status.CANCELLED
                else ""
            ),
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
    """Move a booking: the booking page's month (free days marked, the booked day ringed)
    around the booked date, up to a month past it whatever the service's horizon
    (selectors.reschedule_latest); a day's times show in place with the script, or as a
    page of their own without it."""
    found = selectors.appointment_by_token(token=token)
    if _unfinished(found):
        return _finish_page(
            request,
            token,
            error=_(
                "This booking is not finished yet, so its time cannot be changed. Finish "
                "it first, or release the time and book another one."
            ),
            status=409,
        )
    if found.status != Appointment.Status.BOOKED:
        return _outdated_page(request, found, status=410)
    appointment = selectors.appointment_by_token(token=token, for_change=True)
    service = appointment.service
    tz = viewer_zone(request) if request.GET.get("tz") else appointment.time_zone
    zone = ZoneInfo(tz)
    now = timezone.now()
    booked_day = appointment.start_at.astimezone(zone).date()
    # A package step is offered only the times that keep the package's order and gaps;
    # later ones than the next step allows are offered too, moving the later steps along.
    bounds = selectors.package_step_bounds(appointment=appointment)
    asked_day = parse_date(request.GET.get("date"), default=dt.date.min)
    month = selectors.reschedule_month(
        appointment=appointment,
        zone=zone,
        month=month_param(request.GET.get("month"))
        or (asked_day if asked_day != dt.date.min else None),
        bounds=bounds,
        now=now,
    )
    day: dt.date | None = None
    if asked_day in month.free_days:
        day = asked_day
    elif booked_day.replace(day=1) == month.month:
        day = selectors.nearest_free_day(month, booked_day)
    else:
        day = month.first_free
    slots = month.times.get(day, []) if day else []
    moving_slots = month.moving.get(day, []) if day else []
    error = ""
    status = 200
    moves: list[selectors.StepMove] | None = None
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            start_at = form.cleaned_data["start"]
            duration = dt.timedelta(minutes=service.duration_minutes)
            cascade = bounds is not None and not bounds.allows(start_at, start_at + duration)
            try:
                if cascade and "confirm_move" not in request.POST:
                    # First the plan: the later steps' new dates, times and people.
                    moves = selectors.package_move_plan(
                        appointment=appointment, start=start_at, now=now, online=True
                    )
                    if moves is None or (
                        bounds is not None
                        and bounds.earliest is not None
                        and start_at < bounds.earliest
                    ):
                        raise services.PackageCannotMove(services.package_cannot_move_text())
                elif cascade:
                    moved = services.package_reschedule(
                        appointment=appointment,
                        start_at=start_at,
                        expected=request.POST.get("plan", "")[:2000],
                        actor=signed_in(request),
                        meta=RequestMeta.from_request(request),
                    )
                    messages.success(request, _("Your appointments were moved."))
                    return redirect(detail_url(moved[0], request))
                else:
                    new = services.appointment_reschedule(
                        appointment=appointment,
                        start_at=start_at,
                        actor=signed_in(request),
                        meta=RequestMeta.from_request(request),
                    )
                    messages.success(request, _("Your appointment was moved."))
                    return redirect(detail_url(new, request))
            except services.SlotTaken as exc:
                error, status, moves = str(exc), 409, None
            except ServiceError as exc:
                error, status, moves = str(exc), 400, None
        else:
            error, status = _("Pick one of the times shown."), 400
    labels, data = month_days(month, zone=zone)
    keep = {
        k: v
        for k, v in (("tz", tz), ("embed", "1" if request.GET.get("embed") == "1" else ""))
        if v
    }
    return embed_response(
        request,
        render(
            request,
            "scheduling/booking_reschedule.html",
            {
                "appointment": appointment,
                "slots": slots,
                "booked_day": booked_day,
                "bounds": bounds,
                "moving_slots": moving_slots,
                "moves": moves,
                "move_plan": selectors.move_fingerprint(moves) if moves else "",
                "move_start": moves[0].to.start.isoformat() if moves else "",
                "zone": zone,
                "tz": tz,
                **month_context(month, day=day, labels=labels),
                "keep": urlencode(keep),
                "month_data": {
                    "days": data,
                    "moving": times_data(month.moving, zone=zone),
                    "names": {},
                    "person": "",
                    "anyone": "",
                    "post": True,
                },
                "error": error,
                "embed": request.GET.get("embed") == "1",
            },
            status=status,
        ),
    )


@csrf_exempt  # see booking_reschedule
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, token: str) -> HttpResponse:
    found = selectors.appointment_by_token(token=token)
    if _unfinished(found):
        return _finish_page(
            request,
            token,
            error=_(
                "This booking is not finished yet, so there is nothing to cancel. To give "
                "the time back, release it below."
            ),
            status=409,
        )
    if found.status != Appointment.Status.BOOKED:
        return _outdated_page(request, found, status=410)
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


@csrf_exempt  # see booking_reschedule
@require_POST
def booking_release(request: HttpRequest, token: str) -> HttpResponse:
    """The booker gives a held booking's time back (cancelling an unfinished booking)."""
    booking = selectors.booking_get_by_token(token=token)
    try:
        released = services.booking_hold_release(
            token=booking.token,
            reason="client",
            actor=signed_in(request),
            meta=RequestMeta.from_request(request),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        if released:
            messages.success(request, _("The time was released. Nothing was booked."))
    return redirect(detail_url(booking.appointments[0], request))


@require_GET
def staff_feed(request: HttpRequest, token: str) -> HttpResponse:
    body = selectors.staff_feed_ics(token=token)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
def booking_owner_check(request: HttpRequest, token: str) -> HttpResponse:
    """The page the owner of an email reaches from "please confirm a booking made with
    your email address": confirm it (it joins their portal) or say it was not them (it is
    cancelled). The signed link is the credential; a forged one is 404."""
    rows = selectors.owner_check_rows(token=token)
    error = ""
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        if answer not in ("confirm", "decline"):
            error = _("Please choose one of the two buttons.")
        else:
            try:
                services.booking_owner_answer(
                    token=token,
                    confirmed=answer == "confirm",
                    meta=RequestMeta.from_request(request),
                )
            except ServiceError as exc:
                error = str(exc)
            else:
                return redirect(request.path)
        rows = selectors.owner_check_rows(token=token)
    first = rows[0]
    details = first.booker_details or {}
    phone = str(details.get("phone") or "")
    deadline = min(selectors.owner_check_deadline(a) for a in rows)
    return render(
        request,
        "scheduling/booking_owner_check.html",
        {
            "appointments": rows,
            "appointment": first,
            "zone": ZoneInfo(first.contact.time_zone or first.time_zone),
            "typed_name": " ".join(
                str(details.get(k) or "") for k in ("first_name", "last_name")
            ).strip(),
            "phone_end": phone[-3:] if len(phone) > 3 else "",
            "answerable": first.owner_check == Appointment.OwnerCheck.PENDING
            and first.status == Appointment.Status.BOOKED
            and min(deadline, first.end_at) > timezone.now(),
            "deadline": deadline,
            "error": error,
        },
        status=400 if error else 200,
    )
