"""A small Google Calendar API v3 client over `requests` (calendar-sync §2, §4).

Protocol only: no ORM, no settings. The caller hands in the access token through a
callable, so a 401 can ask for a fresh one once (`token(True)`) and retry; a second 401 is
an authentication failure. Errors are `GoogleError` with a short `code` (and the seconds
a 429 asked us to wait) or `requests` exceptions (timeouts, connection errors); neither
ever holds a token, and nothing here logs.

Endpoints used: calendarList.list, events.list (syncToken / pageToken, singleEvents),
events.get/insert/patch/delete (sendUpdates=none), freeBusy.query, events.watch and
channels.stop (developers.google.com/calendar/api/v3/reference).
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

API = "https://www.googleapis.com/calendar/v3"
# What Atrium asks for (also what the setup page tells the firm to add to its consent screen).
SCOPE_CALENDARS = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
SCOPE_EVENTS = "https://www.googleapis.com/auth/calendar.events"
SCOPE_FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"
SCOPES = ("openid", "email", SCOPE_CALENDARS, SCOPE_EVENTS, SCOPE_FREEBUSY)
TIMEOUT = 10.0
PAGE_SIZE = 2500  # events.list's maximum
MAX_PAGES = 40  # 100 000 events: beyond that something is wrong, stop rather than loop
MAX_RETRY_AFTER = 3600.0

# 403 reasons that mean "slow down" rather than "not allowed".
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
SCOPE_REASONS = frozenset({"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"})

TokenSource = Callable[[bool], str]  # token(refresh) -> a valid access token


class GoogleError(Exception):
    """An API answer we cannot use. `code` is short and never holds a secret."""

    def __init__(self, code: str, *, status: int = 0, retry_after: float | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.retry_after = retry_after  # seconds, from a 429's Retry-After


class GoneError(GoogleError):
    """410 on events.list: the sync token expired; the caller starts a full resync."""

    def __init__(self) -> None:
        super().__init__("gone", status=410)


@dataclass
class Listing:
    """One calendar's events since a sync token, or all of them in a window (`full`)."""

    items: list[dict[str, Any]] = field(default_factory=list)
    next_sync_token: str = ""
    full: bool = False


def event_id(appointment_uid: str) -> str:
    """The event id Atrium chooses for an appointment: base32hex (RFC 4648 §7, lowercase,
    no padding) of the 16 bytes of the uid's UUID part, 26 characters of a–v and 0–9.

    `Appointment.uid` is "<uuid4>@atrium"; anything else (an imported uid) is hashed into
    16 bytes the same way every time, so the id stays deterministic.
    """
    head = appointment_uid.split("@", 1)[0]
    try:
        raw = uuid.UUID(head).bytes
    except ValueError:
        raw = uuid.uuid5(uuid.NAMESPACE_URL, appointment_uid).bytes
    return base64.b32hexencode(raw).decode().rstrip("=").lower()


def retry_after_seconds(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), capped at an hour."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def parse_time(value: dict[str, Any], zone: dt.tzinfo) -> dt.datetime | None:
    """An event's start or end: dateTime (RFC 3339) as UTC, or an all-day date at midnight
    in `zone` (the staff member's)."""
    if value.get("dateTime"):
        try:
            moment = dt.datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:  # Google always sends an offset; be safe anyway
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(dt.UTC)
    if value.get("date"):
        try:
            day = dt.date.fromisoformat(str(value["date"]))
        except ValueError:
            return None
        return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    return None


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _reason(response: requests.Response) -> str:
    try:
        error = response.json().get("error", {})
    except ValueError:
        return ""
    if not isinstance(error, dict):
        return str(error)
    for item in error.get("errors") or []:
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    for item in error.get("details") or []:
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    return str(error.get("status", ""))


