"""CalDAV connections: connect, choose calendars, incremental busy sync, write-back.

Busy times in: each chosen calendar is read with sync-collection (RFC 6578) from the
stored token, so an unchanged calendar costs one small REPORT; a refused token, and once a
day anyway (recurrences move into the window), means a full read. Only intervals are
kept, keyed by event so an incremental sync replaces exactly the events that changed.
Atrium's own events never count as busy.

Appointments out: one event per appointment uid in the write calendar, at a fixed address
derived from the uid. Creating uses If-None-Match: *, updating and deleting If-Match with
the stored ETag, so a retry (after a timeout, or by a second worker) never makes a second
event. An ETag that changed behind Atrium's back is an edit made in the calendar app: it is
flagged to staff, never applied to the appointment.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.fetch import FetchRefused
from core.http import RequestMeta
from scheduling import caldav, ics, secrets, selectors
from scheduling.audit_actions import SchedulingAction
from scheduling.models import BusyTime, ExternalCalendar, ExternalEventLink
from scheduling.services.calendars import (
    HEALTH_RESET,
    IMPORT_DAYS_AHEAD,
    IMPORT_DAYS_BACK,
    EventContent,
    _health_changed,
    connection_failed,
    connection_succeeded,
    failure_code,
)

if TYPE_CHECKING:
    from portal.models import User

logger = logging.getLogger(__name__)
Health = ExternalCalendar.Health
Link = ExternalEventLink.State
FULL_RESYNC_EVERY = dt.timedelta(hours=24)
MAX_BUSY_PER_CONNECTION = 20000


def _client(calendar: ExternalCalendar, *, password: str | None = None) -> caldav.Client:
    timeout = float(settings.ATRIUM_CALDAV_TIMEOUT_SECONDS)
    return caldav.Client(
        calendar.url,
        username=calendar.username,
        password=password if password is not None else secrets.decrypt(calendar.secret_encrypted),
        private_hosts=frozenset(h.lower() for h in settings.ATRIUM_CALDAV_ALLOWED_HOSTS),
        allow_private=settings.ATRIUM_CALENDAR_ALLOW_PRIVATE,
        timeout=(timeout, timeout),
    )


def _code(exc: BaseException) -> str:
    if isinstance(exc, caldav.CalDAVError):
        return exc.code
    if isinstance(exc, secrets.SecretUnreadable):
        return "secret"
    return failure_code(exc)[0]


# --- connecting -------------------------------------------------------------------------


def _pick(found: list[caldav.RemoteCalendar], names: list[str]) -> list[caldav.RemoteCalendar]:
    by_name = {c.name.casefold(): c for c in found}
    picked = []
    for name in names:
        match = by_name.get(name.strip().casefold())
        if match is None:
            raise ServiceError(
                _("There is no calendar “%(name)s” on this server. It has: %(names)s.")
                % {"name": name.strip(), "names": ", ".join(c.name for c in found)}
            )
        picked.append(match)
    return picked


def caldav_connect(
    *,
    staff: User,
    url: str,
    username: str,
    password: str,
    name: str = "",
    busy: list[str] | None = None,
    write: str | None = None,
    fail_closed: bool = False,
    actor: User | None = None,
    meta: RequestMeta | None = None,
) -> ExternalCalendar:
    """Check the server and the password, list its calendars and store the connection.

    `busy` names the calendars whose events count as busy (None: all of them); `write`
    names the one that receives Atrium's appointments (None: none yet).
    """
    url = url.strip()
    if not url.startswith(("https://", "http://")) or len(url) > 1000:
        raise ServiceError(_("Enter the server's address; it starts with https://."))
    if not username.strip() or not password:
        raise ServiceError(_("Enter the user name and an app password."))
    probe = ExternalCalendar(url=url, username=username.strip())
    client = _client(probe, password=password)
    try:
        found = client.calendars()
    except FetchRefused as exc:
        raise ServiceError(selectors.calendar_reason(exc.code)) from None
    except Exception as exc:  # noqa: BLE001 - worded for the person, never echoing the error
        code = _code(exc)
        if code == "auth":
            raise ServiceError(_("The server refused this user name and app password.")) from None
        raise ServiceError(
            _("Could not read calendars at this address: %(reason)s")
            % {"reason": selectors.calendar_reason(code)}
        ) from None
    finally:
        client.close()
    if not found:
        raise ServiceError(_("The server answered, but this account has no event calendars."))
    chosen = {c.href for c in (found if busy is None else _pick(found, busy))}
    write_href = _pick(found, [write])[0].href if write else ""
    with transaction.atomic():
        calendar = ExternalCalendar(
            staff=staff,
            provider=ExternalCalendar.Provider.CALDAV,
            name=name.strip()[:80] or urlparse_host(url),
            url=url,
            username=username.strip(),
            secret_encrypted=secrets.encrypt(password),
            read_calendars=[
                {"id": c.href, "name": c.name, "busy": c.href in chosen} for c in found
            ],
            write_calendar_id=write_href,
            fail_closed=fail_closed,
        )
        calendar.full_clean()
        calendar.save()
        audit_record(
            action=SchedulingAction.CALENDAR_ADDED, actor=actor or staff, meta=meta, obj=calendar
        )
    return calendar


def urlparse_host(url: str) -> str:
    return (urlsplit(url).hostname or "CalDAV")[:80]


def caldav_choose(
    *,
    calendar: ExternalCalendar,
    busy_ids: list[str],
    write_id: str,
    actor: User,
    meta: RequestMeta | None = None,
) -> None:
    """Which calendars count as busy and which one receives appointments."""
    known = {c["id"] for c in calendar.read_calendars}
    writable = {c["id"] for c in calendar.read_calendars if c.get("writable", True)}
    if not set(busy_ids) <= known or (write_id and write_id not in writable):
        raise ServiceError(_("Choose among the calendars listed."))
    with transaction.atomic():
        row = ExternalCalendar.objects.select_for_update().get(pk=calendar.pk)
        row.read_calendars = [{**c, "busy": c["id"] in busy_ids} for c in row.read_calendars]
        if write_id != row.write_calendar_id:
            # Atrium's events stay where they were written; new ones go to the new calendar.
            row.write_calendar_id = write_id
        # The next sync reads the new choice from scratch (push channels stay: Google's
        # connector keeps them under "_push" and renews them itself).
        BusyTime.objects.filter(calendar=row).delete()
        row.sync_state = {k: v for k, v in row.sync_state.items() if k == "_push"}
        row.save(update_fields=["read_calendars", "write_calendar_id", "sync_state"])
        audit_record(
            action=SchedulingAction.CALENDAR_CHANGED,
            actor=actor,
            meta=meta,
            obj=row,
            data={"busy": len(busy_ids), "write": bool(write_id)},
        )
    calendar.refresh_from_db()


def caldav_reconnect(
    *, calendar: ExternalCalendar, password: str, actor: User, meta: RequestMeta | None = None
) -> None:
    """A new app password for a broken connection; checked against the server first."""
    client = _client(calendar, password=password)
    try:
        client.calendars()
    except Exception as exc:  # noqa: BLE001 - worded for the person
        if _code(exc) == "auth":
            raise ServiceError(_("The server refused this user name and app password.")) from None
        raise ServiceError(selectors.calendar_reason(_code(exc))) from None
    finally:
        client.close()
    with transaction.atomic():
        ExternalCalendar.objects.filter(pk=calendar.pk).update(
            secret_encrypted=secrets.encrypt(password), **HEALTH_RESET
        )
        _health_changed()
        audit_record(action=SchedulingAction.CALENDAR_CHANGED, actor=actor, meta=meta, obj=calendar)


# --- reading busy times -----------------------------------------------------------------


def _uid(data: bytes) -> str:
    try:
        for component in icalendar.Calendar.from_ical(data).walk("VEVENT"):
            return str(component.get("UID", ""))
    except ValueError:
        return ""
    return ""


def caldav_sync(*, calendar_id: Any, now: dt.datetime | None = None) -> bool:
    """One read of a CalDAV connection. True if it worked."""
    now = now or timezone.now()
    calendar = (
        ExternalCalendar.objects.select_related("staff")
        .filter(pk=calendar_id, provider=ExternalCalendar.Provider.CALDAV)
        .exclude(status=Health.DISCONNECTED)
        .first()
    )
    if calendar is None:
        return False
    if calendar.retry_after and now < calendar.retry_after:
        return False
    zone = ZoneInfo(calendar.staff.time_zone or selectors.firm_time_zone())
    start, end = (
        now - dt.timedelta(days=IMPORT_DAYS_BACK),
        now + dt.timedelta(days=IMPORT_DAYS_AHEAD),
    )
    links = {
        link.remote_event_id: link
        for link in ExternalEventLink.objects.filter(calendar=calendar).exclude(remote_event_id="")
    }
    own_uids = set(
        ExternalEventLink.objects.filter(calendar=calendar).values_list(
            "appointment_uid", flat=True
        )
    )
    busy_hrefs = [str(c["id"]) for c in calendar.busy_calendars]
    hrefs = list(
        dict.fromkeys(
            [*busy_hrefs, *([calendar.write_calendar_id] if calendar.write_calendar_id else [])]
        )
    )
    state = dict(calendar.sync_state)
    full_at = state.get("_full_at")
    if not full_at or now - dt.datetime.fromisoformat(str(full_at)) > FULL_RESYNC_EVERY:
        state = {}  # a daily full read brings recurrences that moved into the window
    read: list[
        tuple[str, caldav.Changes, list[tuple[str, list[tuple[dt.datetime, dt.datetime]]]]]
    ] = []
    try:
        client = _client(calendar)
    except secrets.SecretUnreadable:
        connection_failed(calendar_id=calendar.pk, code="secret", now=now)
        return False
    try:
        for href in hrefs:
            changes = client.changes(href, str(state.get(href, {}).get("token", "")))
            busy: list[tuple[str, list[tuple[dt.datetime, dt.datetime]]]] = []
            if href in busy_hrefs:
                wanted = [h for h in changes.changed if h not in links]
                for resource in client.fetch(href, wanted) if wanted else []:
                    if _uid(resource.data) in own_uids:
                        continue  # Atrium's own event, copied or moved: never busy
                    busy.append(
                        (
                            resource.href,
                            ics.busy_intervals(resource.data, zone=zone, start=start, end=end),
                        )
                    )
            read.append((href, changes, busy))
            state[href] = {"token": changes.token}
    except Exception as exc:  # noqa: BLE001 - every failure counts against the health
        code = _code(exc)
        retry_after = failure_code(exc)[1]
        connection_failed(calendar_id=calendar.pk, code=code, now=now, retry_after=retry_after)
        return False
    finally:
        client.close()
    if not state.get("_full_at") or all(changes.full for _h, changes, _b in read):
        state["_full_at"] = now.isoformat()
    _apply(calendar, read, links, state, busy_hrefs, now)
    connection_succeeded(calendar_id=calendar.pk, now=now)
    return True


def sync(*, calendar_id: Any, now: dt.datetime) -> bool:
    """The connector's read (scheduling.services.calendar_sync)."""
    return caldav_sync(calendar_id=calendar_id, now=now)


