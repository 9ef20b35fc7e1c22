"""Public booking pages, manage links, the JSON API, calendar feeds and staff pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError
from core.http import RequestMeta, client_ip
from core.validators import available_time_zones, time_zone_choices
from portal import services as portal_services
from portal.models import User
from portal.selectors import firm_get
from portal.views.decorators import firm_admin_required, staff_required
from scheduling import selectors, services
from scheduling.forms import (
    AvailabilityRuleForm,
    BookingForm,
    ExternalCalendarForm,
    PackageStepFormSet,
    RescheduleForm,
    ServiceForm,
    SlotsQueryForm,
    StaffBookingForm,
    StaffRescheduleForm,
)
from scheduling.models import Appointment, AvailabilityRule, ExternalCalendar, Service

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def _requested_day(request: HttpRequest, *, default: dt.date) -> dt.date:
    """The ?date=YYYY-MM-DD a page was asked for; anything unreadable means `default`."""
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return default


def _viewer_zone(request: HttpRequest) -> str:
    tz = request.GET.get("tz") or request.POST.get("time_zone") or ""
    if tz in available_time_zones():
        return tz
    return timezone.get_current_timezone_name()


def _rate_limited(request: HttpRequest) -> bool:
    """A fixed window per client address for booking writes (cache-backed, all workers)."""
    limit = getattr(settings, "ATRIUM_BOOKING_RATE_LIMIT", 10)
    window = getattr(settings, "ATRIUM_BOOKING_RATE_WINDOW", 600)
    now = int(timezone.now().timestamp())
    key = f"scheduling:book:{client_ip(request) or 'unknown'}:{now // window}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        count = 1
    return count > limit


def _embed(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Embed mode (?embed=1): only the firm's own origins may frame the booking pages."""
    if request.GET.get("embed") == "1":
        origins = " ".join(getattr(settings, "ATRIUM_BOOKING_FRAME_ANCESTORS", []))
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
        response["Content-Security-Policy"] = f"frame-ancestors 'self' {origins}".strip()
    return response


def _embed_csrf(request: HttpRequest) -> HttpResponse | None:
    """CSRF for the booking form, except when embedded in the firm's site.

    Inside a cross-site frame the browser does not send our SameSite=Lax CSRF cookie, so
    embedded bookings cannot carry a token. An embedded request is therefore treated as
    anonymous (the session is ignored), which leaves a forged POST nothing to act as.
    """
    if request.GET.get("embed") == "1":
        request.user = _AnonymousBooker()  # type: ignore[assignment]
        return None
    if request.method != "POST":
        return None
    def _view(request: HttpRequest) -> HttpResponse:  # stands for the view being checked
        return HttpResponse()

    return CsrfViewMiddleware(_view).process_view(  # type: ignore[return-value]
        request, _view, (), {})


def _cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let the firm's own website (ATRIUM_BOOKING_FRAME_ANCESTORS) call the API from a page."""
    origin = request.headers.get("origin", "")
    if origin and origin in getattr(settings, "ATRIUM_BOOKING_FRAME_ANCESTORS", []):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
    return response


def _signed_in(request: HttpRequest) -> User | None:
    """Who acts through a manage link: the signed-in person, if any (the audit names them)."""
    return request.user if request.user.is_authenticated else None


def _slot_json(slot: Any, zone: ZoneInfo, names: dict[int, str]) -> dict[str, Any]:
    return {
        "start": slot.start.astimezone(zone).isoformat(),
        "end": slot.end.astimezone(zone).isoformat(),
        "staff": [{"id": s, "name": names.get(s, "")} for s in slot.staff_ids],
    }


def _errors(form: Any) -> dict[str, list[str]]:
    return {field: [str(e) for e in errs] for field, errs in form.errors.items()}


# ---------------------------------------------------------------------------
# Public booking pages
# ---------------------------------------------------------------------------
@require_GET
def book(request: HttpRequest) -> HttpResponse:
    services_ = selectors.services_bookable(user=request.user)
    embed = request.GET.get("embed") == "1"
    return _embed(request, render(request, "scheduling/book.html",
                                  {"services": services_, "embed": embed}))


