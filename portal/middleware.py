from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation

from core.validators import available_time_zones
from portal.selectors import firm_get

TZ_COOKIE = "atrium_tz"


class UserPreferencesMiddleware:
    """Activate the viewer's language and time zone.

    A signed-in person's saved choice wins; otherwise the zone their browser reported
    (a cookie set by static/js/atrium.js), otherwise the firm's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        tz_name = ""
        if user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            tz_name = user.time_zone
        if not tz_name:
            cookie = request.COOKIES.get(TZ_COOKIE, "")
            tz_name = cookie if cookie in available_time_zones() else firm_get().time_zone
        timezone.activate(zoneinfo.ZoneInfo(tz_name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# Paths a staff member may reach before enrolling in MFA: the enrolment itself, signing
# out, static files and the health check.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/branding/")


class StaffMfaRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.ATRIUM_REQUIRE_STAFF_MFA
            and user.is_authenticated
            and (user.is_staff or user.role != "client")
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
            and not _has_totp(user)
        ):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user: object) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
