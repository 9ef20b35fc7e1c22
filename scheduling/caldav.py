"""A small CalDAV client (RFC 4791, sync-collection RFC 6578) over `requests`.

Protocol only: no ORM, no settings. Every request, and every redirect hop, passes the SSRF
guard (`core.fetch.resolve_public_address`) and connects to the address that was checked
(`core.fetch.pin_session`: no second lookup a rebinding name could answer differently); a
private address is allowed only for hosts the caller lists (an office Nextcloud). Errors are `requests` exceptions (HTTPError carries
the status) or CalDAVError with a short code; neither includes the password.

Why not the `caldav` package: its 3.x line requires `niquests`, whose `urllib3-future`
replaces the `urllib3` that requests, Stripe, Twilio and boto3 run on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit
from xml.etree.ElementTree import Element  # noqa: S405 - types only; parsing is defusedxml

import requests
from defusedxml import ElementTree

from core.fetch import FetchRefused, pin_session, resolve_public_address

TIMEOUT = (10, 10)  # connect, read (seconds)
MAX_REDIRECTS = 3
MAX_BODY = 20 * 1024 * 1024

NS = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav", "cs": "http://calendarserver.org/ns/"}


class CalDAVError(Exception):
    """A CalDAV answer we cannot use. `code` is short and never holds a secret."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class RemoteCalendar:
    href: str  # absolute URL of the collection
    name: str
    ctag: str = ""
    sync_token: str = ""


@dataclass
class Changes:
    """What changed in one collection since a sync token (or everything, on a first sync)."""

    token: str
    changed: dict[str, str] = field(default_factory=dict)  # href -> etag
    removed: list[str] = field(default_factory=list)
    full: bool = False  # the token was refused or absent: `changed` is the whole collection


@dataclass(frozen=True)
class Resource:
    href: str
    etag: str
    data: bytes


def key_hash(calendar_href: str, item_href: str = "") -> str:
    """BusyTime.remote_key_hash: 16 hex digits naming the calendar, 48 the event in it."""
    prefix = hashlib.sha256(calendar_href.encode()).hexdigest()[:16]
    if not item_href:
        return prefix
    return prefix + hashlib.sha256(f"{calendar_href}\n{item_href}".encode()).hexdigest()[:48]