def error_for(response: requests.Response) -> GoogleError:
    """The GoogleError for a failed answer (its body is read for the reason, not kept)."""
    status = response.status_code
    reason = _reason(response)
    if status == 401:
        return GoogleError("auth", status=status)
    if status == 403 and reason in SCOPE_REASONS:
        return GoogleError("scope", status=status)
    if status == 429 or (status == 403 and reason in RATE_REASONS):
        return GoogleError(
            "rate_limited",
            status=status,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    if status == 410:
        return GoneError()
    if status >= 500:
        return GoogleError("server_error", status=status)
    return GoogleError(f"http_{status}", status=status)


class Client:
    def __init__(
        self,
        token: TokenSource,
        *,
        timeout: float = TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.trust_env = False

    def __repr__(self) -> str:  # never show the token
        return "<Google Calendar client>"

    def close(self) -> None:
        self.session.close()

    # --- HTTP ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        ok: tuple[int, ...] = (),
    ) -> requests.Response:
        """One call; a 401 asks for a fresh token once and tries again."""
        url = path if path.startswith("https://") else API + path
        refreshed = False
        while True:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json,
                headers={"Authorization": f"Bearer {self.token(refreshed)}"},
                timeout=self.timeout,
                allow_redirects=False,
            )
            if response.status_code == 401 and not refreshed:
                refreshed = True
                continue
            if response.status_code < 300 or response.status_code in ok:
                return response
            raise error_for(response)

    def _json(self, response: requests.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise GoogleError("unreadable", status=response.status_code) from exc
        if not isinstance(data, dict):
            raise GoogleError("unreadable", status=response.status_code)
        return data

    # --- calendars ----------------------------------------------------------------------

    def calendars(self) -> list[dict[str, Any]]:
        """calendarList.list: every calendar of the account (all pages)."""
        found: list[dict[str, Any]] = []
        page = ""
        for _page in range(MAX_PAGES):
            params: dict[str, Any] = {"maxResults": 250}
            if page:
                params["pageToken"] = page
            data = self._json(self.request("GET", "/users/me/calendarList", params=params))
            found += [c for c in data.get("items") or [] if isinstance(c, dict)]
            page = str(data.get("nextPageToken") or "")
            if not page:
                break
        return found

    # --- events -------------------------------------------------------------------------

    def events(
        self,
        calendar_id: str,
        *,
        sync_token: str = "",
        time_min: dt.datetime | None = None,
        time_max: dt.datetime | None = None,
    ) -> Listing:
        """events.list from `sync_token`, or (without one) the window [time_min, time_max).

        singleEvents=true expands recurrences into instances. An incremental listing also
        reports deletions (status "cancelled"). A 410 raises GoneError: the caller starts
        again without a token. Google refuses timeMin/timeMax together with a sync token,
        so an incremental listing may name events outside the window: the caller clips.
        """
        listing = Listing(full=not sync_token)
        for data in self._pages(calendar_id, sync_token, time_min, time_max):
            listing.items += [e for e in data.get("items") or [] if isinstance(e, dict)]
            if data.get("nextSyncToken"):
                listing.next_sync_token = str(data["nextSyncToken"])
        return listing

    def _pages(
        self,
        calendar_id: str,
        sync_token: str,
        time_min: dt.datetime | None,
        time_max: dt.datetime | None,
    ) -> Iterator[dict[str, Any]]:
        base: dict[str, Any] = {"singleEvents": "true", "maxResults": PAGE_SIZE}
        if sync_token:
            base["syncToken"] = sync_token
        else:
            if time_min is not None:
                base["timeMin"] = rfc3339(time_min)
            if time_max is not None:
                base["timeMax"] = rfc3339(time_max)
        page = ""
        for _page in range(MAX_PAGES):
            params = {**base, "pageToken": page} if page else base
            try:
                response = self.request("GET", _events_path(calendar_id), params=params)
            except GoogleError as exc:
                if exc.status == 404:
                    raise GoogleError("no_calendar", status=404) from None
                raise
            data = self._json(response)
            yield data
            page = str(data.get("nextPageToken") or "")
            if not page:
                return
        raise GoogleError("too_many_pages")

    def get_event(self, calendar_id: str, event_id: str) -> dict[str, Any] | None:
        """events.get; None when there is no such event (a deleted one comes back with
        status "cancelled" for a while)."""
        response = self.request("GET", _events_path(calendar_id, event_id), ok=(404, 410))
        if response.status_code in (404, 410):
            return None
        return self._json(response)

    def insert_event(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """events.insert with the client-chosen id in `body`; None on 409 (that id exists)."""
        response = self.request(
            "POST", _events_path(calendar_id), params={"sendUpdates": "none"}, json=body, ok=(409,)
        )
        if response.status_code == 409:
            return None
        return self._json(response)

    def patch_event(
        self, calendar_id: str, event_id: str, body: dict[str, Any]
    ) -> dict[str, Any] | None:
        """events.patch; None when the event does not exist (any more)."""
        response = self.request(
            "PATCH",
            _events_path(calendar_id, event_id),
            params={"sendUpdates": "none"},
            json=body,
            ok=(404, 410),
        )
        if response.status_code in (404, 410):
            return None
        return self._json(response)

    def delete_event(self, calendar_id: str, event_id: str) -> bool:
        """events.delete; False when it was already gone (404, or 410 once deleted)."""
        response = self.request(
            "DELETE",
            _events_path(calendar_id, event_id),
            params={"sendUpdates": "none"},
            ok=(404, 410),
        )
        return response.status_code not in (404, 410)

    # --- free/busy ----------------------------------------------------------------------

    def free_busy(
        self, calendar_ids: list[str], start: dt.datetime, end: dt.datetime
    ) -> dict[str, list[tuple[dt.datetime, dt.datetime]]]:
        """freeBusy.query: the busy intervals of each calendar in [start, end).

        A calendar the answer reports an error for (notFound...) is left out.
        """
        data = self._json(
            self.request(
                "POST",
                "/freeBusy",
                json={
                    "timeMin": rfc3339(start),
                    "timeMax": rfc3339(end),
                    "items": [{"id": c} for c in calendar_ids],
                },
            )
        )
        found: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
        for calendar_id, entry in (data.get("calendars") or {}).items():
            if not isinstance(entry, dict) or entry.get("errors"):
                continue
            intervals = []
            for busy in entry.get("busy") or []:
                s = parse_time({"dateTime": busy.get("start")}, dt.UTC)
                e = parse_time({"dateTime": busy.get("end")}, dt.UTC)
                if s is not None and e is not None and s < e:
                    intervals.append((s, e))
            found[str(calendar_id)] = intervals
        return found

    # --- push ---------------------------------------------------------------------------

    def watch(
        self, calendar_id: str, *, channel_id: str, address: str, token: str, ttl: int
    ) -> dict[str, Any]:
        """events.watch: a web_hook channel; the answer has id, resourceId, expiration (ms)."""
        return self._json(
            self.request(
                "POST",
                _events_path(calendar_id) + "/watch",
                json={
                    "id": channel_id,
                    "type": "web_hook",
                    "address": address,
                    "token": token,
                    "params": {"ttl": str(ttl)},
                },
            )
        )

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        """channels.stop; a channel that is already gone is fine."""
        self.request(
            "POST",
            "/channels/stop",
            json={"id": channel_id, "resourceId": resource_id},
            ok=(404,),
        )


def _events_path(calendar_id: str, event_id: str = "") -> str:
    path = f"/calendars/{quote(calendar_id, safe='')}/events"
    return f"{path}/{quote(event_id, safe='')}" if event_id else path


def expiration(data: dict[str, Any]) -> dt.datetime | None:
    """A channel's expiration (milliseconds since the epoch, as a string) as a datetime."""
    try:
        return dt.datetime.fromtimestamp(int(data["expiration"]) / 1000, tz=dt.UTC)
    except (KeyError, TypeError, ValueError):
        return None
