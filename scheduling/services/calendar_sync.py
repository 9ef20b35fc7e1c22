"""Calendar connections of every provider: one read path, one write path, one live check.

A connector module per provider does the talking (scheduling.services.caldav,
google_calendar, microsoft_calendar); this module holds what is the same for all of them:

- `calendar_sync` reads one connection (ICS import, or the connector's `sync`) and then
  writes the appointments still owed to it;
- write-back keeps one ExternalEventLink per appointment uid and connection. The link's
  row lock is held while the connector creates, updates or deletes the remote event, and
  what was pushed is remembered as a digest of the content: a retry (after a timeout, by a
  second worker, by the next sync) never makes a second event, and an unchanged
  appointment is never written again;
- `live_busy_staff` asks the connections that can answer right away, bounded to 2 s in
  all, just before a booking is confirmed.

Atrium writes minimal content (service name, place, a link to the staff page), never
attendees, and never turns an edit made in the calendar app into a client-facing change:
the connector flags it (ExternalEventLink.external_change_seen_at) for staff.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.http import RequestMeta
from scheduling.audit_actions import SchedulingAction
from scheduling.models import BLOCKING_STATUSES, Appointment, ExternalCalendar, ExternalEventLink
from scheduling.services import caldav, google_calendar, microsoft_calendar
from scheduling.services.calendars import (
    IMPORT_DAYS_AHEAD,
    calendar_disconnect,
    connection_failed,
    event_content,
    external_calendar_import,
)

if TYPE_CHECKING:
    from portal.models import User

logger = logging.getLogger(__name__)
Health = ExternalCalendar.Health
Link = ExternalEventLink.State
Provider = ExternalCalendar.Provider
# Providers Atrium reads through an API (polled by the beat every ATRIUM_CALDAV_SYNC_SECONDS)
# and writes appointments to.
API_PROVIDERS = (Provider.CALDAV, Provider.GOOGLE, Provider.MICROSOFT)
LIVE_CHECK_SECONDS = 2.0


CONNECTORS: dict[str, ModuleType] = {
    Provider.CALDAV: caldav,
    Provider.GOOGLE: google_calendar,
    Provider.MICROSOFT: microsoft_calendar,
}


def _connector(provider: str) -> ModuleType | None:
    return CONNECTORS.get(provider)


# --- reading ----------------------------------------------------------------------------


def calendar_sync(*, calendar_id: Any, now: dt.datetime | None = None) -> bool:
    """One read of one connection, whatever its provider; then the write-backs it owes."""
    provider = (
        ExternalCalendar.objects.filter(pk=calendar_id).values_list("provider", flat=True).first()
    )
    if provider == Provider.ICS:
        return external_calendar_import(calendar_id=calendar_id, now=now)
    connector = _connector(provider or "")
    if connector is None:
        return False
    now = now or timezone.now()
    ok = bool(connector.sync(calendar_id=calendar_id, now=now))
    calendar = ExternalCalendar.objects.filter(pk=calendar_id).first() if ok else None
    if calendar is not None:
        _owe_upcoming(calendar, now)
        for uid in ExternalEventLink.objects.filter(
            calendar=calendar, state__in=(Link.PENDING, Link.FAILED)
        ).values_list("appointment_uid", flat=True):
            appointment_writeback(appointment_uid=uid)
        push = getattr(connector, "push_ensure", None)
        if push is not None:
            push(calendar, now=now)
    return ok


# Appointments already booked when a write calendar is chosen are written too, a batch a sync.
BACKFILL_BATCH = 200


def _owe_upcoming(calendar: ExternalCalendar, now: dt.datetime) -> None:
    """Owe the write calendar every upcoming appointment of its owner it has no event for:
    those booked before it was connected (or chosen), and any a lost task never wrote."""
    if not calendar.write_calendar_id or calendar.status == Health.DISCONNECTED:
        return
    standing = [s for s in BLOCKING_STATUSES if s != Appointment.Status.HELD]
    rows = list(
        Appointment.objects.filter(
            staff_id=calendar.staff_id,
            status__in=standing,
            end_at__gt=now,
            start_at__lt=now + dt.timedelta(days=IMPORT_DAYS_AHEAD),
        )
        .exclude(
            uid__in=ExternalEventLink.objects.filter(calendar=calendar).values("appointment_uid")
        )
        .order_by("start_at")
        .values_list("pk", "uid")[:BACKFILL_BATCH]
    )
    ExternalEventLink.objects.bulk_create(
        [
            ExternalEventLink(
                appointment_uid=uid,
                appointment_id=pk,
                calendar=calendar,
                remote_calendar_id=calendar.write_calendar_id,
            )
            for pk, uid in rows
        ],
        ignore_conflicts=True,
    )


def api_connection_ids() -> list[Any]:
    """Connections the beat polls (CalDAV, Google, Microsoft) of active staff."""
    return list(
        ExternalCalendar.objects.filter(staff__is_active=True, provider__in=API_PROVIDERS)
        .exclude(status=Health.DISCONNECTED)
        .values_list("pk", flat=True)
    )


def connection_disconnect(
    *, calendar: ExternalCalendar, actor: User, meta: RequestMeta | None = None
) -> None:
    """Revoke what the provider lets us revoke (best effort), then forget secret and busy."""
    connector = _connector(calendar.provider)
    if connector is not None:
        try:
            connector.disconnect(calendar)
        except Exception:  # noqa: BLE001 - disconnecting locally must always work
            logger.warning("calendar disconnect: the provider could not be told")
    calendar_disconnect(calendar=calendar, actor=actor, meta=meta)


# --- the live check at booking time -----------------------------------------------------


def live_busy_staff(
    *, staff_ids: list[Any], start: dt.datetime, end: dt.datetime, budget: float | None = None
) -> set[Any]:
    """Staff whose connected calendars show an event in [start, end) right now.

    Asked just before a booking is confirmed, so an event added a minute ago in the
    lawyer's calendar app is respected. Bounded to `budget` seconds in all (2 s); a
    connection that does not answer in time, or fails, is skipped: the synced busy times
    decide.
    """
    budget = LIVE_CHECK_SECONDS if budget is None else budget
    deadline = time.monotonic() + budget
    calendars = list(
        ExternalCalendar.objects.filter(
            staff_id__in=staff_ids, provider__in=API_PROVIDERS, status=Health.OK
        )
    )
    if not calendars:
        return set()
    own = set(
        ExternalEventLink.objects.filter(calendar__in=calendars).values_list(
            "appointment_uid", flat=True
        )
    )
    busy: set[Any] = set()
    for calendar in calendars:
        if calendar.staff_id in busy:
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            logger.info("calendar live check: out of time, using the synced busy times")
            break
        connector = _connector(calendar.provider)
        if connector is None:
            continue
        try:
            if connector.live_busy(calendar, start, end, timeout=remaining, own_uids=own):
                busy.add(calendar.staff_id)
        except Exception as exc:  # noqa: BLE001 - fall back to the synced data
            logger.info("calendar live check skipped (%s)", connector.error_code(exc)[0])
    return busy


# --- writing appointments ---------------------------------------------------------------


def _current(uid: str) -> Appointment | None:
    """The row that stands for this uid now (a reschedule's newest)."""
    return (
        Appointment.objects.select_related("service", "staff")
        .filter(uid=uid)
        .order_by("-sequence", "-created_at")
        .first()
    )


def _writers(staff_ids: set[Any]) -> list[ExternalCalendar]:
    return list(
        ExternalCalendar.objects.filter(staff_id__in=staff_ids, provider__in=API_PROVIDERS)
        .exclude(write_calendar_id="")
        .exclude(status=Health.DISCONNECTED)
    )


def appointment_writeback(*, appointment_uid: str) -> None:
    """Bring every write calendar in line with the appointment: create, update or delete."""
    current = _current(appointment_uid)
    if current is None:
        return
    standing = current.status in BLOCKING_STATUSES and current.status != Appointment.Status.HELD
    targets = _writers({current.staff_id}) if standing else []
    for calendar in targets:
        _write_one(calendar, current)
    # Links elsewhere (cancelled, or moved to another lawyer): remove those events.
    for link in (
        ExternalEventLink.objects.filter(appointment_uid=appointment_uid)
        .exclude(calendar__in=targets)
        .exclude(state=Link.DELETED)
        .select_related("calendar")
    ):
        _delete_one(link, current)


def _write_one(calendar: ExternalCalendar, appointment: Appointment) -> None:
    connector = _connector(calendar.provider)
    if connector is None:
        return
    content = event_content(appointment)
    digest = content.digest()
    link, _created = ExternalEventLink.objects.get_or_create(
        appointment_uid=appointment.uid,
        calendar=calendar,
        defaults={"appointment": appointment, "remote_calendar_id": calendar.write_calendar_id},
    )
    failed: tuple[Any, str, dt.datetime | None] | None = None
    with transaction.atomic():
        link = (
            ExternalEventLink.objects.select_for_update().select_related("calendar").get(pk=link.pk)
        )
        if link.state == Link.SYNCED and link.pushed_hash == digest:
            if link.appointment_id != appointment.pk:
                link.appointment = appointment
                link.save(update_fields=["appointment"])
            return  # exactly once: nothing changed since the last write
        try:
            remote_id, etag = connector.put_event(link.calendar, link, content)
        except Exception as exc:  # noqa: BLE001 - kept for the next sync to retry
            code, retry_after = connector.error_code(exc)
            link.state = Link.FAILED
            link.last_error = code[:200]
            link.appointment = appointment
            link.updated_at = timezone.now()
            link.save()
            failed = (calendar.pk, link.last_error, retry_after)
        else:
            link.appointment = appointment
            link.remote_event_id = remote_id
            link.remote_etag = etag
            link.pushed_sequence = appointment.sequence
            link.pushed_hash = digest
            link.state = Link.SYNCED
            link.external_change_seen_at = None  # Atrium's new version supersedes the edit
            link.last_error = ""
            link.updated_at = timezone.now()
            link.save()
    if failed is not None:
        connection_failed(
            calendar_id=failed[0], code=failed[1], now=timezone.now(), retry_after=failed[2]
        )


def _delete_one(link: ExternalEventLink, appointment: Appointment) -> None:
    with transaction.atomic():
        link = (
            ExternalEventLink.objects.select_for_update().select_related("calendar").get(pk=link.pk)
        )
        if link.state == Link.DELETED:
            return
        link.appointment = appointment
        connector = _connector(link.calendar.provider)
        # Also without a stored event id: a create that timed out may still have reached
        # the calendar, at the address (CalDAV) or id (Google) the uid gives.
        if connector is not None and link.calendar.status != Health.DISCONNECTED:
            try:
                connector.delete_event(link.calendar, link)
            except Exception as exc:  # noqa: BLE001 - retried by the next sync
                link.state = Link.FAILED
                link.last_error = connector.error_code(exc)[0][:200]
                link.save()
                return
        link.state = Link.DELETED
        link.remote_etag = ""
        link.external_change_seen_at = None
        link.last_error = ""
        link.updated_at = timezone.now()
        link.save()


def calendar_event_restore(*, link: ExternalEventLink, actor: User) -> None:
    """Put Atrium's version back over an edit made in the calendar app (the flag's fix)."""
    ExternalEventLink.objects.filter(pk=link.pk).update(pushed_hash="", state=Link.PENDING)
    audit_record(
        action=SchedulingAction.CALENDAR_CHANGED,
        actor=actor,
        obj=link.calendar,
        data={"restored": link.appointment_uid},
    )
    appointment_writeback(appointment_uid=link.appointment_uid)


def writeback_queue(*, appointment_ids: list[Any]) -> list[str]:
    """Mark the appointments' calendar events as owed (PENDING); the uids to write now.

    Stored first, so a write that cannot be queued (the broker is down) is still done by the
    next sync of the connection.
    """
    rows = list(
        Appointment.objects.filter(pk__in=appointment_ids).values_list("uid", "staff_id", "pk")
    )
    if not rows:
        return []
    writers: dict[Any, list[ExternalCalendar]] = {}
    for calendar in _writers({staff_id for _uid, staff_id, _pk in rows}):
        writers.setdefault(calendar.staff_id, []).append(calendar)
    linked = set(
        ExternalEventLink.objects.filter(appointment_uid__in=[uid for uid, _s, _p in rows])
        .exclude(state=Link.DELETED)
        .values_list("appointment_uid", flat=True)
    )
    owed: list[str] = []
    for uid, staff_id, pk in rows:
        for calendar in writers.get(staff_id, []):
            link, created = ExternalEventLink.objects.get_or_create(
                appointment_uid=uid,
                calendar=calendar,
                defaults={"appointment_id": pk, "remote_calendar_id": calendar.write_calendar_id},
            )
            if not created:
                ExternalEventLink.objects.filter(pk=link.pk).update(state=Link.PENDING)
        if writers.get(staff_id) or uid in linked:
            owed.append(uid)
    return list(dict.fromkeys(owed))


# --- Google and Microsoft ---------------------------------------------------------------

OAUTH_PROVIDERS = (Provider.GOOGLE, Provider.MICROSOFT)


def oauth_connector(provider: str) -> ModuleType | None:
    """The connector of an OAuth provider the firm has registered an app for, or None."""
    if provider not in OAUTH_PROVIDERS:
        return None
    connector = _connector(provider)
    if connector is None or not connector.is_configured():
        return None
    return connector