@csrf_exempt  # enforced below, except in embed mode (see _embed_csrf)
@require_http_methods(["GET", "POST"])
def book_service(request: HttpRequest, slug: str) -> HttpResponse:
    refused = _embed_csrf(request)
    if refused is not None:
        return refused
    invite = (request.GET.get("invite") or request.POST.get("invite") or "")[:300]
    service = selectors.service_get_for_booking(slug=slug, user=request.user, invite=invite,
                                                with_steps=True)
    tz = _viewer_zone(request)
    zone = ZoneInfo(tz)
    today = timezone.now().astimezone(zone).date()
    day = _requested_day(request, default=today)
    day = min(max(day, today), today + dt.timedelta(days=service.horizon_days))
    start, end = selectors.day_window(start=day, end=day, zone=zone)
    slots = selectors.slots_list(service=service, start=start, end=end)
    chosen = request.GET.get("start") or request.POST.get("start") or ""
    me = selectors.contact_for_user(request.user)
    form = BookingForm(initial={
        "service": service.slug, "start": chosen, "time_zone": tz,
        **({"first_name": me.first_name, "last_name": me.last_name, "email": me.email,
            "phone": me.phone} if me is not None else {}),
    })
    status = 200
    if request.method == "POST":
        if _rate_limited(request):
            form = BookingForm(request.POST)
            form.is_valid()
            form.add_error(None, _("Too many bookings from this connection. Please try "
                                   "again in a few minutes."))
            status = 429
        else:
            data = request.POST.copy()
            data["service"] = service.slug
            form = BookingForm(data)
            result = _book_from_form(request, form, service)
            if isinstance(result, list):
                return redirect(_detail_url(result[0], request))
            status = result
    chosen_dt = None
    try:
        chosen_dt = dt.datetime.fromisoformat(chosen).astimezone(zone) if chosen else None
    except (ValueError, OverflowError):
        chosen_dt = None
    context = {
        "service": service, "slots": slots, "day": day, "tz": tz, "zone": zone,
        "days": [today + dt.timedelta(days=i) for i in range(0, min(service.horizon_days, 14))],
        "prev_day": day - dt.timedelta(days=1) if day > today else None,
        "next_day": day + dt.timedelta(days=1), "form": form, "chosen": chosen,
        "chosen_dt": chosen_dt, "staff_names": selectors.staff_names(service),
        "embed": request.GET.get("embed") == "1", "invite": invite,
        "tz_choices": time_zone_choices(), "steps": list(service.steps.all()),
    }
    return _embed(request, render(request, "scheduling/book_service.html", context,
                                  status=status))


def _detail_url(appointment: Appointment, request: HttpRequest) -> str:
    url = reverse("scheduling:booking-detail", kwargs={"token": appointment.manage_token})
    return url + ("?embed=1" if request.GET.get("embed") == "1" else "")


def _book_from_form(request: HttpRequest, form: BookingForm,
                    service: Service) -> list[Appointment] | int:
    """Validate and book; the appointments, or the HTTP status of the refusal."""
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    if data.get("duration") and data["duration"] != service.duration_minutes:
        form.add_error("duration", _("This service lasts %(minutes)d minutes.")
                       % {"minutes": service.duration_minutes})
        return 400
    staff = None
    if data.get("staff"):
        staff = next((s for s in service.staff.all() if s.pk == data["staff"]), None)
        if staff is None:
            form.add_error("staff", _("This lawyer does not offer this service."))
            return 400
    booker = services.BookerData(
        first_name=data["first_name"], last_name=data["last_name"], email=data["email"],
        phone=str(data.get("phone") or ""), language=request.LANGUAGE_CODE or "en")
    contact = selectors.contact_for_user(request.user) if request.user.is_authenticated \
        else None
    try:
        return services.appointment_book(
            service=service, start_at=data["start"], staff=staff, booker=booker,
            contact=contact, time_zone=data["time_zone"],
            actor=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
            meta=RequestMeta.from_request(request))
    except services.SlotTaken as exc:
        form.add_error("start", str(exc))
        return 409
    except ServiceError as exc:
        form.add_error("start", str(exc))
        return 400


