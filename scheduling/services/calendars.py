"""Calendar connections: adding, disconnecting, importing, and their health (spec §5).

Every read of a connection ends in `connection_succeeded` or `connection_failed`, which
move it between OK, DEGRADED and BROKEN. Becoming BROKEN queues one alert (the staff
member and the firm admins) in the same transaction; the next success clears it, so the
following breakage alerts again. Stored errors are short codes, never the secret address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.fetch import FetchRefused, fetch_public
from core.http import RequestMeta
from core.links import absolute_url
from notifications.outbox import object_key
from notifications.services import notice_queue
from portal import selectors as portal_selectors
from scheduling import ics, selectors
from scheduling.audit_actions import SchedulingAction
from scheduling.models import Appointment, BusyTime, ExternalCalendar
from scheduling.selectors.connections import BROKEN_CACHE_KEY, OFFLINE_CACHE_KEY, STALE_AFTER
from scheduling.slots_cache import availability_changed

if TYPE_CHECKING:
    from portal.models import User

Health = ExternalCalendar.Health

# Failures in a row that make a connection BROKEN (about 30 min at 5-minute polling).
BROKEN_AFTER_FAILURES = 6
# Errors that no retry will fix: the connection is BROKEN at once.
FATAL_ERRORS = frozenset(
    {"auth", "auth_expired", "auth_testing", "scope", "gone", "not_public", "not_http", "secret"}
)
CALENDAR_BROKEN_NOTICE = "calendar_broken"

IMPORT_DAYS_BACK = 1
IMPORT_DAYS_AHEAD = 120
MAX_FEED_BYTES = 5 * 1024 * 1024


def external_calendar_add(
    *,
    staff: User,
    name: str,
    url: str,
    fail_closed: bool = False,
    actor: User | None = None,
    meta: RequestMeta | None = None,
) -> ExternalCalendar:
    url = url.strip()
    if url.startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    if not url.startswith(("https://", "http://")) or len(url) > 1000:
        raise ServiceError(
            _("Paste the secret address in iCal format (it starts with https:// or webcal://).")
        )
    with transaction.atomic():
        calendar = ExternalCalendar(
            staff=staff, name=name or _("My calendar"), url=url, fail_closed=fail_closed
        )
        calendar.full_clean()
        calendar.save()
        audit_record(
            action=SchedulingAction.CALENDAR_ADDED, actor=actor or staff, meta=meta, obj=calendar
        )
    return calendar


def external_calendar_remove(
    *, calendar: ExternalCalendar, actor: User, meta: RequestMeta | None = None
) -> None:
    with transaction.atomic():
        _health_changed()
        audit_record(action=SchedulingAction.CALENDAR_REMOVED, actor=actor, meta=meta, obj=calendar)
        calendar.delete()


def calendar_disconnect(
    *, calendar: ExternalCalendar, actor: User, meta: RequestMeta | None = None
) -> None:
    """Forget the secret and the imported busy times; the row stays, DISCONNECTED."""
    with transaction.atomic():
        BusyTime.objects.filter(calendar=calendar).delete()
        calendar.status = Health.DISCONNECTED
        calendar.url = "" if calendar.provider == ExternalCalendar.Provider.ICS else calendar.url
        calendar.secret_encrypted = ""
        calendar.sync_state = {}
        calendar.last_error = ""
        calendar.broken_at = None
        calendar.consecutive_failures = 0
        calendar.token_expires_at = None
        calendar.push_channel_id = calendar.push_resource_id = calendar.push_secret_hash = ""
        calendar.push_expires_at = None
        calendar.save(
            update_fields=[
                "status",
                "url",
                "secret_encrypted",
                "sync_state",
                "last_error",
                "broken_at",
                "consecutive_failures",
                "token_expires_at",
                "push_channel_id",
                "push_resource_id",
                "push_secret_hash",
                "push_expires_at",
            ]
        )
        audit_record(
            action=SchedulingAction.CALENDAR_DISCONNECTED, actor=actor, meta=meta, obj=calendar
        )
        _health_changed()


def calendar_settings_update(
    *, calendar: ExternalCalendar, actor: User, fail_closed: bool, meta: RequestMeta | None = None
) -> None:
    with transaction.atomic():
        calendar.fail_closed = fail_closed
        calendar.save(update_fields=["fail_closed"])
        _health_changed()
        audit_record(
            action=SchedulingAction.CALENDAR_CHANGED,
            actor=actor,
            meta=meta,
            obj=calendar,
            data={"fail_closed": fail_closed},
        )


# --- health -----------------------------------------------------------------------------


def _health_changed() -> None:
    """Drop the banner's and the offline staff's cached lists now and after the commit (a
    reader may refill them between), and retire cached slots (fail-closed staff)."""
    cache.delete_many([BROKEN_CACHE_KEY, OFFLINE_CACHE_KEY])
    transaction.on_commit(lambda: cache.delete_many([BROKEN_CACHE_KEY, OFFLINE_CACHE_KEY]))
    availability_changed()


# A connection that works again: OK, no failures counted, no alert or back-off pending.
HEALTH_RESET: dict[str, Any] = {
    "status": Health.OK,
    "consecutive_failures": 0,
    "last_error": "",
    "broken_at": None,
    "alerted_at": None,
    "retry_after": None,
}


def health_reset(calendar: ExternalCalendar) -> None:
    """Mark a connection healthy after staff reconnected it (the caller saves it)."""
    for name, value in HEALTH_RESET.items():
        setattr(calendar, name, value)


def connection_succeeded(*, calendar_id: Any, now: dt.datetime) -> None:
    before = (
        ExternalCalendar.objects.filter(pk=calendar_id)
        .values_list("status", "last_success_at", "fail_closed")
        .first()
    )
    # Only a change anyone can see drops caches: not every routine successful read.
    if before is not None and (
        before[0] != Health.OK
        or (before[2] and (before[1] is None or now - before[1] >= STALE_AFTER))
    ):
        _health_changed()
    ExternalCalendar.objects.filter(pk=calendar_id).exclude(status=Health.DISCONNECTED).update(
        **HEALTH_RESET,
        last_attempt_at=now,
        last_success_at=now,
    )


def connection_failed(
    *, calendar_id: Any, code: str, now: dt.datetime, retry_after: dt.datetime | None = None
) -> str:
    """Count one failed read; returns the new status. BROKEN alerts once (same transaction)."""
    with transaction.atomic():
        row = (
            ExternalCalendar.objects.select_for_update()
            .select_related("staff")
            .filter(pk=calendar_id)
            .first()
        )
        if row is None or row.status == Health.DISCONNECTED:
            return Health.DISCONNECTED
        row.consecutive_failures += 1
        broken = (
            row.status == Health.BROKEN
            or code in FATAL_ERRORS
            or row.consecutive_failures >= BROKEN_AFTER_FAILURES
        )
        row.status = Health.BROKEN if broken else Health.DEGRADED
        if broken and row.broken_at is None:
            row.broken_at = now
        row.last_attempt_at = now
        row.last_error = code[:500]
        row.retry_after = retry_after
        fields = [
            "consecutive_failures",
            "status",
            "broken_at",
            "last_attempt_at",
            "last_error",
            "retry_after",
        ]
        if broken:
            _health_changed()
        if broken and row.alerted_at is None:
            row.alerted_at = now
            fields.append("alerted_at")
            _alert_broken(row)
        row.save(update_fields=fields)
        return row.status


def _alert_broken(calendar: ExternalCalendar) -> None:
    """One email each to the staff member and the firm admins (the notice words the fix)."""
    admins = portal_selectors.active_staff().filter(is_superuser=True)
    recipients = {calendar.staff_id, *admins.values_list("pk", flat=True)}
    for user_id in sorted(recipients, key=str):
        notice_queue(
            event=CALENDAR_BROKEN_NOTICE,
            channels=["email"],
            recipient_id=user_id,
            about=object_key("calendar", calendar.pk),
            context={"calendar": str(calendar.pk), "code": calendar.last_error},
        )
    audit_record(
        action=SchedulingAction.CALENDAR_BROKEN,
        obj=calendar,
        data={"reason": calendar.last_error},
        actor_label="calendar sync",
    )


def failure_code(exc: BaseException) -> tuple[str, dt.datetime | None]:
    """A short code for an exception of a calendar read (never its text: it may hold the URL)."""
    if isinstance(exc, FetchRefused):
        return exc.code, None
    if isinstance(exc, requests.Timeout):
        return "timeout", None
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        status = exc.response.status_code
        if status in (401, 403):
            return "auth", None
        if status in (404, 410):
            return "gone", None
        if status == 429:
            return "rate_limited", _retry_after(exc.response.headers.get("Retry-After"))
        if status >= 500:
            return "server_error", None
        return f"http_{status}", None
    if isinstance(exc, requests.ConnectionError):
        return "unreachable", None
    if isinstance(exc, ValueError):
        return "unreadable", None
    return "error", None


def _retry_after(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        seconds = int(value)
    except ValueError:
        return None
    return timezone.now() + dt.timedelta(seconds=min(max(seconds, 0), 3600))


# --- ICS import -------------------------------------------------------------------------


def busy_intervals_from_ics(
    *, data: bytes, zone: ZoneInfo, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Busy times of an iCalendar file between two instants (see scheduling.ics)."""
    return ics.busy_intervals(data, zone=zone, start=start, end=end)