class Client:
    def __init__(
        self,
        url: str,
        *,
        username: str,
        password: str,
        private_hosts: frozenset[str] = frozenset(),
        allow_private: bool = False,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.private_hosts = private_hosts
        self.allow_private = allow_private
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.auth = (username, password)
        self._pinned = ""  # the address the session's connections go to

    def __repr__(self) -> str:  # never show the credentials
        return f"<CalDAV client {urlsplit(self.url).hostname}>"

    def close(self) -> None:
        self.session.close()

    # --- HTTP ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (),
    ) -> requests.Response:
        """One request; redirects are followed by hand so that each hop is checked."""
        url = urljoin(self.url, url)
        for _hop in range(MAX_REDIRECTS + 1):
            host = (urlsplit(url).hostname or "").lower()
            if not self._same_site(url):
                # The password goes with every request: never to another site.
                raise CalDAVError("other_site")
            address = resolve_public_address(
                url, allow_private=self.allow_private or host in self.private_hosts
            )
            if address != self._pinned:
                pin_session(self.session, address)
                self._pinned = address
            response = self.session.request(
                method,
                url,
                data=body.encode() if isinstance(body, str) else body,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
            if response.status_code in (301, 302, 303, 307, 308) and response.headers.get(
                "location"
            ):
                url = urljoin(url, response.headers["location"])
                continue
            if response.status_code in ok:
                return response
            response.raise_for_status()
            if len(response.content) > MAX_BODY:
                raise FetchRefused(FetchRefused.TOO_LARGE)
            return response
        raise FetchRefused(FetchRefused.TOO_MANY_REDIRECTS)

    def _same_site(self, url: str) -> bool:
        """The server's own host, or a sibling under the same parent domain (iCloud sends
        accounts to pNN-caldav.icloud.com), never a downgrade from https to http."""
        base, other = urlsplit(self.url), urlsplit(url)
        if base.scheme == "https" and other.scheme != "https":
            return False
        a, b = (base.hostname or "").lower(), (other.hostname or "").lower()
        if a == b:
            return True
        labels_a, labels_b = a.split("."), b.split(".")
        return (
            len(labels_a) >= 3
            and len(labels_b) >= 3
            and not a.replace(".", "").isdigit()
            and labels_a[-2:] == labels_b[-2:]
        )

    def _xml(self, method: str, url: str, body: str, depth: str) -> list[Element]:
        response = self.request(
            method,
            url,
            body=body,
            headers={"Depth": depth, "Content-Type": "application/xml; charset=utf-8"},
        )
        if response.status_code != 207:
            raise CalDAVError("not_dav")
        try:
            root = ElementTree.fromstring(response.content)
        except ElementTree.ParseError as exc:
            raise CalDAVError("unreadable") from exc
        return list(root.findall("d:response", NS))

    def _propfind(self, url: str, props: str, depth: str = "0") -> list[Element]:
        body = f'<?xml version="1.0"?><d:propfind {_xmlns()}><d:prop>{props}</d:prop></d:propfind>'
        return self._xml("PROPFIND", url, body, depth)

    # --- discovery ----------------------------------------------------------------------

    def calendars(self) -> list[RemoteCalendar]:
        """The event calendars of the account: principal → calendar home → collections."""
        home = self._calendar_home()
        rows = self._propfind(
            home,
            "<d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/>"
            "<c:supported-calendar-component-set/>",
            depth="1",
        )
        found = []
        for row in rows:
            prop = _ok_prop(row)
            if prop is None or prop.find("d:resourcetype/c:calendar", NS) is None:
                continue
            components = prop.find("c:supported-calendar-component-set", NS)
            if (
                components is not None
                and len(components)
                and not any(comp.get("name") == "VEVENT" for comp in components)
            ):
                continue
            href = urljoin(home, _text(row, "d:href"))
            found.append(
                RemoteCalendar(
                    href=href,
                    name=_text(prop, "d:displayname") or href.rstrip("/").rsplit("/", 1)[-1],
                    ctag=_text(prop, "cs:getctag"),
                    sync_token=_text(prop, "d:sync-token"),
                )
            )
        return found

    def _calendar_home(self) -> str:
        rows = self._propfind(self.url, "<d:current-user-principal/><c:calendar-home-set/>")
        prop = _ok_prop(rows[0]) if rows else None
        if prop is not None:
            home = prop.find("c:calendar-home-set/d:href", NS)
            if home is not None and home.text:
                return urljoin(self.url, home.text.strip())
            principal = prop.find("d:current-user-principal/d:href", NS)
            if principal is not None and principal.text:
                url = urljoin(self.url, principal.text.strip())
                rows = self._propfind(url, "<c:calendar-home-set/>")
                prop = _ok_prop(rows[0]) if rows else None
                home = prop.find("c:calendar-home-set/d:href", NS) if prop is not None else None
                if home is not None and home.text:
                    return urljoin(url, home.text.strip())
        return self.url  # the address given is the calendar home (or a calendar) itself

    def collection_state(self, href: str) -> RemoteCalendar:
        rows = self._propfind(href, "<d:displayname/><cs:getctag/><d:sync-token/>")
        prop = _ok_prop(rows[0]) if rows else None
        if prop is None:
            raise CalDAVError("no_calendar")
        return RemoteCalendar(
            href=href,
            name=_text(prop, "d:displayname"),
            ctag=_text(prop, "cs:getctag"),
            sync_token=_text(prop, "d:sync-token"),
        )

    # --- reading ------------------------------------------------------------------------

    def changes(self, href: str, token: str = "") -> Changes:
        """RFC 6578 sync-collection from `token` ("" = everything); a refused token → full."""
        body = (
            f'<?xml version="1.0"?><d:sync-collection {_xmlns()}>'
            f"<d:sync-token>{_escape(token)}</d:sync-token><d:sync-level>1</d:sync-level>"
            "<d:prop><d:getetag/></d:prop></d:sync-collection>"
        )
        try:
            response = self.request(
                "REPORT",
                href,
                body=body,
                headers={"Content-Type": "application/xml; charset=utf-8"},
                ok=(403, 409, 412),
            )
        except requests.HTTPError as exc:
            if exc.response is not None and exc.response.status_code in (400, 501):
                return self._listing(href)
            raise
        if response.status_code in (403, 409, 412):
            if token:
                return self.changes(href, "")  # the token expired: start again
            return self._listing(href)
        try:
            root = ElementTree.fromstring(response.content)
        except ElementTree.ParseError as exc:
            raise CalDAVError("unreadable") from exc
        result = Changes(token=(root.findtext("d:sync-token", "", NS) or "").strip())
        result.full = not token
        for row in root.findall("d:response", NS):
            item = urljoin(href, _text(row, "d:href"))
            status = row.findtext("d:status", "", NS)
            if "404" in status:
                result.removed.append(item)
                continue
            prop = _ok_prop(row)
            if item.rstrip("/") == href.rstrip("/") or prop is None:
                continue
            result.changed[item] = _text(prop, "d:getetag")
        return result

    def _listing(self, href: str) -> Changes:
        rows = self._propfind(href, "<d:getetag/><d:resourcetype/>", depth="1")
        result = Changes(token="", full=True)
        for row in rows:
            item = urljoin(href, _text(row, "d:href"))
            prop = _ok_prop(row)
            if prop is None or item.rstrip("/") == href.rstrip("/"):
                continue
            result.changed[item] = _text(prop, "d:getetag")
        return result

    def fetch(self, href: str, items: list[str]) -> list[Resource]:
        """calendar-multiget of these resources (in batches)."""
        found: list[Resource] = []
        for i in range(0, len(items), 200):
            hrefs = "".join(
                f"<d:href>{_escape(urlsplit(item).path)}</d:href>" for item in items[i : i + 200]
            )
            body = (
                f'<?xml version="1.0"?><c:calendar-multiget {_xmlns()}>'
                f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>"
            )
            for row in self._xml("REPORT", href, body, "1"):
                prop = _ok_prop(row)
                if prop is None:
                    continue
                data = prop.findtext("c:calendar-data", "", NS) or ""
                found.append(
                    Resource(
                        href=urljoin(href, _text(row, "d:href")),
                        etag=_text(prop, "d:getetag"),
                        data=data.encode(),
                    )
                )
        return found

    def query(self, href: str, start: dt.datetime, end: dt.datetime) -> list[Resource]:
        """calendar-query: the events of a collection that touch [start, end)."""
        fmt = "%Y%m%dT%H%M%SZ"
        body = (
            f'<?xml version="1.0"?><c:calendar-query {_xmlns()}>'
            "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
            '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
            f'<c:time-range start="{start.astimezone(dt.UTC):{fmt}}" '
            f'end="{end.astimezone(dt.UTC):{fmt}}"/>'
            "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
        )
        found = []
        for row in self._xml("REPORT", href, body, "1"):
            prop = _ok_prop(row)
            if prop is not None:
                found.append(
                    Resource(
                        href=urljoin(href, _text(row, "d:href")),
                        etag=_text(prop, "d:getetag"),
                        data=(prop.findtext("c:calendar-data", "", NS) or "").encode(),
                    )
                )
        return found

    def etag(self, href: str) -> str | None:
        """The resource's current ETag, or None when it does not exist."""
        response = self.request("GET", href, ok=(404, 410))
        if response.status_code in (404, 410):
            return None
        return response.headers.get("ETag", "")

    # --- writing ------------------------------------------------------------------------

    def put(self, href: str, data: bytes, *, etag: str | None) -> tuple[int, str]:
        """Create (etag None: If-None-Match *) or update (If-Match etag).

        Returns (status, new etag); status 412 means the precondition failed (it exists
        already, or it was changed since `etag`) and nothing was written.
        """
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if etag is None:
            headers["If-None-Match"] = "*"
        else:
            headers["If-Match"] = etag
        response = self.request("PUT", href, body=data, headers=headers, ok=(412,))
        if response.status_code == 412:
            return 412, ""
        new = response.headers.get("ETag", "")
        if not new:
            new = self.etag(href) or ""
        return response.status_code, new

    def delete(self, href: str, *, etag: str | None) -> int:
        """DELETE (If-Match etag when given): 204/200, 404 (already gone) or 412."""
        headers = {"If-Match": etag} if etag else {}
        response = self.request("DELETE", href, headers=headers, ok=(404, 410, 412))
        return response.status_code


def event_href(calendar_href: str, uid: str) -> str:
    """Where Atrium's event for this appointment uid lives in the write calendar."""
    base = calendar_href if calendar_href.endswith("/") else calendar_href + "/"
    return base + quote(uid.split("@", 1)[0], safe="") + ".ics"


def _xmlns() -> str:
    return " ".join(f'xmlns:{p}="{uri}"' for p, uri in NS.items())


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text(node: Element, path: str) -> str:
    return (node.findtext(path, "", NS) or "").strip()


def _ok_prop(row: Element) -> Element | None:
    """The <prop> of the propstat with a 200 status, if any."""
    for propstat in row.findall("d:propstat", NS):
        if "200" in (propstat.findtext("d:status", "", NS) or ""):
            return propstat.find("d:prop", NS)
    return None