# ---------------------------------------------------------------------------
# Manage links: one booking, read-only on GET
# ---------------------------------------------------------------------------
@require_GET
def booking_detail(request: HttpRequest, token: str) -> HttpResponse:
    appointment = selectors.appointment_by_token(token=token)
    group = [appointment]
    if appointment.booking_group:
        group = list(Appointment.objects.select_related("service", "staff").filter(
            booking_group=appointment.booking_group, contact_id=appointment.contact_id,
        ).exclude(status=Appointment.Status.RESCHEDULED).order_by("start_at"))
    response = render(request, "scheduling/booking_detail.html", {
        "appointment": appointment, "group": group,
        "zone": ZoneInfo(appointment.time_zone),
        "links": selectors.appointment_manage_links(appointment=appointment),
        "embed": request.GET.get("embed") == "1",
    })
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return _embed(request, response)


@require_GET
def booking_ics(request: HttpRequest, token: str) -> HttpResponse:
    appointment = selectors.appointment_by_token(token=token)
    cancelled = appointment.status == Appointment.Status.CANCELLED
    body = selectors.appointment_ics(appointments=[appointment],
                                     method="CANCEL" if cancelled else "REQUEST")
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
    tz = _viewer_zone(request) if request.GET.get("tz") else appointment.time_zone
    zone = ZoneInfo(tz)
    today = timezone.now().astimezone(zone).date()
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = max(appointment.start_at.astimezone(zone).date(), today)
    day = min(max(day, today), today + dt.timedelta(days=service.horizon_days))
    start, end = selectors.day_window(start=day, end=day, zone=zone)
    slots = selectors.slots_list(service=service, start=start, end=end,
                                 staff=[appointment.staff],
                                 exclude_appointment_ids=[appointment.pk])
    error = ""
    status = 200
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                new = services.appointment_reschedule(
                    appointment=appointment, start_at=form.cleaned_data["start"],
                    actor=_signed_in(request), meta=RequestMeta.from_request(request))
            except services.SlotTaken as exc:
                error, status = str(exc), 409
            except ServiceError as exc:
                error, status = str(exc), 400
            else:
                messages.success(request, _("Your appointment was moved."))
                return redirect(_detail_url(new, request))
        else:
            error, status = _("Pick one of the times shown."), 400
    return _embed(request, render(request, "scheduling/booking_reschedule.html", {
        "appointment": appointment, "slots": slots, "day": day, "zone": zone, "tz": tz,
        "days": [today + dt.timedelta(days=i) for i in range(0, 14)], "error": error,
        "embed": request.GET.get("embed") == "1",
    }, status=status))


@csrf_exempt  # see booking_reschedule
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, token: str) -> HttpResponse:
    appointment = selectors.appointment_by_token(token=token, for_change=True)
    fee = services.cancellation_fee(appointment=appointment)
    error = ""
    if request.method == "POST":
        try:
            services.appointment_cancel(appointment=appointment, actor=_signed_in(request),
                                        meta=RequestMeta.from_request(request))
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Your appointment was cancelled."))
            return redirect(_detail_url(appointment, request))
    return _embed(request, render(request, "scheduling/booking_cancel.html", {
        "appointment": appointment, "fee": fee, "zone": ZoneInfo(appointment.time_zone),
        "error": error, "embed": request.GET.get("embed") == "1",
    }))


@require_GET
def staff_feed(request: HttpRequest, token: str) -> HttpResponse:
    body = selectors.staff_feed_ics(token=token)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


# ---------------------------------------------------------------------------
# JSON API
# ---------------------------------------------------------------------------
@require_GET
def api_slots(request: HttpRequest) -> HttpResponse:
    return _cors(request, _api_slots(request))


def _api_slots(request: HttpRequest) -> JsonResponse:
    form = SlotsQueryForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": _errors(form)}, status=400)
    data = form.cleaned_data
    try:
        # The API is anonymous (callable from the firm's site): invited-only services need
        # their invitation, client-only ones are not offered here.
        service = selectors.service_get_for_booking(slug=data["service"], user=None,
                                                    invite=request.GET.get("invite", ""))
    except Http404:
        return JsonResponse({"errors": {"service": [_("There is no such service.")]}},
                            status=400)
    if data.get("duration") and data["duration"] != service.duration_minutes:
        return JsonResponse({"errors": {"duration": [
            _("This service lasts %(minutes)d minutes.") % {
                "minutes": service.duration_minutes}]}}, status=400)
    zone = ZoneInfo(data["tz"])
    staff = None
    if data.get("staff"):
        staff = [s for s in service.staff.all() if s.pk == data["staff"]]
        if not staff:
            return JsonResponse({"errors": {"staff": [
                _("This lawyer does not offer this service.")]}}, status=400)
    start, end = selectors.day_window(start=data["start"], end=data["end"], zone=zone)
    slots = selectors.slots_list(service=service, start=start, end=end, staff=staff)
    names = selectors.staff_names(service)
    return JsonResponse({
        "service": service.slug, "time_zone": data["tz"],
        "duration": service.duration_minutes,
        "slots": [_slot_json(s, zone, names) for s in slots],
    })


