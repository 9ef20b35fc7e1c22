"""The public booking pages: the list of services and booking one."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ServiceError
from core.http import RequestMeta
from core.time import day_window, parse_date
from core.validators import time_zone_choices
from portal import selectors as portal_selectors
from scheduling import selectors, services
from scheduling.forms import (
    BookingForm,
)
from scheduling.http import detail_url, embed_csrf, embed_response, rate_limited, viewer_zone
from scheduling.models import Service


@require_GET
def book(request: HttpRequest) -> HttpResponse:
    services_ = selectors.services_bookable(user=request.user)
    embed = request.GET.get("embed") == "1"
    return embed_response(
        request, render(request, "scheduling/book.html", {"services": services_, "embed": embed})
    )


@csrf_exempt  # enforced below, except in embed mode (see embed_csrf)
@require_http_methods(["GET", "POST"])
def book_service(request: HttpRequest, slug: str) -> HttpResponse:
    refused = embed_csrf(request)
    if refused is not None:
        return refused
    invite = (request.GET.get("invite") or request.POST.get("invite") or "")[:300]
    service = selectors.service_get_for_booking(
        slug=slug, user=request.user, invite=invite, with_steps=True
    )
    tz = viewer_zone(request)
    zone = ZoneInfo(tz)
    today = timezone.now().astimezone(zone).date()
    day = parse_date(request.GET.get("date"), default=today)
    day = min(max(day, today), today + dt.timedelta(days=service.horizon_days))
    start, end = day_window(start=day, end=day, zone=zone)
    slots = selectors.slots_list(service=service, start=start, end=end, online=True)
    chosen = request.GET.get("start") or request.POST.get("start") or ""
    me = portal_selectors.contact_for_user(request.user)
    form = BookingForm(
        initial={
            "service": service.slug,
            "start": chosen,
            "time_zone": tz,
            **(
                {
                    "first_name": me.first_name,
                    "last_name": me.last_name,
                    "email": me.email,
                    "phone": me.phone,
                }
                if me is not None
                else {}
            ),
        }
    )
    status = 200
    if request.method == "POST":
        if rate_limited(request):
            form = BookingForm(request.POST)
            form.is_valid()
            form.add_error(
                None,
                _("Too many bookings from this connection. Please try again in a few minutes."),
            )
            status = 429
        else:
            data = request.POST.copy()
            data["service"] = service.slug
            form = BookingForm(data)
            result = book_from_form(request, form, service)
            if isinstance(result, list):
                # A held booking goes on to its first step (a form, a payment).
                return redirect(result.next_url or detail_url(result[0], request))
            status = result
    chosen_dt = None
    try:
        chosen_dt = dt.datetime.fromisoformat(chosen).astimezone(zone) if chosen else None
    except (ValueError, OverflowError):
        chosen_dt = None
    steps = list(service.steps.all())
    plan = None
    if steps and chosen_dt is not None:
        wanted = request.GET.get("staff") or request.POST.get("staff") or ""
        person = next((m for m in service.staff.all() if str(m.pk) == wanted), None)
        plan = selectors.package_preview(package=service, start=chosen_dt, staff=person)
    context = {
        "service": service,
        "slots": slots,
        "day": day,
        "tz": tz,
        "zone": zone,
        "days": [today + dt.timedelta(days=i) for i in range(0, min(service.horizon_days, 14))],
        "prev_day": day - dt.timedelta(days=1) if day > today else None,
        "next_day": day + dt.timedelta(days=1),
        "form": form,
        "chosen": chosen,
        "chosen_dt": chosen_dt,
        "staff_names": selectors.staff_names(service),
        "embed": request.GET.get("embed") == "1",
        "invite": invite,
        "tz_choices": time_zone_choices(),
        "steps": steps,
        "place": selectors.service_place(service),
        "terms": selectors.cancellation_terms(service),
        "price": selectors.price_text(service),
        "plan": plan,
        "plan_key": selectors.plan_fingerprint(plan) if plan else "",
        "booking_paused": not slots and selectors.online_booking_paused(service),
    }
    return embed_response(
        request, render(request, "scheduling/book_service.html", context, status=status)
    )


def book_from_form(
    request: HttpRequest, form: BookingForm, service: Service
) -> services.BookedAppointments | int:
    """Validate and book; the appointments, or the HTTP status of the refusal."""
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    if data.get("duration") and data["duration"] != service.duration_minutes:
        form.add_error(
            "duration",
            _("This service lasts %(minutes)d minutes.") % {"minutes": service.duration_minutes},
        )
        return 400
    staff = None
    if data.get("staff"):
        staff = next((s for s in service.staff.all() if s.pk == data["staff"]), None)
        if staff is None:
            form.add_error("staff", _("This lawyer does not offer this service."))
            return 400
    booker = services.BookerData(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=str(data.get("phone") or ""),
        language=request.LANGUAGE_CODE or "en",
    )
    contact = (
        portal_selectors.contact_for_user(request.user) if request.user.is_authenticated else None
    )
    try:
        return services.appointment_book(
            service=service,
            start_at=data["start"],
            staff=staff,
            booker=booker,
            contact=contact,
            time_zone=data["time_zone"],
            actor=request.user if request.user.is_authenticated else None,
            meta=RequestMeta.from_request(request),
            origin="portal" if contact is not None else "public",
            expected_plan=data.get("plan") or None,
        )
    except services.SlotTaken as exc:
        form.add_error("start", str(exc))
        return 409
    except ServiceError as exc:
        form.add_error("start", str(exc))
        return 400
