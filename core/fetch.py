"""Outbound HTTP to addresses people give us (calendar feeds), safe against SSRF.

Every hop of a redirect is checked: the host must resolve only to public addresses, so an
address typed by a person can never reach the server's own network (loopback, private,
link-local ranges).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import requests

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


def check_public_address(url: str, *, allow_private: bool = False) -> None:
    """Refuse anything but http(s) to a host whose every address is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(FetchRefused.NOT_HTTP)
    if allow_private:
        return
    for info in socket.getaddrinfo(parts.hostname, parts.port or 443):
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchRefused(FetchRefused.NOT_PUBLIC)


def fetch_public(url: str, *, max_bytes: int, allow_private: bool = False) -> bytes:
    """GET the body of a public URL, at most `max_bytes`, following up to 3 redirects.

    Raises FetchRefused for an address or an answer we refuse, and requests' own
    exceptions for network and HTTP errors.
    """
    for _hop in range(MAX_REDIRECTS + 1):
        check_public_address(url, allow_private=allow_private)
        with requests.get(url, timeout=TIMEOUT, stream=True, allow_redirects=False) as response:
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