def _apply(
    calendar: ExternalCalendar,
    read: list[tuple[str, caldav.Changes, list[tuple[str, list[tuple[dt.datetime, dt.datetime]]]]]],
    links: dict[str, ExternalEventLink],
    state: dict[str, Any],
    busy_hrefs: list[str],
    now: dt.datetime,
) -> None:
    """Replace the changed events' busy times and flag edits of Atrium's events, atomically.

    Under the connection's row lock, so two workers syncing at once apply one after the
    other, each replacing by event key: no interval is ever stored twice.
    """
    with transaction.atomic():
        row = ExternalCalendar.objects.select_for_update().get(pk=calendar.pk)
        if row.status == Health.DISCONNECTED:
            return
        for href, changes, busy in read:
            if href in busy_hrefs:
                if changes.full:
                    BusyTime.objects.filter(
                        calendar=row, remote_key_hash__startswith=caldav.key_hash(href)
                    ).delete()
                else:
                    keys = [caldav.key_hash(href, h) for h in [*changes.changed, *changes.removed]]
                    BusyTime.objects.filter(calendar=row, remote_key_hash__in=keys).delete()
                rows = [
                    BusyTime(
                        calendar=row,
                        staff_id=row.staff_id,
                        start_at=s,
                        end_at=e,
                        remote_key_hash=caldav.key_hash(href, item),
                    )
                    for item, intervals in busy
                    for s, e in intervals
                ][:MAX_BUSY_PER_CONNECTION]
                if rows:  # an unchanged calendar leaves the cached slots alone
                    BusyTime.objects.bulk_create(rows)
            _flag_external_edits(changes, links, now)
        row.sync_state = state
        row.save(update_fields=["sync_state"])


