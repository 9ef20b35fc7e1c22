"""The SSRF guard connects to the address it checked (no DNS rebinding past it)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from core import fetch
from core.fetch import FetchRefused, fetch_public

PUBLIC_IP = "93.184.215.14"  # a global address; the fake network routes it to a local server


class _Server:
    def __init__(self, body: bytes, redirect: str = "") -> None:
        self.requests: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                outer.requests.append({"path": self.path, "host": self.headers["Host"]})
                if redirect:
                    self.send_response(302)
                    self.send_header("Location", redirect)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[tuple[_Server, _Server]]:
    internal = _Server(b"INTERNAL SECRET")
    public = _Server(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    yield internal, public
    internal.close()
    public.close()


def _fake_dns(monkeypatch: Any, answers: dict[str, list[str]], route: dict[str, int]) -> list[str]:
    """Names answer from `answers` (one answer per lookup, the last one repeats); the
    public address is routed to a local port. Returns the names looked up, in order."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        host = host.decode() if isinstance(host, bytes) else host
        lookups.append(host)
        if host in answers:
            queue = answers[host]
            address = queue.pop(0) if len(queue) > 1 else queue[0]
            return real(address, port, socket.AF_INET, socket.SOCK_STREAM)
        if host in route:
            return real("127.0.0.1", route[host], socket.AF_INET, socket.SOCK_STREAM)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_a_name_that_rebinds_to_loopback_is_fetched_from_the_checked_address(
    monkeypatch: Any, servers: tuple[_Server, _Server]
) -> None:
    internal, public = servers
    # given: rebind.test answers a public address to the check and loopback afterwards
    lookups = _fake_dns(
        monkeypatch,
        {"rebind.test": [PUBLIC_IP, "127.0.0.1"]},
        {PUBLIC_IP: public.port},
    )
    # when
    body = fetch_public(f"http://rebind.test:{internal.port}/feed.ics", max_bytes=10_000)
    # then: the checked (public) address answered, loopback was never reached
    assert body.startswith(b"BEGIN:VCALENDAR")
    assert internal.requests == []
    assert public.requests == [{"path": "/feed.ics", "host": f"rebind.test:{internal.port}"}]
    assert lookups.count("rebind.test") == 1


def test_every_redirect_hop_is_checked_and_pinned(
    monkeypatch: Any, servers: tuple[_Server, _Server]
) -> None:
    internal, _public = servers
    redirector = _Server(b"", redirect=f"http://inside.test:{internal.port}/admin")
    try:
        _fake_dns(
            monkeypatch,
            {"feeds.test": [PUBLIC_IP], "inside.test": ["127.0.0.1"]},
            {PUBLIC_IP: redirector.port},
        )
        with pytest.raises(FetchRefused) as refused:
            fetch_public(f"http://feeds.test:{internal.port}/a.ics", max_bytes=10_000)
        assert refused.value.code == FetchRefused.NOT_PUBLIC
        assert len(redirector.requests) == 1
        assert internal.requests == []
    finally:
        redirector.close()


def test_a_name_with_one_private_answer_among_public_ones_is_refused(monkeypatch: Any) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "mixed.test":
            return real(PUBLIC_IP, port, socket.AF_INET, socket.SOCK_STREAM) + real(
                "10.0.0.5", port, socket.AF_INET, socket.SOCK_STREAM
            )
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(FetchRefused) as refused:
        fetch_public("https://mixed.test/cal.ics", max_bytes=100)
    assert refused.value.code == FetchRefused.NOT_PUBLIC


def test_private_addresses_allowed_by_setting_are_still_pinned(
    monkeypatch: Any, servers: tuple[_Server, _Server]
) -> None:
    internal, _public = servers
    _fake_dns(monkeypatch, {"cal.internal": ["127.0.0.1"]}, {})
    body = fetch_public(
        f"http://cal.internal:{internal.port}/x.ics", max_bytes=1000, allow_private=True
    )
    assert body == b"INTERNAL SECRET"
    assert internal.requests[0]["host"] == f"cal.internal:{internal.port}"


def test_a_body_over_the_limit_is_refused(
    monkeypatch: Any, servers: tuple[_Server, _Server]
) -> None:
    internal, _public = servers
    _fake_dns(monkeypatch, {"cal.internal": ["127.0.0.1"]}, {})
    with pytest.raises(FetchRefused) as refused:
        fetch.fetch_public(
            f"http://cal.internal:{internal.port}/x.ics", max_bytes=5, allow_private=True
        )
    assert refused.value.code == FetchRefused.TOO_LARGE