def external_calendar_import(*, calendar_id: Any, now: dt.datetime | None = None) -> bool:
    """Replace a feed's busy times with a fresh import; on failure keep the last good one."""
    now = now or timezone.now()
    calendar = (
        ExternalCalendar.objects.select_related("staff")
        .filter(pk=calendar_id, provider=ExternalCalendar.Provider.ICS)
        .exclude(status=Health.DISCONNECTED)
        .first()
    )
    if calendar is None or not calendar.url:
        return False
    zone = ZoneInfo(calendar.staff.time_zone or selectors.firm_time_zone())
    try:
        data = fetch_public(
            calendar.url,
            max_bytes=MAX_FEED_BYTES,
            allow_private=settings.ATRIUM_CALENDAR_ALLOW_PRIVATE,
        )
        intervals = busy_intervals_from_ics(
            data=data,
            zone=zone,
            start=now - dt.timedelta(days=IMPORT_DAYS_BACK),
            end=now + dt.timedelta(days=IMPORT_DAYS_AHEAD),
        )
    except Exception as exc:  # noqa: BLE001 - every failure counts against the health
        code, retry_after = failure_code(exc)
        connection_failed(calendar_id=calendar.pk, code=code, now=now, retry_after=retry_after)
        return False
    intervals = sorted(intervals)[:5000]
    with transaction.atomic():
        stored = sorted(
            BusyTime.objects.filter(calendar=calendar).values_list("start_at", "end_at")
        )
        if stored != intervals:  # an unchanged feed leaves the cached slots alone
            BusyTime.objects.filter(calendar=calendar).delete()
            BusyTime.objects.bulk_create(
                [
                    BusyTime(calendar=calendar, staff_id=calendar.staff_id, start_at=s, end_at=e)
                    for s, e in intervals
                ]
            )
        connection_succeeded(calendar_id=calendar.pk, now=now)
    return True