def _flag_external_edits(
    changes: caldav.Changes, links: dict[str, ExternalEventLink], now: dt.datetime
) -> None:
    edited = [
        link.pk
        for href, etag in changes.changed.items()
        if (link := links.get(href)) is not None
        and link.state == Link.SYNCED
        and etag
        and etag != link.remote_etag
    ]
    edited += [
        link.pk
        for href in changes.removed
        if (link := links.get(href)) is not None and link.state == Link.SYNCED
    ]
    if changes.full:
        # A full listing names every event there is: a synced one missing was deleted.
        edited += [
            link.pk
            for href, link in links.items()
            if href not in changes.changed
            and link.state == Link.SYNCED
            and href.startswith(_collection(changes, href))
        ]
    if edited:
        ExternalEventLink.objects.filter(
            pk__in=edited, external_change_seen_at__isnull=True
        ).update(external_change_seen_at=now)


def _collection(changes: caldav.Changes, href: str) -> str:
    """The collection a listing came from, as a prefix of its events' addresses."""
    for item in changes.changed:
        return item.rsplit("/", 1)[0] + "/"
    return "\0"  # an empty listing: nothing to compare against


# --- the connector: live check, writing, errors ------------------------------------------


def live_busy(
    calendar: ExternalCalendar,
    start: dt.datetime,
    end: dt.datetime,
    *,
    timeout: float,
    own_uids: set[str],
) -> bool:
    """Whether the busy calendars show an event in [start, end) now (within `timeout`)."""
    deadline = time.monotonic() + timeout
    zone = ZoneInfo(selectors.firm_time_zone())
    for entry in calendar.busy_calendars:
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            return False
        client = _client(calendar)
        client.timeout = (remaining, remaining)
        try:
            resources = client.query(str(entry["id"]), start, end)
        finally:
            client.close()
        for resource in resources:
            if _uid(resource.data) in own_uids:
                continue
            if ics.busy_intervals(resource.data, zone=zone, start=start, end=end):
                return True
    return False


