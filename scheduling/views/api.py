"""The JSON API the booking page (and the firm's own website) calls."""

from __future__ import annotations

import json
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import form_errors
from core.links import absolute_url
from core.time import day_window
from scheduling import selectors, slots_cache
from scheduling.forms import (
    BookingForm,
    SlotsQueryForm,
)
from scheduling.http import AnonymousBooker, cors_response, rate_limited
from scheduling.views.public import book_from_form

# The public API's description, kept in the repository beside the code it describes;
# schemathesis checks the running site against it in CI (.ci/run).
OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi.json"


@require_GET
def api_openapi(request: HttpRequest) -> HttpResponse:
    return cors_response(
        request, HttpResponse(OPENAPI_PATH.read_bytes(), content_type="application/json")
    )


@require_GET
def api_slots(request: HttpRequest) -> HttpResponse:
    return cors_response(request, _api_slots(request))


def _api_slots(request: HttpRequest) -> HttpResponse:
    form = SlotsQueryForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form_errors(form)}, status=400)
    data = form.cleaned_data
    invite = request.GET.get("invite", "")
    key = slots_cache.response_key(
        service=data["service"],
        start=data["start"],
        end=data["end"],
        tz=data["tz"],
        staff=data.get("staff"),
        duration=data.get("duration"),
        invite=invite,
        language=get_language() or "",
    )
    version, body = slots_cache.cached_response(key)
    if body is not None:
        return HttpResponse(body, content_type="application/json")
    try:
        # The API is anonymous (callable from the firm's site): invited-only services need
        # their invitation, client-only ones are not offered here.
        service = selectors.service_get_for_slots(
            slug=data["service"], invite=invite, version=version
        )
    except Http404:
        return JsonResponse({"errors": {"service": [_("There is no such service.")]}}, status=400)
    if data.get("duration") and data["duration"] != service.duration_minutes:
        return JsonResponse(
            {
                "errors": {
                    "duration": [
                        _("This service lasts %(minutes)d minutes.")
                        % {"minutes": service.duration_minutes}
                    ]
                }
            },
            status=400,
        )
    zone = ZoneInfo(data["tz"])
    staff = None
    if data.get("staff"):
        staff = [s for s in service.offering_staff() if s.pk == data["staff"]]
        if not staff:
            return JsonResponse(
                {"errors": {"staff": [_("This lawyer does not offer this service.")]}}, status=400
            )
    start, end = day_window(start=data["start"], end=data["end"], zone=zone)
    payload, valid_until = selectors.slots_payload(
        service=service, zone=zone, start=start, end=end, staff=staff
    )
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    slots_cache.cache_response(
        key,
        version=version,
        body=body,
        valid_until=min(valid_until, time.time() + settings.ATRIUM_SLOTS_CACHE_SECONDS),
    )
    return HttpResponse(body, content_type="application/json")


@csrf_exempt  # called cross-site by the firm's website; it never acts as a signed-in user
@require_http_methods(["POST", "OPTIONS"])
def api_bookings(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return cors_response(request, HttpResponse(status=204))
    return cors_response(request, _api_bookings(request))


def _api_bookings(request: HttpRequest) -> JsonResponse:
    if rate_limited(request):
        return JsonResponse(
            {
                "errors": {
                    "__all__": [
                        _("Too many bookings from this connection. Please try again later.")
                    ]
                }
            },
            status=429,
        )
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep
            return JsonResponse(
                {"errors": {"__all__": [_("The request is not valid JSON.")]}}, status=400
            )
        if not isinstance(payload, dict):
            return JsonResponse({"errors": {"__all__": [_("Send a JSON object.")]}}, status=400)
        payload = {k: "" if v is None else str(v) for k, v in payload.items()}
    else:
        payload = request.POST
    form = BookingForm(payload)
    if not form.is_valid():
        return JsonResponse({"errors": form_errors(form)}, status=400)
    try:
        service = selectors.service_get_for_booking(
            slug=form.cleaned_data["service"],
            user=None,
            invite=form.cleaned_data["invite"],
            with_steps=True,
        )
    except Http404:
        invite = form.cleaned_data["invite"]
        problem = (
            selectors.invitation_problem(slug=form.cleaned_data["service"], token=invite)
            if invite
            else None
        )
        if problem is not None:
            return JsonResponse({"errors": {"invite": [problem.message]}}, status=410)
        return JsonResponse({"errors": {"service": [_("There is no such service.")]}}, status=400)
    # The API books as nobody: never as whoever's session cookie came along.
    request.user = AnonymousBooker()  # type: ignore[assignment]  # a stand-in, not a User
    result = book_from_form(request, form, service)
    if isinstance(result, int):
        return JsonResponse({"errors": form_errors(form)}, status=result)
    first = result[0]
    return JsonResponse(
        {
            "reference": str(first.pk),
            # "held": the time is kept until hold_expires_at while the booker finishes the
            # steps at next_url; "booked": confirmed.
            "status": first.status,
            "next_url": absolute_url(result.next_url) if result.next_url else None,
            "hold_expires_at": (
                first.hold_expires_at.isoformat() if result.held and first.hold_expires_at else None
            ),
            "appointments": [
                {
                    "reference": str(a.pk),
                    "service": a.service.slug,
                    "start": a.start_at.isoformat(),
                    "end": a.end_at.isoformat(),
                    "staff": a.staff.get_full_name(),
                }
                for a in result
            ],
            "links": selectors.appointment_manage_links(appointment=first),
        },
        status=201,
    )
