from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable
from importlib import import_module
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
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


# Session keys of the two per-view facts kept in the session instead of asked of the
# database on every page: when the activity was last recorded, and that TOTP is set up.
ACTIVITY_KEY = "_atrium_seen"
MFA_KEY = "_atrium_totp"
ACTIVITY_INTERVAL_SECONDS = 5 * 60


class SessionActivityMiddleware:
    """allauth's UserSessionsMiddleware, but writing at most once every five minutes.

    allauth updates the session row (last seen, IP, browser) on every view, a write
    transaction per page. Here the time of the last update, with the IP and browser it
    recorded, is kept in the session; a view within five minutes from the same IP and
    browser writes nothing. A new IP or browser is recorded at once (allauth's
    session_client_changed signal still fires).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            settings.USERSESSIONS_TRACK_ACTIVITY
            and session is not None
            and session.session_key
            and user is not None
            and user.is_authenticated
        ):
            seen = [
                int(time.time()),
                get_adapter().get_client_ip(request),
                request.META.get("HTTP_USER_AGENT", "")[:200],
            ]
            last = session.get(ACTIVITY_KEY)
            if not (
                isinstance(last, list)
                and len(last) == 3
                and last[1:] == seen[1:]
                and 0 <= seen[0] - last[0] < ACTIVITY_INTERVAL_SECONDS
            ):
                UserSession.objects.create_from_request(request)
                session[ACTIVITY_KEY] = seen
        return self.get_response(request)


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
            and not _has_totp(request)
        ):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(request: HttpRequest) -> bool:
    """Whether the signed-in person has TOTP set up, asked once per session.

    Only a yes is remembered (with the user's id); removing a TOTP authenticator clears it
    from every session of that person (portal.receivers).
    """
    session = request.session
    if session.get(MFA_KEY) == request.user.pk:
        return True
    found = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
    if found:
        session[MFA_KEY] = request.user.pk
    return found


def forget_totp_in_sessions(user_id: Any, request: HttpRequest | None = None) -> None:
    """Drop the remembered TOTP state from every session of this person."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(MFA_KEY, None)
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    current = getattr(getattr(request, "session", None), "session_key", None)
    for key in UserSession.objects.filter(user_id=user_id).values_list("session_key", flat=True):
        if key == current:
            continue
        store = store_class(session_key=key)
        if store.exists(key) and MFA_KEY in store:
            del store[MFA_KEY]
            store.save(must_create=False)
