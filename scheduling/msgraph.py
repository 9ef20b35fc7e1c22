"""A small Microsoft Graph v1.0 client for calendars, over `requests`.

Protocol only: no ORM, no settings. The access token comes from a callable the caller
passes (`token(force_refresh)`): a 401 asks it once for a refreshed token and retries, a
second 401 is an error. Requests go only to graph.microsoft.com (an @odata.nextLink or
deltaLink pointing elsewhere is refused: the token goes with every request). Errors are
GraphError with a short `code` (and `retry_after` seconds after a 429 or a 503); neither
the exception nor anything logged here holds a token.

Reading is `calendarView/delta` per calendar (learn.microsoft.com/graph/delta-query-events):
the first request names the window, the following ones replay the stored deltaLink; a
link Graph no longer knows (410, syncStateNotFound, resyncRequired) is a GoneError and the
caller starts again with the full window. Times are asked in UTC (Prefer:
outlook.timezone). Creating an event sends `transactionId`, which Graph keeps so that a
retried POST (after a timeout whose request did arrive) does not create a second event.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

GRAPH = "https://graph.microsoft.com/v1.0"
# The delegated permissions Atrium asks for; MSAL adds openid, profile and offline_access
# itself (and refuses them here as reserved). offline_access brings the refresh token.
SCOPES = ("User.Read", "Calendars.ReadWrite")
PAGE_SIZE = 100
MAX_PAGES = 200  # 20 000 events in one calendar's window: more is not a lawyer's calendar
MAX_RETRY_AFTER = 3600
# Outlook event subscriptions live at most 10 080 minutes; renewed at half this.
SUBSCRIPTION_MINUTES = 4230
# Graph's codes for a delta token it no longer has (besides the 410 status itself).
RESYNC_CODES = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})
EVENT_FIELDS = "id,changeKey,showAs,isCancelled,isAllDay,start,end,transactionId"

TokenSource = Callable[[bool], str]  # force_refresh -> a bearer token


class GraphError(Exception):
    """A Graph answer we cannot use. `code` is short and never holds a token or a URL."""

    def __init__(
        self,
        code: str,
        *,
        status: int = 0,
        retry_after: int | None = None,
        graph_code: str = "",
    ) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.retry_after = retry_after
        self.graph_code = graph_code  # Graph's own error code ("ErrorAccessDenied"), not text


class GoneError(GraphError):
    """The delta link expired or Graph lost its state: read the whole window again."""


@dataclass(frozen=True)
class RemoteCalendar:
    id: str
    name: str
    is_default: bool = False
    can_edit: bool = True


@dataclass(frozen=True)
class Event:
    id: str
    change_key: str
    show_as: str  # free, tentative, busy, oof, workingElsewhere, unknown
    is_cancelled: bool
    is_all_day: bool
    start: dt.datetime  # aware; for an all-day event, midnight of its (floating) date in UTC
    end: dt.datetime
    transaction_id: str = ""


@dataclass
class Delta:
    """One calendar's changes since a delta link (or everything in the window: full)."""

    delta_link: str
    changed: list[Event] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    full: bool = False


@dataclass(frozen=True)
class Subscription:
    id: str
    expires_at: dt.datetime | None
    resource: str = ""


def _quote(item_id: str) -> str:
    return quote(item_id, safe="=-_")


def iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: dict[str, Any] | None) -> dt.datetime:
    """A Graph dateTimeTimeZone ({"dateTime": "2026-06-02T08:00:00.0000000",
    "timeZone": "UTC"}) as an aware datetime."""
    if not value or not value.get("dateTime"):
        raise GraphError("unreadable")
    text = str(value["dateTime"])
    if "." in text:  # Graph writes 7 fractional digits; Python reads up to 6
        head, fraction = text.split(".", 1)
        text = f"{head}.{fraction[:6]}"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise GraphError("unreadable") from exc
    if moment.tzinfo is not None:
        return moment.astimezone(dt.UTC)
    zone_name = str(value.get("timeZone") or "UTC")
    zone: dt.tzinfo = dt.UTC
    if zone_name not in ("UTC", "tzone://Microsoft/Utc", "Etc/UTC"):
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            zone = dt.UTC  # asked for UTC (Prefer: outlook.timezone); a Windows name is rare
    return moment.replace(tzinfo=zone).astimezone(dt.UTC)


def parse_event(item: dict[str, Any]) -> Event:
    return Event(
        id=str(item.get("id") or ""),
        change_key=str(item.get("changeKey") or ""),
        show_as=str(item.get("showAs") or "busy"),
        is_cancelled=bool(item.get("isCancelled")),
        is_all_day=bool(item.get("isAllDay")),
        start=parse_time(item.get("start")),
        end=parse_time(item.get("end")),
        transaction_id=str(item.get("transactionId") or ""),
    )