@csrf_exempt  # called cross-site by the firm's website; it never acts as a signed-in user
@require_http_methods(["POST", "OPTIONS"])
def api_bookings(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _cors(request, HttpResponse(status=204))
    return _cors(request, _api_bookings(request))


def _api_bookings(request: HttpRequest) -> JsonResponse:
    if _rate_limited(request):
        return JsonResponse({"errors": {"__all__": [
            _("Too many bookings from this connection. Please try again later.")]}},
            status=429)
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"errors": {"__all__": [_("The request is not valid JSON.")]}},
                                status=400)
        if not isinstance(payload, dict):
            return JsonResponse({"errors": {"__all__": [_("Send a JSON object.")]}},
                                status=400)
        payload = {k: "" if v is None else str(v) for k, v in payload.items()}
    else:
        payload = request.POST
    form = BookingForm(payload)
    if not form.is_valid():
        return JsonResponse({"errors": _errors(form)}, status=400)
    try:
        service = selectors.service_get_for_booking(
            slug=form.cleaned_data["service"], user=None, invite=form.cleaned_data["invite"],
            with_steps=True)
    except Http404:
        return JsonResponse({"errors": {"service": [_("There is no such service.")]}},
                            status=400)
    request.user = _AnonymousBooker()  # type: ignore[assignment]
    result = _book_from_form(request, form, service)
    if isinstance(result, int):
        return JsonResponse({"errors": _errors(form)}, status=result)
    first = result[0]
    return JsonResponse({
        "reference": str(first.pk),
        "appointments": [{"reference": str(a.pk), "service": a.service.slug,
                          "start": a.start_at.isoformat(), "end": a.end_at.isoformat(),
                          "staff": a.staff.get_full_name()} for a in result],
        "links": selectors.appointment_manage_links(appointment=first),
    }, status=201)


class _AnonymousBooker:
    is_authenticated = False
    is_firm_staff = False
    is_client = False


