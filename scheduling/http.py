"""HTTP helpers of the booking pages: embed mode, CORS, the booking rate limit, the
viewer's zone and who acts through a manage link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import timezone

from core.http import rate_limited as core_rate_limited
from core.validators import available_time_zones
from scheduling.models import Appointment

if TYPE_CHECKING:
    from portal.models import User


def viewer_zone(request: HttpRequest) -> str:
    tz = request.GET.get("tz") or request.POST.get("time_zone") or ""
    if tz in available_time_zones():
        return tz
    return timezone.get_current_timezone_name()


def rate_limited(request: HttpRequest) -> bool:
    """A fixed window per client address for booking writes (cache-backed, all workers)."""
    return core_rate_limited(
        request,
        scope="scheduling:book",
        limit=settings.ATRIUM_BOOKING_RATE_LIMIT,
        window=settings.ATRIUM_BOOKING_RATE_WINDOW,
    )


def embed_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Embed mode (?embed=1): only the firm's own origins may frame the booking pages."""
    if request.GET.get("embed") == "1":
        # The page keeps the whole Content-Security-Policy; only frame-ancestors widens.
        ancestors = {"frame-ancestors": ["'self'", *settings.ATRIUM_BOOKING_FRAME_ANCESTORS]}
        response.xframe_options_exempt = True
        # django-csp's middleware reads these (its decorators set the same attributes).
        response._csp_replace = ancestors  # type: ignore[attr-defined]  # django-csp's own attribute
        response._csp_replace_ro = ancestors  # type: ignore[attr-defined]  # the same, report-only
    return response


def embed_csrf(request: HttpRequest) -> HttpResponse | None:
    """CSRF for the booking form, except when embedded in the firm's site.

    Inside a cross-site frame the browser does not send our SameSite=Lax CSRF cookie, so
    embedded bookings cannot carry a token. An embedded request is therefore treated as
    anonymous (the session is ignored), which leaves a forged POST nothing to act as.
    """
    if request.GET.get("embed") == "1":
        request.user = AnonymousBooker()  # type: ignore[assignment]  # a stand-in, not a User
        return None
    if request.method != "POST":
        return None

    def _view(request: HttpRequest) -> HttpResponse:  # stands for the view being checked
        return HttpResponse()

    return CsrfViewMiddleware(_view).process_view(request, _view, (), {})


def cors_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let the firm's own website (ATRIUM_BOOKING_FRAME_ANCESTORS) call the API from a page."""
    origin = request.headers.get("origin", "")
    if origin and origin in settings.ATRIUM_BOOKING_FRAME_ANCESTORS:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
    return response


def signed_in(request: HttpRequest) -> User | None:
    """Who acts through a manage link: the signed-in person, if any (the audit names them)."""
    return request.user if request.user.is_authenticated else None


def detail_url(appointment: Appointment, request: HttpRequest) -> str:
    url = reverse("scheduling:booking-detail", kwargs={"token": appointment.manage_token})
    return url + ("?embed=1" if request.GET.get("embed") == "1" else "")


class AnonymousBooker:
    is_authenticated = False
    is_firm_staff = False
    is_client = False