def event_body(
    *,
    subject: str,
    start: dt.datetime,
    end: dt.datetime,
    location: str = "",
    description: str = "",
    transaction_id: str = "",
) -> dict[str, Any]:
    """An event Atrium writes: no attendees (Outlook then sends no invitation of its own)."""
    body: dict[str, Any] = {
        "subject": subject,
        "start": {
            "dateTime": start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "timeZone": "UTC",
        },
        "end": {
            "dateTime": end.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "timeZone": "UTC",
        },
        "body": {"contentType": "text", "content": description},
        "location": {"displayName": location},
        "showAs": "busy",
        "isReminderOn": False,
        "responseRequested": False,
    }
    if transaction_id:
        body["transactionId"] = transaction_id
    return body


def retry_after_seconds(value: str | None, *, now: dt.datetime | None = None) -> int | None:
    """Retry-After as seconds (it may be a number or an HTTP date), capped at an hour."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(int(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    seconds = int((when - (now or dt.datetime.now(dt.UTC))).total_seconds())
    return min(max(seconds, 0), MAX_RETRY_AFTER)


def error_from(response: requests.Response) -> GraphError:
    """The GraphError for a failed answer: short code, Graph's code, Retry-After."""
    status = response.status_code
    graph_code = ""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        graph_code = str(payload["error"].get("code") or "")[:100]
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    if status == 410 or graph_code.lower() in RESYNC_CODES:
        return GoneError("resync", status=status, graph_code=graph_code)
    if status == 401:
        code = "auth"
    elif status == 403:
        code = "scope"
    elif status == 404:
        code = "not_found"
    elif status in (409, 412):
        code = "conflict"
    elif status == 429:
        code = "rate_limited"
    elif status >= 500:
        code = "server_error"
    else:
        code = f"http_{status}"
    return GraphError(code, status=status, retry_after=retry_after, graph_code=graph_code)