def error_code(exc: BaseException) -> tuple[str, dt.datetime | None]:
    return _code(exc), failure_code(exc)[1]


def disconnect(calendar: ExternalCalendar) -> None:
    """Nothing to revoke: the app password is forgotten by calendar_disconnect."""


def _event(content: EventContent) -> bytes:
    entry = ics.Entry(
        uid=content.uid,
        sequence=content.sequence,
        start=content.start,
        end=content.end,
        summary=content.summary,
        location=content.location,
        description=content.description,
        status="CONFIRMED",
    )
    return ics.render([entry], prodid="-//Atrium//Calendar sync//EN", now=content.stamp)


def put_event(
    calendar: ExternalCalendar, link: ExternalEventLink, content: EventContent
) -> tuple[str, str]:
    """Create or update our event at its fixed address; (its address, the new ETag)."""
    href = link.remote_event_id or caldav.event_href(link.remote_calendar_id, content.uid)
    client = _client(calendar)
    try:
        return href, _put(client, href, _event(content), link.remote_etag or None)
    finally:
        client.close()


def _put(client: caldav.Client, href: str, data: bytes, etag: str | None) -> str:
    """Write our event; a failed precondition means it exists or was edited: overwrite it
    with its current ETag (never a second event)."""
    status, new = client.put(href, data, etag=etag)
    if status != 412:
        return new
    current = client.etag(href)
    status, new = client.put(href, data, etag=current)  # None: it vanished, create again
    if status == 412:
        raise caldav.CalDAVError("conflict")
    return new


def delete_event(calendar: ExternalCalendar, link: ExternalEventLink) -> None:
    if not link.remote_event_id and not link.remote_calendar_id:
        return  # never written anywhere
    href = link.remote_event_id or caldav.event_href(link.remote_calendar_id, link.appointment_uid)
    client = _client(calendar)
    try:
        status = client.delete(href, etag=link.remote_etag or None)
        if status == 412:  # edited in the calendar app: it is still ours to remove
            client.delete(href, etag=None)
    finally:
        client.close()
