"""PDF rendering with WeasyPrint that can never fetch a URL.

Invoices, receipts and letters carry text people typed (line descriptions, notes). Even
escaped, a template or a stylesheet could point at ``http://169.254.169.254/`` or
``file:///etc/passwd``, and WeasyPrint's default fetcher would follow it (and its
redirects: CVE-2025-68616). ``LockedURLFetcher`` serves only the project's own static
files, read from disk, and refuses everything else before any I/O happens: no network,
no ``file:`` URL, no path outside the static directories. ``data:`` URLs are inline
bytes and stay allowed.

Templates refer to static files as usual (``{% static "css/invoice.css" %}`` renders
``/static/css/invoice.css``); relative URLs resolve against ``base_url``, by default an
address that exists nowhere, so nothing can ever be fetched from it.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# A name under the reserved .invalid TLD (RFC 2606): relative URLs resolve to it, and the
# fetcher maps its /static/ paths to files on disk.
STATIC_BASE_URL = "https://static.atrium.invalid/"


class ResourceRefused(ValueError):
    """A URL a document may not load. WeasyPrint logs it and renders without it."""


class LockedURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Serves ``<origin>/static/<path>`` from the project's static files, nothing else."""

    def __init__(self, *, base_url: str | None = None) -> None:
        super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False)
        origins = {_origin(STATIC_BASE_URL)}
        if base_url:
            origins.add(_origin(base_url))
        self._origins = origins
        self._static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            # Inline bytes (an embedded logo or QR code): decoded, never fetched.
            return super().fetch(url, headers)
        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            logger.warning("PDF resource refused: %s", urlsplit(url).scheme or "relative")
            raise ResourceRefused("documents load only the project's static files")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    def _static_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or _origin(url) not in self._origins:
            return None
        if parts.query or parts.fragment or "\\" in parts.path:
            return None
        if not parts.path.startswith(self._static_prefix):
            return None
        relative = unquote(parts.path[len(self._static_prefix) :])
        normalized = posixpath.normpath(relative)
        if (
            not relative
            or normalized.startswith(("/", ".."))
            or "\x00" in relative
            or normalized != relative.rstrip("/")
        ):
            return None
        return _find_static(normalized)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def _find_static(name: str) -> Path | None:
    """The collected file (hashed names from the manifest storage) or, in development
    and tests, the source file the static finders know."""
    candidates: list[str] = []
    try:
        if staticfiles_storage.exists(name):
            candidates.append(staticfiles_storage.path(name))
    except (NotImplementedError, OSError, ValueError):
        pass
    found = finders.find(name)
    if isinstance(found, str):
        candidates.append(found)
    for candidate in candidates:
        path = Path(candidate).resolve()
        if path.is_file() and _inside_static_roots(path):
            return path
    return None


def _inside_static_roots(path: Path) -> bool:
    roots = [Path(str(settings.STATIC_ROOT)).resolve()] if settings.STATIC_ROOT else []
    for entry in settings.STATICFILES_DIRS:
        root = entry[1] if isinstance(entry, tuple | list) else entry
        roots.append(Path(str(root)).resolve())
    for finder in finders.get_finders():
        storages = getattr(finder, "storages", {})
        for storage in storages.values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(str(location)).resolve())
    return any(path.is_relative_to(root) for root in roots)


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of ``html``. Relative URLs resolve against ``base_url`` (default: the
    locked static origin); whatever it is, only static files are ever read."""
    fetcher = LockedURLFetcher(base_url=base_url)
    document = HTML(string=html, base_url=base_url or STATIC_BASE_URL, url_fetcher=fetcher)
    pdf = document.write_pdf()
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target
        raise TypeError("WeasyPrint returned no bytes")
    return pdf