# ---------------------------------------------------------------------------
# Staff pages
# ---------------------------------------------------------------------------
def _local_dt(value: dt.datetime, tz: str) -> dt.datetime:
    """A naive wall-clock time from a datetime-local input, in this zone, to UTC."""
    try:
        if value.tzinfo is not None:
            value = timezone.make_naive(value)
        return value.replace(tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise ServiceError(_("Enter a date within the next years.")) from exc


@staff_required
@require_GET
def staff_calendar(request: HttpRequest) -> HttpResponse:
    staff_all = selectors.staff_list()
    me = cast(User, request.user)
    wanted = request.GET.get("staff", "")
    staff = next((s for s in staff_all if str(s.pk) == wanted), None) or (
        me if me in staff_all or not staff_all else staff_all[0])
    tz = timezone.get_current_timezone_name()
    zone = ZoneInfo(tz)
    today = timezone.now().astimezone(zone).date()
    day = _requested_day(request, default=today)
    # Keep the window where dates exist (and views make sense).
    day = min(max(day, today - dt.timedelta(days=3650)), today + dt.timedelta(days=3650))
    week = request.GET.get("view") == "week"
    first = day - dt.timedelta(days=day.weekday()) if week else day
    last = first + dt.timedelta(days=6) if week else day
    start, end = selectors.day_window(start=first, end=last, zone=zone)
    rows = selectors.appointments_for_staff_range(staff=staff, start=start,  # type: ignore[arg-type]
                                                  end=end)
    days = []
    for i in range((last - first).days + 1):
        d = first + dt.timedelta(days=i)
        days.append((d, [a for a in rows if a.start_at.astimezone(zone).date() == d]))
    step = dt.timedelta(days=7 if week else 1)
    return render(request, "scheduling/staff_calendar.html", {
        "staff_all": staff_all, "staff": staff, "days": days, "week": week, "day": day,
        "prev": day - step, "next": day + step, "zone": zone,
    })


@staff_required
@require_http_methods(["GET", "POST"])
def staff_book(request: HttpRequest) -> HttpResponse:
    form = StaffBookingForm(request.POST or None, initial={"repeat_monthly": 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            start = _local_dt(data["start"], timezone.get_current_timezone_name())
            if data["repeat_monthly"] > 1:
                booked = services.recurring_book(
                    service=data["service"], staff=data["staff"], contact=data["contact"],
                    matter=data["matter"], first_start=start, count=data["repeat_monthly"],
                    actor=request.user, meta=RequestMeta.from_request(request))  # type: ignore[arg-type]
            else:
                booked = services.appointment_book(
                    service=data["service"], start_at=start, staff=data["staff"],
                    contact=data["contact"], matter=data["matter"],
                    time_zone=data["contact"].time_zone, actor=request.user,  # type: ignore[arg-type]
                    meta=RequestMeta.from_request(request))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Booked."))
            return redirect("scheduling:staff-appointment", appointment_id=booked[0].pk)
    return render(request, "scheduling/staff_book.html", {"form": form},
                  status=400 if form.errors else 200)


@staff_required
@require_GET
def staff_appointment(request: HttpRequest, appointment_id: Any) -> HttpResponse:
    appointment = selectors.appointment_get_for_staff(user=request.user,
                                                      appointment_id=appointment_id)
    return render(request, "scheduling/staff_appointment.html", {
        "appointment": appointment,
        "history": selectors.appointment_history(appointment=appointment),
        "form": StaffRescheduleForm(),
    })


@staff_required
@require_POST
def staff_appointment_action(request: HttpRequest, appointment_id: Any,
                             action: str) -> HttpResponse:
    appointment = selectors.appointment_get_for_staff(user=request.user,
                                                      appointment_id=appointment_id)
    target = appointment
    try:
        if action in ("attended", "no_show"):
            services.appointment_mark(appointment=appointment, status=action,
                                      actor=request.user, meta=RequestMeta.from_request(request))  # type: ignore[arg-type]
        elif action == "cancel":
            services.appointment_cancel(appointment=appointment, actor=request.user,  # type: ignore[arg-type]
                                        meta=RequestMeta.from_request(request), by_client=False)
        elif action == "reschedule":
            form = StaffRescheduleForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("Enter the new start time."))
            target = services.appointment_reschedule(
                appointment=appointment,
                start_at=_local_dt(form.cleaned_data["start"],
                                   timezone.get_current_timezone_name()),
                actor=request.user, meta=RequestMeta.from_request(request))  # type: ignore[arg-type]
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("scheduling:staff-appointment", appointment_id=target.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_availability(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    rule_form = AvailabilityRuleForm()
    calendar_form = ExternalCalendarForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add-rule":
            rule_form = AvailabilityRuleForm(request.POST)
            if rule_form.is_valid():
                rule = rule_form.save(commit=False)
                rule.staff = user
                services.availability_rule_add(rule=rule, meta=RequestMeta.from_request(request))
                return redirect("scheduling:staff-availability")
        elif action == "remove-rule":
            rule = AvailabilityRule.objects.filter(staff=user,
                                                   pk=request.POST.get("rule", "0")).first()
            if rule is None:
                raise Http404
            services.availability_rule_remove(rule=rule, meta=RequestMeta.from_request(request))
            return redirect("scheduling:staff-availability")
        elif action == "add-calendar":
            calendar_form = ExternalCalendarForm(request.POST)
            if calendar_form.is_valid():
                try:
                    services.external_calendar_add(staff=user, meta=RequestMeta.from_request(request),
                                                   **calendar_form.cleaned_data)
                except ServiceError as exc:
                    calendar_form.add_error("url", str(exc))
                else:
                    return redirect("scheduling:staff-availability")
        elif action == "remove-calendar":
            try:
                calendar = ExternalCalendar.objects.filter(
                    staff=user, pk=request.POST.get("calendar", "")).first()
            except (ValueError, TypeError, ValidationError):
                calendar = None
            if calendar is None:
                raise Http404
            services.external_calendar_remove(calendar=calendar, actor=user, meta=RequestMeta.from_request(request))
            return redirect("scheduling:staff-availability")
        elif action == "rotate-feed":
            portal_services.user_calendar_token_rotate(user=user,
                                                       meta=RequestMeta.from_request(request))
            return redirect("scheduling:staff-availability")
    feed_url = ""
    if user.calendar_token:
        feed_url = settings.SITE_URL + reverse("scheduling:staff-feed",
                                               kwargs={"token": user.calendar_token})
    return render(request, "scheduling/staff_availability.html", {
        "rules": AvailabilityRule.objects.filter(staff=user),
        "calendars": selectors.external_calendars_for(staff=user),
        "rule_form": rule_form, "calendar_form": calendar_form, "feed_url": feed_url,
    }, status=400 if rule_form.errors or calendar_form.errors else 200)


# ---------------------------------------------------------------------------
# Services: every staff member sees the list; firm admins create, edit and archive.
# ---------------------------------------------------------------------------
@staff_required
@require_GET
def staff_services(request: HttpRequest) -> HttpResponse:
    return render(request, "scheduling/staff_services.html", {
        "services": selectors.services_for_staff(user=request.user),
        "can_edit": cast(User, request.user).is_firm_admin,
    })


SERVICE_FORM_GROUPS = (
    (_lazy("What it is"), ("name", "slug", "description", "location_kind", "location_detail",
                           "position")),
    (_lazy("Time"), ("duration_minutes", "buffer_before_minutes", "buffer_after_minutes",
                     "min_notice_minutes", "horizon_days", "slot_step_minutes")),
    (_lazy("Price and cancellation"), ("price", "cancel_deadline_hours", "cancel_fee")),
    (_lazy("Who"), ("staff", "audience", "intake_required")),
)


def _service_form_page(request: HttpRequest, service: Service | None) -> HttpResponse:
    currency = firm_get().currency
    instance = service or Service()
    data = request.POST if request.method == "POST" else None
    form = ServiceForm(data, instance=instance, currency=currency)
    steps = PackageStepFormSet(data, instance=instance, prefix="steps")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        actor = cast(User, request.user)
        try:
            if service is None:
                saved = services.service_create(
                    fields=form.service_fields(), staff=list(form.cleaned_data["staff"]),
                    steps=steps.steps(), actor=actor, meta=RequestMeta.from_request(request))
            else:
                saved = services.service_update(
                    service=service, fields=form.service_fields(),
                    staff=list(form.cleaned_data["staff"]), steps=steps.steps(), actor=actor,
                    meta=RequestMeta.from_request(request))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": saved.name})
            return redirect("scheduling:staff-services")
    invalid = bool(form.errors or steps.total_error_count() or steps.non_form_errors())
    groups = [(title, [form[name] for name in names]) for title, names in SERVICE_FORM_GROUPS]
    return render(request, "scheduling/staff_service_form.html", {
        "form": form, "groups": groups, "steps": steps, "service": service,
        "currency": currency,
    }, status=400 if request.method == "POST" and invalid else 200)


@firm_admin_required
@require_http_methods(["GET", "POST"])
def staff_service_new(request: HttpRequest) -> HttpResponse:
    return _service_form_page(request, None)


@firm_admin_required
@require_http_methods(["GET", "POST"])
def staff_service_edit(request: HttpRequest, service_id: Any) -> HttpResponse:
    service = selectors.service_get_for_staff(user=request.user, service_id=service_id)
    return _service_form_page(request, service)


@firm_admin_required
@require_POST
def staff_service_archive(request: HttpRequest, service_id: Any) -> HttpResponse:
    """POST archives the service; POST with restore=1 offers it again."""
    service = selectors.service_get_for_staff(user=request.user, service_id=service_id)
    actor = cast(User, request.user)
    try:
        if request.POST.get("restore") == "1":
            services.service_restore(service=service, actor=actor, meta=RequestMeta.from_request(request))
            messages.success(request, _("“%(name)s” can be booked again.")
                             % {"name": service.name})
        else:
            services.service_archive(service=service, actor=actor, meta=RequestMeta.from_request(request))
            messages.success(request, _("“%(name)s” is archived: it can no longer be booked. "
                                        "Appointments already booked stay as they are.")
                             % {"name": service.name})
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("scheduling:staff-services")
