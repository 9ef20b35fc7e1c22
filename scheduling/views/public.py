"""The public booking pages: the list of services and booking one."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ServiceError
from core.http import RequestMeta
from core.time import (
    format_long_datetime,
    format_short_time,
    parse_date,
)
from core.validators import date_in_sane_range
from portal import selectors as portal_selectors
from scheduling import selectors, services
from scheduling.forms import SMS_CONSENT_TEXT, SMS_CONSENT_VERSION, BookingForm
from scheduling.http import detail_url, embed_csrf, embed_response, rate_limited, viewer_zone
from scheduling.models import Service
from scheduling.views.month_page import month_context, month_days, month_param

if TYPE_CHECKING:
    from portal.models import User


@require_GET
def book(request: HttpRequest) -> HttpResponse:
    services_ = selectors.services_bookable(user=request.user)
    embed = request.GET.get("embed") == "1"
    return embed_response(
        request, render(request, "scheduling/book.html", {"services": services_, "embed": embed})
    )


def _who(option: selectors.TimeOption, *, names: dict[int, str], person: User | None) -> str:
    if person is not None:
        return names.get(person.pk, "")
    if len(option.staff_ids) == 1:
        return names.get(option.staff_ids[0], "")
    return _anyone_text() % {"names": ", ".join(names.get(i, "") for i in option.staff_ids)}


def _anyone_text() -> str:
    return _("Anyone available: %(names)s")


def _day_times(
    month: selectors.BookingMonth,
    day: dt.date | None,
    *,
    zone: ZoneInfo,
    names: dict[int, str],
    person: User | None,
) -> list[dict[str, str]]:
    """The shown day's times for the page itself (it works without the script)."""
    if day is None or day not in month.times:
        return []
    language = translation.get_language()
    return [
        {
            "iso": o.start.isoformat(),
            "time": format_short_time(o.start, zone=zone, language=language),
            "ids": " ".join(str(i) for i in o.staff_ids),
            "person": _who(o, names=names, person=person),
        }
        for o in month.times[day]
    ]