class Client:
    def __init__(
        self,
        token: TokenSource,
        *,
        timeout: float | tuple[float, float],
        session: requests.Session | None = None,
    ) -> None:
        self._token_source = token
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.trust_env = False

    def __repr__(self) -> str:  # never show the token
        return "<Microsoft Graph client>"

    def close(self) -> None:
        self.session.close()

    # --- HTTP ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (),
    ) -> requests.Response:
        """One call; a 401 refreshes the token once and tries again."""
        if not url.startswith("https://"):
            url = GRAPH + url
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.hostname != "graph.microsoft.com":
            raise GraphError("other_site")  # a link elsewhere never gets the token
        refreshed = False
        while True:
            sent = {
                "Authorization": f"Bearer {self._token_source(refreshed)}",
                "Accept": "application/json",
                **(headers or {}),
            }
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=sent,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.Timeout as exc:
                raise GraphError("timeout") from exc
            except requests.ConnectionError as exc:
                raise GraphError("unreachable") from exc
            if response.status_code == 401 and not refreshed:
                refreshed = True
                continue
            if response.status_code in ok or response.status_code < 300:
                return response
            raise error_from(response)

    def _json(self, response: requests.Response) -> dict[str, Any]:
        try:
            payload = response.json()
        except ValueError as exc:
            raise GraphError("unreadable") from exc
        if not isinstance(payload, dict):
            raise GraphError("unreadable")
        return payload

    def _pages(
        self,
        url: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        max_pages: int = MAX_PAGES,
    ) -> tuple[list[dict[str, Any]], str]:
        """Every item of a collection, following @odata.nextLink; and the deltaLink, if any."""
        items: list[dict[str, Any]] = []
        next_url: str | None = url
        for _page in range(max_pages):
            assert next_url is not None  # noqa: S101 - the loop ends when it is None
            payload = self._json(self.request("GET", next_url, params=params, headers=headers))
            params = None  # the links carry their own query
            value = payload.get("value")
            if not isinstance(value, list):
                raise GraphError("unreadable")
            items.extend(item for item in value if isinstance(item, dict))
            delta = payload.get("@odata.deltaLink")
            next_url = payload.get("@odata.nextLink")
            if delta or not next_url:
                return items, str(delta or "")
        raise GraphError("too_large")

    # --- the account --------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        return self._json(
            self.request("GET", "/me", params={"$select": "mail,userPrincipalName,displayName"})
        )

    def calendars(self) -> list[RemoteCalendar]:
        items, _delta = self._pages(
            "/me/calendars",
            params={"$select": "id,name,isDefaultCalendar,canEdit", "$top": str(PAGE_SIZE)},
            max_pages=10,
        )
        return [
            RemoteCalendar(
                id=str(item["id"]),
                name=str(item.get("name") or ""),
                is_default=bool(item.get("isDefaultCalendar")),
                can_edit=bool(item.get("canEdit", True)),
            )
            for item in items
            if item.get("id")
        ]

    # --- reading ------------------------------------------------------------------------

    def _prefer(self) -> dict[str, str]:
        # Both preferences on every request of a delta round (the docs ask for the time
        # zone again on each nextLink and deltaLink).
        return {"Prefer": f'outlook.timezone="UTC", odata.maxpagesize={PAGE_SIZE}'}

    def delta(
        self,
        calendar_id: str,
        *,
        start: dt.datetime,
        end: dt.datetime,
        delta_link: str = "",
    ) -> Delta:
        """Changes in one calendar's view since `delta_link` ("": all events of the window).

        Raises GoneError when Graph no longer knows the link: call again without it.
        """
        if delta_link:
            items, new_link = self._pages(delta_link, headers=self._prefer())
        else:
            items, new_link = self._pages(
                f"/me/calendars/{_quote(calendar_id)}/calendarView/delta",
                params={"startDateTime": iso_utc(start), "endDateTime": iso_utc(end)},
                headers=self._prefer(),
            )
        if not new_link:
            raise GraphError("unreadable")  # a round always ends with a deltaLink
        result = Delta(delta_link=new_link, full=not delta_link)
        for item in items:
            if "@removed" in item:
                if item.get("id"):
                    result.removed.append(str(item["id"]))
                continue
            result.changed.append(parse_event(item))
        return result

    def calendar_view(
        self, calendar_id: str, *, start: dt.datetime, end: dt.datetime, max_pages: int = 5
    ) -> list[Event]:
        """The events of one calendar that touch [start, end) now (the live check)."""
        items, _delta = self._pages(
            f"/me/calendars/{_quote(calendar_id)}/calendarView",
            params={
                "startDateTime": iso_utc(start),
                "endDateTime": iso_utc(end),
                "$select": EVENT_FIELDS,
                "$top": str(PAGE_SIZE),
            },
            headers={"Prefer": 'outlook.timezone="UTC"'},
            max_pages=max_pages,
        )
        return [parse_event(item) for item in items]

    # --- writing ------------------------------------------------------------------------

    def create_event(self, calendar_id: str, body: dict[str, Any]) -> Event:
        """POST the event; with the same `transactionId` a retry returns the existing one."""
        response = self.request(
            "POST",
            f"/me/calendars/{_quote(calendar_id)}/events",
            json=body,
            headers={"Prefer": 'outlook.timezone="UTC"'},
        )
        return parse_event(self._json(response))

    def update_event(self, event_id: str, body: dict[str, Any]) -> Event:
        response = self.request(
            "PATCH",
            f"/me/events/{_quote(event_id)}",
            json=body,
            headers={"Prefer": 'outlook.timezone="UTC"'},
        )
        return parse_event(self._json(response))

    def delete_event(self, event_id: str) -> bool:
        """DELETE; False when it was already gone (404/410)."""
        response = self.request("DELETE", f"/me/events/{_quote(event_id)}", ok=(404, 410))
        return response.status_code not in (404, 410)

    # --- push ---------------------------------------------------------------------------

    def create_subscription(
        self,
        *,
        resource: str,
        notification_url: str,
        lifecycle_url: str,
        client_state: str,
        expires_at: dt.datetime,
    ) -> Subscription:
        response = self.request(
            "POST",
            "/subscriptions",
            json={
                "changeType": "created,updated,deleted",
                "resource": resource,
                "notificationUrl": notification_url,
                "lifecycleNotificationUrl": lifecycle_url,
                "clientState": client_state,
                "expirationDateTime": expires_at.astimezone(dt.UTC)
                .isoformat()
                .replace("+00:00", "Z"),
            },
        )
        return _subscription(self._json(response))

    def renew_subscription(self, subscription_id: str, *, expires_at: dt.datetime) -> Subscription:
        """PATCH the expiry (this also reauthorizes it after reauthorizationRequired)."""
        response = self.request(
            "PATCH",
            f"/subscriptions/{_quote(subscription_id)}",
            json={
                "expirationDateTime": expires_at.astimezone(dt.UTC)
                .isoformat()
                .replace("+00:00", "Z")
            },
        )
        return _subscription(self._json(response))

    def delete_subscription(self, subscription_id: str) -> None:
        self.request("DELETE", f"/subscriptions/{_quote(subscription_id)}", ok=(404, 410))


def _subscription(payload: dict[str, Any]) -> Subscription:
    if not payload.get("id"):
        raise GraphError("unreadable")
    expires: dt.datetime | None = None
    raw = payload.get("expirationDateTime")
    if raw:
        try:
            expires = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        except ValueError:
            expires = None
        if expires is not None and expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.UTC)
    return Subscription(
        id=str(payload["id"]), expires_at=expires, resource=str(payload.get("resource") or "")
    )
