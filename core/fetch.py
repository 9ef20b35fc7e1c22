"""Outbound HTTP to addresses people give us (calendar feeds), safe against SSRF.

Every hop of a redirect is checked: the host must resolve only to public addresses, so an
address typed by a person can never reach the server's own network (loopback, private,
link-local ranges).

The address that was checked is the address we connect to. The host is resolved once per
hop, every answer is checked, and the connection is pinned to the first checked address
(the `Host` header, TLS SNI and certificate check still use the name). A name that answers
a public address to the check and a loopback one a moment later (DNS rebinding) therefore
never reaches loopback: there is no second lookup. Proxies from the environment are
ignored for the same reason.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_REDIRECTS = 3
TIMEOUT = (5, 20)  # connect, read (seconds)


class FetchRefused(ValueError):
    """We refused the address or its answer. `code` says why; callers word it for people."""

    NOT_HTTP = "not_http"
    NOT_PUBLIC = "not_public"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def resolve_public_address(url: str, *, allow_private: bool = False) -> str:
    """Resolve the host of `url` once; refuse unless every address is public.

    Returns the address to connect to (the first one the resolver gave).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(FetchRefused.NOT_HTTP)
    default_port = 443 if parts.scheme == "https" else 80
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or default_port, proto=6)
    except socket.gaierror as exc:
        raise requests.ConnectionError(f"cannot resolve the host ({exc.errno})") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise requests.ConnectionError("the host has no address")
    if not allow_private and not all(address.is_global for address in addresses):
        raise FetchRefused(FetchRefused.NOT_PUBLIC)
    return str(addresses[0])


def _pinned_adapter(address: str) -> HTTPAdapter:
    """A requests adapter whose connections go to `address`, whatever the URL's host."""

    def new_conn(connection: HTTPConnection, parent: type[HTTPConnection]) -> socket.socket:
        # urllib3 connects to `_dns_host`; the name stays for Host, SNI and the certificate.
        name = connection._dns_host
        connection._dns_host = address  # no second lookup: connect to what was checked
        try:
            return parent._new_conn(connection)
        finally:
            connection._dns_host = name

    class PinnedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return new_conn(self, HTTPConnection)

    class PinnedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return new_conn(self, HTTPSConnection)

    class PinnedHTTPPool(HTTPConnectionPool):
        ConnectionCls = PinnedHTTPConnection

    class PinnedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = PinnedHTTPSConnection

    adapter = HTTPAdapter(max_retries=0)
    adapter.poolmanager.pool_classes_by_scheme = {
        "http": PinnedHTTPPool,
        "https": PinnedHTTPSPool,
    }
    return adapter


def pin_session(session: requests.Session, address: str) -> None:
    """Send the session's next requests to `address` (from resolve_public_address).

    For clients that keep their own session (CalDAV, with its credentials): resolve and
    check each hop, pin, then request; the name still goes in Host, SNI and the
    certificate check. Proxies from the environment are turned off (they would resolve
    the name again).
    """
    session.trust_env = False
    adapter = _pinned_adapter(address)
    for prefix in ("http://", "https://"):
        previous = session.adapters.get(prefix)
        session.mount(prefix, adapter)
        if previous is not None:
            previous.close()


def _pinned_get(url: str, address: str) -> requests.Response:
    session = requests.Session()
    pin_session(session, address)
    response = session.get(url, timeout=TIMEOUT, stream=True, allow_redirects=False)
    # The session (and its pinned pool) goes with the response.
    response._atrium_session = session  # type: ignore[attr-defined]  # kept alive until closed
    return response


def fetch_public(url: str, *, max_bytes: int, allow_private: bool = False) -> bytes:
    """GET the body of a public URL, at most `max_bytes`, following up to 3 redirects.

    Each hop connects to the address its check resolved (see the module docstring).
    Raises FetchRefused for an address or an answer we refuse, and requests' own
    exceptions for network and HTTP errors.
    """
    for _hop in range(MAX_REDIRECTS + 1):
        address = resolve_public_address(url, allow_private=allow_private)
        with _pinned_get(url, address) as response:
            if response.is_redirect and response.headers.get("location"):
                url = urljoin(url, response.headers["location"])
                continue
            response.raise_for_status()
            body = b""
            for chunk in response.iter_content(65536):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchRefused(FetchRefused.TOO_LARGE)
            return body
    raise FetchRefused(FetchRefused.TOO_MANY_REDIRECTS)
