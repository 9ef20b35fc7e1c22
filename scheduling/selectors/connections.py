"""Calendar connections as staff see them: their health, the reason in words, the banner.

A staff member sees and manages their own connections; firm admins see everyone's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.http import uuid_or_404
from core.links import absolute_url
from scheduling import google, msgraph
from scheduling.models import ExternalCalendar, ExternalEventLink

if TYPE_CHECKING:
    from portal.models import User

Health = ExternalCalendar.Health
# A fail-closed connection not read for this long hides its owner's online slots.
STALE_AFTER = dt.timedelta(hours=2)


def _visible(user: User) -> QuerySet[ExternalCalendar]:
    rows = ExternalCalendar.objects.select_related("staff")
    return rows if user.is_firm_admin else rows.filter(staff=user)


def calendar_connections_visible_to(*, user: User) -> list[ExternalCalendar]:
    """The connections this staff member may manage: their own, or all for firm admins."""
    return list(_visible(user).order_by("staff__last_name", "staff__first_name", "name"))


def calendar_connection_get(*, user: User, calendar_id: Any) -> ExternalCalendar:
    row = _visible(user).filter(pk=uuid_or_404(calendar_id)).first()
    if row is None:
        raise Http404
    return row


def _reconnect_line(provider: str) -> str:
    if provider == ExternalCalendar.Provider.GOOGLE:
        return _("Reconnect Google Calendar: the authorisation expired or was withdrawn.")
    if provider == ExternalCalendar.Provider.MICROSOFT:
        return _("Reconnect Microsoft 365: the authorisation expired or was withdrawn.")
    return _("Reconnect this calendar: the authorisation expired or was withdrawn.")


def calendar_reason(code: str, provider: str = "") -> str:
    """What went wrong and what fixes it, for a stored error code (and the provider)."""
    if code == "auth" and provider in (
        ExternalCalendar.Provider.GOOGLE,
        ExternalCalendar.Provider.MICROSOFT,
    ):
        code = "auth_expired"
    if code == "auth_expired":
        return _reconnect_line(provider)
    if code == "auth_testing":
        return " ".join(
            [
                _reconnect_line(provider),
                _(
                    "Your Google OAuth app is in Testing mode, which ends every authorisation "
                    "after 7 days: publish it, or mark it Internal (Google Workspace)."
                ),
            ]
        )
    reasons = {
        "auth": _(
            "The calendar refused the user name or app password: reconnect it with a new "
            "app password."
        ),
        "gone": _(
            "The calendar address no longer works: copy the current secret address from your "
            "calendar and add it again."
        ),
        "secret": _("The stored password cannot be read with the server's keys: reconnect it."),
        "not_public": _("This calendar address is not on the public internet."),
        "not_http": _("The address must start with https://."),
        "too_large": _("The calendar is too large."),
        "too_many_redirects": _("The calendar address redirects too often."),
        "timeout": _("The calendar did not answer in time; Atrium keeps trying."),
        "unreachable": _("The calendar server could not be reached; Atrium keeps trying."),
        "server_error": _("The calendar server had an error; Atrium keeps trying."),
        "rate_limited": _("The calendar server asked Atrium to slow down; it will retry later."),
        "unreadable": _("The calendar's answer could not be read."),
        "no_calendar": _("The chosen calendar is no longer on the server: choose it again."),
        "scope": _(
            "Atrium was not given access to the calendars: reconnect and allow every "
            "permission asked for."
        ),
        "conflict": _("The calendar event was being changed elsewhere; Atrium tries again."),
        "other_site": _(
            "The server sent Atrium to another site; the password is never sent there. "
            "Enter the address your provider gives for CalDAV."
        ),
    }
    if code in reasons:
        return str(reasons[code])
    if code.startswith("http_"):
        return _("The calendar answered with error %(status)s.") % {"status": code[5:]}
    return _("The calendar could not be read.") if code else ""


BROKEN_CACHE_KEY = "atrium:scheduling:broken-calendars:v2"


def broken_connections_for_banner(*, user: User) -> list[dict[str, Any]]:
    """BROKEN connections this staff member should hear about (theirs; all for admins).

    The firm-wide list is cached for 60 s and dropped whenever a connection's health
    changes (services.calendars), so every staff page costs no query on a hit.
    """
    rows = cache.get(BROKEN_CACHE_KEY)
    if rows is None:
        rows = [
            {
                "id": str(pk),
                "name": name,
                "staff_id": staff_id,
                "code": code,
                "provider": provider,
            }
            for pk, name, staff_id, code, provider in ExternalCalendar.objects.filter(
                status=Health.BROKEN, staff__is_active=True
            )
            .order_by("name")
            .values_list("pk", "name", "staff_id", "last_error", "provider")[:50]
        ]
        cache.set(BROKEN_CACHE_KEY, rows, 60)
    mine = [r for r in rows if user.is_firm_admin or r["staff_id"] == user.pk]
    return [{**r, "reason": calendar_reason(r["code"], r.get("provider", ""))} for r in mine[:10]]


def broken_connection_count() -> int:
    return ExternalCalendar.objects.filter(status=Health.BROKEN, staff__is_active=True).count()


OFFLINE_CACHE_KEY = "atrium:scheduling:offline-staff:v1"


def staff_offline_ids(*, staff_ids: Iterable[Any], now: dt.datetime | None = None) -> set[Any]:
    """Staff whose fail-closed connection has not been read for 2 hours: no online slots.

    The firm-wide set is cached for 60 s (the threshold is hours; health changes drop it),
    so a slot request costs no query for it.
    """
    now = now or timezone.now()
    offline = cache.get(OFFLINE_CACHE_KEY)
    if offline is None:
        cutoff = now - STALE_AFTER
        offline = set(
            ExternalCalendar.objects.filter(fail_closed=True)
            .exclude(status=Health.DISCONNECTED)
            .filter(
                Q(last_success_at__lt=cutoff)
                | Q(last_success_at__isnull=True, created_at__lt=cutoff)
            )
            .values_list("staff_id", flat=True)
        )
        cache.set(OFFLINE_CACHE_KEY, offline, 60)
    return {pk for pk in staff_ids if pk in offline}


def calendar_changes_flagged(*, user: User) -> list[ExternalEventLink]:
    """Atrium events edited or deleted in the staff member's calendar app, still unresolved."""
    rows = ExternalEventLink.objects.select_related(
        "appointment__service", "appointment__contact", "calendar"
    ).filter(external_change_seen_at__isnull=False)
    if not user.is_firm_admin:
        rows = rows.filter(calendar__staff=user)
    return list(rows.order_by("appointment__start_at")[:50])


