"""A real CalDAV server for the tests: Radicale on a loopback wsgiref thread.

Test-only (Radicale is GPL-3.0 and a dev dependency; product code never imports it). The
`Server` keeps a log of request methods and can be told to answer one request slowly (after
storing it), which is how a write-back "times out" although the server did the work.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from radicale import Application
from radicale import config as radicale_config

USER = "lawyer"
PASSWORD = "app-pass-1234"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class _ThreadedServer(WSGIServer):
    daemon_threads = True


@dataclass
class Server:
    url: str
    root: Path
    methods: list[str] = field(default_factory=list)
    # {"PUT": 1.5}: answer the next request of that method this many seconds late.
    slow_next: dict[str, float] = field(default_factory=dict)
    _httpd: Any = None

    @property
    def home(self) -> str:
        return f"{self.url}/{USER}/"

    def calendar_url(self, slug: str) -> str:
        return f"{self.home}{slug}/"

    def http(
        self, method: str, url: str, body: str = "", timeout: float = 10, **headers: str
    ) -> requests.Response:
        """What a staff member's calendar app does, straight to the server."""
        return requests.request(
            method, url, data=body.encode(), headers=headers, auth=(USER, PASSWORD), timeout=timeout
        )

    def make_calendar(self, slug: str, name: str) -> str:
        url = self.calendar_url(slug)
        body = (
            '<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" '
            'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>'
            f"<d:displayname>{name}</d:displayname>"
            '<c:supported-calendar-component-set><c:comp name="VEVENT"/>'
            "</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>"
        )
        response = self.http("MKCALENDAR", url, body)
        assert response.status_code == 201, response.text
        return url

    def put_event(self, calendar: str, name: str, ics: str) -> requests.Response:
        return self.http(
            "PUT",
            f"{calendar}{name}.ics",
            ics.replace("\n", "\r\n"),
            **{"Content-Type": "text/calendar"},
        )

    def events(self, calendar: str) -> dict[str, str]:
        """href → calendar data of every event in a calendar, as the server has them."""
        from defusedxml import ElementTree

        body = (
            '<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" '
            'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data/></d:prop>'
            '<c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>'
        )
        response = self.http(
            "REPORT", calendar, body, Depth="1", **{"Content-Type": "application/xml"}
        )
        ns = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav"}
        root = ElementTree.fromstring(response.content)
        return {
            r.findtext("d:href", "", ns): r.findtext(".//c:calendar-data", "", ns)
            for r in root.findall("d:response", ns)
        }

    def set_password(self, password: str) -> None:
        (self.root / "users").write_text(f"{USER}:{password}\n")


def start(tmp_path: Path) -> Iterator[Server]:
    root = tmp_path / "radicale"
    root.mkdir()
    (root / "users").write_text(f"{USER}:{PASSWORD}\n")
    configuration = radicale_config.load()
    configuration.update(
        {
            "auth": {
                "type": "htpasswd",
                "htpasswd_filename": str(root / "users"),
                "htpasswd_encryption": "plain",
                "delay": "0",
                "cache_logins": "False",
            },
            "rights": {"type": "owner_only"},
            "storage": {"filesystem_folder": str(root / "collections")},
            "web": {"type": "none"},
            "logging": {"level": "warning"},
        },
        "test",
        privileged=True,
    )
    application = Application(configuration)
    server = Server(url="", root=root)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        method = environ["REQUEST_METHOD"]
        server.methods.append(method)
        result = list(application(environ, start_response))
        delay = server.slow_next.pop(method, 0.0)
        if delay:
            time.sleep(delay)  # done already; the client gives up before the answer
        return result

    httpd = make_server("127.0.0.1", 0, app, server_class=_ThreadedServer, handler_class=_Quiet)
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    server._httpd = httpd
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    # The principal collection exists once the user has been seen.
    server.http("PROPFIND", server.home, Depth="0")
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