def external_calendar_ids(*, provider: str = ExternalCalendar.Provider.ICS) -> list[Any]:
    return list(
        ExternalCalendar.objects.filter(staff__is_active=True, provider=provider)
        .exclude(status=Health.DISCONNECTED)
        .values_list("pk", flat=True)
    )


# --- what Atrium writes, and whether push can be used (every connector) ---------------


@dataclass(frozen=True)
class EventContent:
    """What Atrium puts in a staff member's calendar for one appointment: nothing more."""

    uid: str
    sequence: int
    start: dt.datetime  # aware, UTC
    end: dt.datetime
    summary: str
    location: str
    description: str  # the staff appointment page
    stamp: dt.datetime  # when it was booked (a stable DTSTAMP: same content, same bytes)

    def digest(self) -> str:
        data = {k: str(v) for k, v in asdict(self).items()}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def event_content(appointment: Appointment) -> EventContent:
    service = appointment.service
    return EventContent(
        uid=appointment.uid,
        sequence=appointment.sequence,
        start=appointment.start_at.astimezone(dt.UTC),
        end=appointment.end_at.astimezone(dt.UTC),
        summary=f"{service.name} (Atrium)",
        location=service.location_detail if service.location_kind == "office" else "",
        description=absolute_url(
            reverse("scheduling:staff-appointment", kwargs={"appointment_id": appointment.pk})
        ),
        stamp=appointment.created_at,
    )


def push_allowed() -> bool:
    """Push notifications need a public https address Google and Microsoft can reach."""
    if not settings.ATRIUM_CALENDAR_PUSH:
        return False
    parts = urlsplit(settings.SITE_URL)
    host = parts.hostname or ""
    if parts.scheme != "https" or not host or host == "localhost" or "." not in host:
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return not host.endswith((".local", ".internal", ".lan", ".localhost", ".test"))
