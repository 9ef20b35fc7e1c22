"""Calendar connections as staff see them: their health, the reason in words, the banner.

A staff member sees and manages their own connections; firm admins see everyone's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.http import uuid_or_404
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


def calendar_reason(code: str) -> str:
    """What went wrong and what fixes it, for a stored error code."""
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


BROKEN_CACHE_KEY = "atrium:scheduling:broken-calendars:v1"


def broken_connections_for_banner(*, user: User) -> list[dict[str, Any]]:
    """BROKEN connections this staff member should hear about (theirs; all for admins).

    The firm-wide list is cached for 60 s and dropped whenever a connection's health
    changes (services.calendars), so every staff page costs no query on a hit.
    """
    rows = cache.get(BROKEN_CACHE_KEY)
    if rows is None:
        rows = [
            {"id": str(pk), "name": name, "staff_id": staff_id, "code": code}
            for pk, name, staff_id, code in ExternalCalendar.objects.filter(
                status=Health.BROKEN, staff__is_active=True
            )
            .order_by("name")
            .values_list("pk", "name", "staff_id", "last_error")[:50]
        ]
        cache.set(BROKEN_CACHE_KEY, rows, 60)
    mine = [r for r in rows if user.is_firm_admin or r["staff_id"] == user.pk]
    return [{**r, "reason": calendar_reason(r["code"])} for r in mine[:10]]


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
