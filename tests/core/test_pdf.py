"""Documents never fetch a URL: only the project's own static files are read."""

from __future__ import annotations

import base64
import io
import os
import socket
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from pypdf import PdfReader

from billing.money import Money
from billing.qr import payment_qr_svg

try:
    from core.pdf import LockedURLFetcher, ResourceRefused, render_pdf
except OSError as exc:  # WeasyPrint cannot load Pango: a bare machine, as for Chromium
    if os.environ.get("CI") or os.environ.get("ATRIUM_E2E_REQUIRED") == "1":
        raise
    pytest.skip(
        f"WeasyPrint needs Pango ({exc}); apt-get install libpango-1.0-0 "
        "libpangoft2-1.0-0 libharfbuzz-subset0",
        allow_module_level=True,
    )

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201e2239a1e0000000049454e44ae426082"
)


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_images(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def no_outside_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail loudly, before any packet, if anything tries a non-loopback address."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        if not str(host).startswith(("127.", "::1", "localhost")):
            attempts.append(address)
            raise OSError("outside connections are not allowed in tests")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


@pytest.fixture
def remote() -> Iterator[dict[str, Any]]:
    """A real HTTP server on loopback that counts what it is asked for."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(self.path)
            if self.path.endswith(".css"):
                body, kind = b'body::after { content: "REMOTE-MARKER"; }', "text/css"
            else:
                body, kind = PNG_1PX, "image/png"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_address[1]}", "hits": hits}
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def static_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "static"
    (root / "css").mkdir(parents=True)
    (root / "img").mkdir()
    (root / "css" / "doc.css").write_text('body::before { content: "STATIC-MARKER"; }')
    (root / "img" / "logo.png").write_bytes(PNG_1PX)
    settings.STATICFILES_DIRS = [root]
    settings.STATIC_ROOT = tmp_path / "collected"
    finders.get_finder.cache_clear()
    yield root
    finders.get_finder.cache_clear()


def test_static_files_are_read_from_disk(static_dir: Path) -> None:
    pdf = render_pdf(
        '<link rel="stylesheet" href="/static/css/doc.css">'
        '<p>Invoice</p><img src="/static/img/logo.png">'
    )
    assert pdf.startswith(b"%PDF-")
    assert "STATIC-MARKER" in pdf_text(pdf)
    assert pdf_images(pdf) == 1


def test_remote_images_and_stylesheets_are_never_fetched(
    static_dir: Path, remote: dict[str, Any], no_outside_connections: list[Any]
) -> None:
    url = remote["url"]
    pdf = render_pdf(f"""
        <style>
          @import url("{url}/import.css");
          @font-face {{ font-family: X; src: url("{url}/font.woff"); }}
          p {{ background: url("{url}/bg.png"); }}
        </style>
        <link rel="stylesheet" href="{url}/remote.css">
        <p>Line: <img src="{url}/tracker.png"></p>
        <svg width="10" height="10"><image href="{url}/svg.png" width="10" height="10"/></svg>
        <img src="http://169.254.169.254/latest/meta-data/">
    """)
    assert remote["hits"] == []
    assert no_outside_connections == []
    assert "REMOTE-MARKER" not in pdf_text(pdf)
    assert pdf_images(pdf) == 0


def test_file_urls_are_never_read(static_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text('body::after { content: "FILE-MARKER"; }')
    pdf = render_pdf(f"""
        <link rel="stylesheet" href="file://{secret}">
        <style>@import url("file://{secret}");</style>
        <img src="file:///etc/passwd">
        <p>Hello</p>
    """)
    text = pdf_text(pdf)
    assert "Hello" in text and "FILE-MARKER" not in text and "root:" not in text


def test_the_sites_own_address_serves_static_files_from_disk(
    static_dir: Path, remote: dict[str, Any]
) -> None:
    # given the caller renders with the site's address as base
    url = remote["url"]
    pdf = render_pdf(
        '<link rel="stylesheet" href="/static/css/doc.css">'
        f'<img src="{url}/static/img/logo.png"><img src="{url}/media/x.png">',
        base_url=url + "/",
    )
    # then the static files came from disk and nothing was requested from the server
    assert remote["hits"] == []
    assert "STATIC-MARKER" in pdf_text(pdf)
    assert pdf_images(pdf) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/",
        "https://static.atrium.invalid/etc/passwd",
        "https://static.atrium.invalid/static/../config/settings.py",
        "https://static.atrium.invalid/static/%2e%2e/config/settings.py",
        "https://static.atrium.invalid/static/css/../../manage.py",
        "https://static.atrium.invalid/static//etc/passwd",
        "https://static.atrium.invalid/static/css/doc.css?x=1",
        "https://static.atrium.invalid/static/css/missing.css",
        "https://static.atrium.invalid.evil.example/static/css/doc.css",
        "ftp://static.atrium.invalid/static/css/doc.css",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
    ],
)
def test_the_fetcher_refuses_before_any_io(
    static_dir: Path, url: str, no_outside_connections: list[Any]
) -> None:
    fetcher = LockedURLFetcher()
    with pytest.raises(ResourceRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert no_outside_connections == []


def test_data_urls_stay_inline(static_dir: Path) -> None:
    encoded = base64.b64encode(PNG_1PX).decode()
    pdf = render_pdf(f'<img src="data:image/png;base64,{encoded}">')
    assert pdf_images(pdf) == 1


def test_the_project_static_files_work_without_settings_changes() -> None:
    pdf = render_pdf('<link rel="stylesheet" href="/static/css/atrium.css"><p>x</p>')
    assert pdf.startswith(b"%PDF-")
    assert (
        LockedURLFetcher()._static_path("https://static.atrium.invalid/static/css/atrium.css")
        is not None
    )


def test_a_payment_qr_code_renders_into_a_document() -> None:
    svg = payment_qr_svg(
        name="Firm",
        iban="PL61 1090 1014 0000 0712 1981 2874",
        amount=Money(Decimal("350"), "PLN"),
        title="FV/2026/03/0012",
    )
    assert svg is not None
    plain = render_pdf("<p>Pay by transfer</p>")
    with_code = render_pdf(f"<p>Pay by transfer</p><div style='width:3cm'>{svg}</div>")
    assert with_code.startswith(b"%PDF-") and len(with_code) > len(plain) + 500