def calendar_change_get(*, user: User, link_id: Any) -> ExternalEventLink:
    """One flagged event of a connection this staff member manages (404 otherwise)."""
    try:
        pk = int(str(link_id))
    except ValueError:
        raise Http404 from None
    rows = ExternalEventLink.objects.select_related("calendar").filter(pk=pk)
    if not user.is_firm_admin:
        rows = rows.filter(calendar__staff=user)
    link = rows.first()
    if link is None:
        raise Http404
    return link


def calendar_connections_for_sync(*, staff: User | None = None) -> list[ExternalCalendar]:
    """Connections to read (all active staff, or one): the shell's `calendar_sync`."""
    rows = (
        ExternalCalendar.objects.select_related("staff")
        .filter(staff__is_active=True)
        .exclude(status=Health.DISCONNECTED)
    )
    if staff is not None:
        rows = rows.filter(staff=staff)
    return list(rows.order_by("staff__email", "name"))


# --- Google and Microsoft: the firm's own app registrations -----------------------------

OAUTH_PROVIDERS = (ExternalCalendar.Provider.GOOGLE, ExternalCalendar.Provider.MICROSOFT)
GOOGLE_SCOPES_SHOWN = google.SCOPES
MICROSOFT_PERMISSIONS_SHOWN = ("offline_access", *msgraph.SCOPES)
_GOOGLE_CLIENT_ID = re.compile(r"^[0-9]+-[a-z0-9]+\.apps\.googleusercontent\.com$")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def oauth_provider_configured(provider: str) -> bool:
    if provider == ExternalCalendar.Provider.GOOGLE:
        return bool(settings.ATRIUM_GOOGLE_CLIENT_ID and settings.ATRIUM_GOOGLE_CLIENT_SECRET)
    if provider == ExternalCalendar.Provider.MICROSOFT:
        return bool(settings.ATRIUM_MICROSOFT_CLIENT_ID and settings.ATRIUM_MICROSOFT_CLIENT_SECRET)
    return False


def oauth_redirect_uri(provider: str) -> str:
    """The one redirect URI to register with the provider (always from SITE_URL)."""
    return absolute_url(
        reverse("scheduling:calendar-oauth-callback", kwargs={"provider": provider})
    )


def _check(ok: bool, good: str, bad: str) -> dict[str, Any]:
    return {"ok": ok, "text": good if ok else bad}