@csrf_exempt  # enforced below, except in embed mode (see embed_csrf)
@require_http_methods(["GET", "POST"])
def book_service(request: HttpRequest, slug: str) -> HttpResponse:
    """Three screens: the month with its free days and times, the summary with the
    booker's details on the same page (in place with JavaScript, a page load without),
    then the confirmation."""
    refused = embed_csrf(request)
    if refused is not None:
        return refused
    invite = (request.GET.get("invite") or request.POST.get("invite") or "")[:300]
    try:
        service = selectors.service_get_for_booking(
            slug=slug, user=request.user, invite=invite, with_steps=True
        )
    except Http404:
        problem = selectors.invitation_problem(slug=slug, token=invite) if invite else None
        if problem is None:
            raise
        return _invitation_refused(request, problem.message)
    invited = (
        selectors.invitation_check(service=service, token=invite).invitation
        if invite and service.audience == Service.Audience.INVITED
        else None
    )
    asked_tz = (request.GET.get("tz") or "")[:64]
    tz = viewer_zone(request)
    zone = ZoneInfo(tz)
    people = selectors.service_people(service)
    wanted = request.GET.get("staff") or request.POST.get("staff") or ""
    chosen_person = next((p for p in people if str(p.id) == wanted), None)
    person = (
        next((m for m in service.offering_staff() if m.pk == chosen_person.id), None)
        if chosen_person
        else None
    )
    chosen = request.GET.get("start") or request.POST.get("start") or ""
    chosen_dt = None
    try:
        chosen_dt = dt.datetime.fromisoformat(chosen).astimezone(zone) if chosen else None
    except (ValueError, OverflowError):
        chosen_dt = None
    if chosen_dt is not None and not date_in_sane_range(chosen_dt):
        chosen_dt = None
    asked_day = parse_date(request.GET.get("date"), default=dt.date.min)
    if asked_day == dt.date.min and chosen_dt is not None:
        asked_day = chosen_dt.date()
    month = selectors.booking_month(
        service=service,
        zone=zone,
        month=month_param(request.GET.get("month"))
        or (asked_day if asked_day != dt.date.min else None),
        staff=[person] if person is not None else None,
    )
    day = asked_day if asked_day in month.times else month.first_free
    me = portal_selectors.contact_for_user(request.user)
    if invited is not None and invited.origin == invited.Origin.STAFF:
        me = invited.contact  # a personal invitation: the booking is theirs
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
            if result == INVITATION_REFUSED:
                return _invitation_refused(request, str(form.non_field_errors()[0]))
            if isinstance(result, list):
                # A held booking goes on to its first step (a form, a payment).
                return redirect(result.next_url or detail_url(result[0], request))
            status = result
    steps = list(service.steps.all())
    plan = None
    if steps and chosen_dt is not None:
        plan = selectors.package_preview(package=service, start=chosen_dt, staff=person)
    names = selectors.staff_names(service)
    labels, month_data = month_days(month, zone=zone)
    times = _day_times(month, day, zone=zone, names=names, person=person)
    keep = {
        k: v
        for k, v in (
            ("tz", tz),
            ("staff", str(person.pk) if person else ""),
            ("embed", "1" if request.GET.get("embed") == "1" else ""),
            ("invite", invite),
        )
        if v
    }
    chosen_label = ""
    chosen_person_name = ""
    if chosen_dt is not None:
        chosen_label = format_long_datetime(chosen_dt, zone=zone)
        found = next((t for t in times if t["iso"] == chosen_dt.isoformat()), None)
        chosen_person_name = (
            found["person"] if found else (chosen_person.name if chosen_person else "")
        )
    context = {
        "service": service,
        **month_context(month, day=day, labels=labels),
        "times": times,
        "month_data": {
            "days": month_data,
            "names": {str(k): v for k, v in names.items()},
            "person": str(person.pk) if person else "",
            "anyone": _anyone_text(),
        },
        "tz": tz,
        "tz_error": bool(asked_tz) and asked_tz != tz,
        "tz_suggestions": _zone_suggestions(tz),
        "zone": zone,
        "keep": urlencode(keep),
        "form": form,
        "chosen": chosen,
        "chosen_dt": chosen_dt,
        "chosen_label": chosen_label,
        "chosen_person_name": chosen_person_name,
        # One person: their card, nothing to pick; more: each of them or anyone.
        "people": people,
        "people_choice": len(people) > 1,
        "person": chosen_person,
        "staff_names": names,
        "embed": request.GET.get("embed") == "1",
        "invite": invite,
        "steps": steps,
        "place": selectors.service_place(service),
        "terms": selectors.service_terms(service),
        "price": selectors.price_text(service),
        "plan": plan,
        "plan_key": selectors.plan_fingerprint(plan) if plan else "",
        "booking_paused": not labels and selectors.online_booking_paused(service),
    }
    return embed_response(
        request, render(request, "scheduling/book_service.html", context, status=status)
    )


# book_from_form's status when the invitation can no longer book.
INVITATION_REFUSED = 410


def _invitation_refused(request: HttpRequest, message: str) -> HttpResponse:
    """A used, expired, withdrawn, foreign or unknown invitation: a clear page."""
    response = render(
        request,
        "scheduling/invitation_refused.html",
        {"message": message, "embed": request.GET.get("embed") == "1"},
        status=INVITATION_REFUSED,
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return embed_response(request, response)


# Offered under "change" beside the detected zone (any IANA name may be typed).
COMMON_ZONES = (
    "Europe/Warsaw",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Rome",
    "Europe/Vilnius",
    "Europe/Kyiv",
    "Europe/Minsk",
    "Europe/Moscow",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Mexico_City",
    "America/Bogota",
    "America/Buenos_Aires",
    "America/Sao_Paulo",
    "UTC",
)


def _zone_suggestions(current: str) -> list[str]:
    return [current, *(z for z in COMMON_ZONES if z != current)]


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
        staff = next((s for s in service.offering_staff() if s.pk == data["staff"]), None)
        if staff is None:
            form.add_error("staff", _("This lawyer does not offer this service."))
            return 400
    booker = services.BookerData(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=str(data.get("phone") or ""),
        language=request.LANGUAGE_CODE or "en",
        sms_consent_text=str(SMS_CONSENT_TEXT) if data.get("sms_opt_in") else "",
        sms_consent_version=SMS_CONSENT_VERSION,
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
            invitation=data.get("invite") or "",
        )
    except services.InvitationRefused as exc:
        form.add_error(None, str(exc))
        return INVITATION_REFUSED
    except services.SlotTaken as exc:
        form.add_error("start", str(exc))
        return 409
    except ServiceError as exc:
        form.add_error("start", str(exc))
        return 400
