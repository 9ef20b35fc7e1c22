"""External busy calendars: adding, removing and importing a staff member's iCal feeds."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.fetch import FetchRefused, fetch_public
from core.http import RequestMeta
from scheduling import ics, selectors
from scheduling.audit_actions import SchedulingAction
from scheduling.models import (
    BusyTime,
    ExternalCalendar,
)

if TYPE_CHECKING:
    from portal.models import User


def external_calendar_add(
    *, staff: User, name: str, url: str, meta: RequestMeta | None = None
) -> ExternalCalendar:
    url = url.strip()
    if url.startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    if not url.startswith(("https://", "http://")) or len(url) > 1000:
        raise ServiceError(
            _("Paste the secret address in iCal format (it starts with https:// or webcal://).")
        )
    with transaction.atomic():
        calendar = ExternalCalendar(staff=staff, name=name or _("My calendar"), url=url)
        calendar.full_clean()
        calendar.save()
        audit_record(action=SchedulingAction.CALENDAR_ADDED, actor=staff, meta=meta, obj=calendar)
    return calendar


def external_calendar_remove(
    *, calendar: ExternalCalendar, actor: User, meta: RequestMeta | None = None
) -> None:
    with transaction.atomic():
        audit_record(action=SchedulingAction.CALENDAR_REMOVED, actor=actor, meta=meta, obj=calendar)
        calendar.delete()


IMPORT_DAYS_BACK = 1
IMPORT_DAYS_AHEAD = 120
MAX_FEED_BYTES = 5 * 1024 * 1024


def _refusal(exc: FetchRefused) -> str:
    """What the staff member reads when we refused their feed's address or answer."""
    return str(
        {
            FetchRefused.NOT_HTTP: _("The address must start with https://."),
            FetchRefused.NOT_PUBLIC: _("This calendar address is not on the public internet."),
            FetchRefused.TOO_LARGE: _("The calendar is too large."),
            FetchRefused.TOO_MANY_REDIRECTS: _("The calendar address redirects too often."),
        }.get(exc.code, exc.code)
    )


def busy_intervals_from_ics(
    *, data: bytes, zone: ZoneInfo, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Busy times of an iCalendar file between two instants (see scheduling.ics)."""
    return ics.busy_intervals(data, zone=zone, start=start, end=end)


def external_calendar_import(*, calendar_id: Any, now: dt.datetime | None = None) -> bool:
    """Replace a feed's busy times with a fresh import; on failure keep the last good one."""
    now = now or timezone.now()
    calendar = ExternalCalendar.objects.select_related("staff").filter(pk=calendar_id).first()
    if calendar is None:
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
    except Exception as exc:  # noqa: BLE001 - any failure is shown to the staff member
        if isinstance(exc, FetchRefused):
            message = _refusal(exc)
        else:
            message = str(exc)[:300] or exc.__class__.__name__
        # The URL is a secret; never echo it back in the stored error.
        message = message.replace(calendar.url, "…")
        ExternalCalendar.objects.filter(pk=calendar.pk).update(
            last_attempt_at=now, last_error=message
        )
        return False
    with transaction.atomic():
        BusyTime.objects.filter(calendar=calendar).delete()
        BusyTime.objects.bulk_create(
            [
                BusyTime(calendar=calendar, staff_id=calendar.staff_id, start_at=s, end_at=e)
                for s, e in intervals[:5000]
            ]
        )
        ExternalCalendar.objects.filter(pk=calendar.pk).update(
            last_attempt_at=now, last_success_at=now, last_error=""
        )
    return True


def external_calendar_ids() -> list[Any]:
    return list(
        ExternalCalendar.objects.filter(Q(staff__is_active=True)).values_list("pk", flat=True)
    )