def _redirect_checks(uri: str, visited_host: str) -> list[dict[str, Any]]:
    parts = urlsplit(uri)
    local = parts.hostname in ("localhost", "127.0.0.1")
    checks = [
        _check(
            parts.scheme == "https" or local,
            _("The redirect URI uses https (only a localhost address may use http)."),
            _(
                "The redirect URI uses http: Google and Microsoft accept http only for "
                "localhost. Set SITE_URL to the site's https address."
            ),
        )
    ]
    if visited_host and parts.netloc and visited_host.lower() != parts.netloc.lower():
        checks.append(
            {
                "ok": False,
                "text": _(
                    "You opened this page at %(visited)s, but SITE_URL names %(site)s: the "
                    "provider sends people back to SITE_URL, so register that address or fix "
                    "SITE_URL."
                )
                % {"visited": visited_host, "site": parts.netloc},
            }
        )
    return checks


def calendar_setup_checks(*, visited_host: str = "") -> list[dict[str, Any]]:
    """What the setup page shows for each provider: what to register, and what is wrong."""
    google_uri = oauth_redirect_uri(ExternalCalendar.Provider.GOOGLE)
    microsoft_uri = oauth_redirect_uri(ExternalCalendar.Provider.MICROSOFT)
    google_id = settings.ATRIUM_GOOGLE_CLIENT_ID.strip()
    microsoft_id = settings.ATRIUM_MICROSOFT_CLIENT_ID.strip()
    testing = ExternalCalendar.objects.filter(
        provider=ExternalCalendar.Provider.GOOGLE, last_error="auth_testing"
    ).exclude(status=Health.DISCONNECTED)
    google_id_ok = bool(_GOOGLE_CLIENT_ID.match(google_id))
    microsoft_id_ok = bool(_GUID.match(microsoft_id))
    google = [
        *_redirect_checks(google_uri, visited_host),
        _check(
            google_id_ok,
            _("ATRIUM_GOOGLE_CLIENT_ID is set and looks like a web client id."),
            _(
                "ATRIUM_GOOGLE_CLIENT_ID is missing or is not a web client id (it ends with "
                ".apps.googleusercontent.com)."
            ),
        ),
        _check(
            bool(settings.ATRIUM_GOOGLE_CLIENT_SECRET),
            _("ATRIUM_GOOGLE_CLIENT_SECRET is set."),
            _("ATRIUM_GOOGLE_CLIENT_SECRET is missing."),
        ),
        _check(
            not testing.exists(),
            _(
                "No connection has lost its authorisation after 7 days. If one does twice, "
                "the app is in Testing mode."
            ),
            _(
                "Google ended an authorisation 7 days after it was given, twice: the OAuth "
                "app is in Testing mode. Publish it, or mark it Internal (Google Workspace)."
            ),
        ),
    ]
    microsoft = [
        *_redirect_checks(microsoft_uri, visited_host),
        _check(
            microsoft_id_ok,
            _("ATRIUM_MICROSOFT_CLIENT_ID is set and is an application (client) id."),
            _(
                "ATRIUM_MICROSOFT_CLIENT_ID is missing or is not an application (client) id "
                "(a GUID such as 1b2c3d4e-…)."
            ),
        ),
        _check(
            bool(settings.ATRIUM_MICROSOFT_CLIENT_SECRET),
            _("ATRIUM_MICROSOFT_CLIENT_SECRET is set."),
            _("ATRIUM_MICROSOFT_CLIENT_SECRET is missing."),
        ),
    ]
    return [
        {
            "provider": ExternalCalendar.Provider.GOOGLE,
            "label": ExternalCalendar.Provider.GOOGLE.label,
            "redirect_uri": google_uri,
            "scopes": GOOGLE_SCOPES_SHOWN,
            "checks": google,
            "ready": all(c["ok"] for c in google[:-1]),
            "configured": oauth_provider_configured(ExternalCalendar.Provider.GOOGLE),
        },
        {
            "provider": ExternalCalendar.Provider.MICROSOFT,
            "label": ExternalCalendar.Provider.MICROSOFT.label,
            "redirect_uri": microsoft_uri,
            "scopes": MICROSOFT_PERMISSIONS_SHOWN,
            "tenant": settings.ATRIUM_MICROSOFT_TENANT,
            "checks": microsoft,
            "ready": all(c["ok"] for c in microsoft),
            "configured": oauth_provider_configured(ExternalCalendar.Provider.MICROSOFT),
        },
    ]
