"""Uploads: a size limit enforced while the body streams, content sniffing, safe names.

The handler sits first in FILE_UPLOAD_HANDLERS. It counts bytes as they arrive and stops
the upload the moment a file passes ATRIUM_MAX_UPLOAD_MB, so an oversized file is never
held in memory or on disk; the view then shows a clear message.
"""

from __future__ import annotations

import re
import socket
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote

import docx
import filetype
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from pypdf import PdfReader

REFUSED_ATTR = "_atrium_upload_too_large"
SNIFF_BYTES = 8192


def max_upload_bytes() -> int:
    return int(settings.ATRIUM_MAX_UPLOAD_MB) * 1024 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """Refuse a file as soon as it grows past the limit; nothing of it is kept."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        self.limit = max_upload_bytes()
        self.received = 0
        # A body far larger than the limit is refused before a byte is read. Several
        # files at once may each be near the limit, so allow a few of them.
        if content_length and content_length > self.limit * 20 + 1024 * 1024:
            self._refuse()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, REFUSED_ATTR, True)
        # connection_reset=False: Django drains the rest of the body in chunks (nothing
        # kept) so the browser gets the page with the message instead of a reset.
        raise StopUpload(connection_reset=False)


def upload_was_refused(request: HttpRequest) -> bool:
    """True when the size limit stopped this request's upload (parses the body if needed)."""
    if request.method == "POST":
        request.FILES  # noqa: B018 - parsing the body is what runs the handler
    return bool(getattr(request, REFUSED_ATTR, False))


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def sanitise_filename(name: str, *, max_length: int = 150) -> str:
    """A display name without paths, control or bidi characters; never empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Drop control and format characters (C0/C1 controls, right-to-left overrides,
    # zero-width joiners, surrogates, unassigned code points); line separators become spaces.
    name = "".join(
        " " if unicodedata.category(ch) in ("Zl", "Zp") else ch
        for ch in name
        if not unicodedata.category(ch).startswith("C")
    )
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        name = "file"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: max_length - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:max_length]
    return name


def content_disposition(filename: str) -> str:
    """RFC 6266 attachment header with an ASCII fallback and the UTF-8 name."""
    ascii_name = (
        unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode() or "download"
    )
    ascii_name = re.sub(r"[^A-Za-z0-9._ ()\-]", "_", ascii_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


# ---------------------------------------------------------------------------
# Content sniffing
# ---------------------------------------------------------------------------
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

# What we accept, and the type we serve it as.
ALLOWED_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/heif",
    "image/tiff",
    "application/zip",
    DOCX,
    XLSX,
    PPTX,
    ODT,
    ODS,
    "application/msword",
    "application/vnd.ms-excel",
    "text/plain",
}
_HTML_MARKERS = (
    b"<html",
    b"<!doctype",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<body",
    b"<iframe",
    b"<head",
    b"<meta",
    b"<object",
    b"<embed",
    b"javascript:",
)


@dataclass(frozen=True)
class Sniffed:
    content_type: str | None  # None: refused

    @property
    def ok(self) -> bool:
        return self.content_type is not None


# ZIP-based files (DOCX, XLSX, ZIP) are checked from the central directory before anything
# is unpacked: a 200 KB file that expands to 200 MB (a decompression bomb) is refused.
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ZIP_RATIO = 100


def zip_within_limits(zf: zipfile.ZipFile) -> bool:
    """The archive's declared sizes stay under the caps (members, total size, ratio)."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        return False
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if total > MAX_ZIP_UNCOMPRESSED:
        return False
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(
            info.compress_size, 1
        ):
            return False
    return not (total > 1024 * 1024 and total > MAX_ZIP_RATIO * max(packed, 1))


def _zip_kind(fh: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(fh) as zf:  # reads the central directory only
            if not zip_within_limits(zf):
                return None
            names = set(zf.namelist()[:5000])
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if "ppt/presentation.xml" in names:
        return PPTX
    if "mimetype" in names and "content.xml" in names:
        return ODT
    return "application/zip"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            return False
    lowered = head.lower()
    return not any(marker in lowered for marker in _HTML_MARKERS)


def sniff(fh: IO[bytes]) -> Sniffed:
    """Decide the type from the bytes, never from the name or the browser's claim."""
    fh.seek(0)
    head = fh.read(SNIFF_BYTES)
    fh.seek(0)
    if not head:
        return Sniffed(None)
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf")
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    if mime in ("application/zip", DOCX, XLSX, PPTX) or head.startswith(b"PK\x03\x04"):
        result = _zip_kind(fh)
        fh.seek(0)
        return Sniffed(result)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # legacy Office (OLE2)
        return Sniffed("application/msword")
    if mime is not None:
        return Sniffed(mime if mime in ALLOWED_TYPES else None)
    if _looks_like_text(head):
        return Sniffed("text/plain")
    return Sniffed(None)


# ---------------------------------------------------------------------------
# Text for search
# ---------------------------------------------------------------------------
MAX_TEXT_CHARS = 200_000
MAX_PDF_PAGES = 200


def extract_text(fh: IO[bytes], content_type: str) -> str:
    """Plain text of a PDF, DOCX or text file, capped; empty for anything else."""
    fh.seek(0)
    try:
        if content_type == "application/pdf":
            reader = PdfReader(fh)
            parts: list[str] = []
            total = 0
            for page in reader.pages[:MAX_PDF_PAGES]:
                chunk = page.extract_text() or ""
                parts.append(chunk)
                total += len(chunk)
                if total > MAX_TEXT_CHARS:
                    break
            text = "\n".join(parts)
        elif content_type == DOCX:
            with zipfile.ZipFile(fh) as zf:
                if not zip_within_limits(zf):
                    return ""  # a bomb stored before the caps existed: no text, no harm
            fh.seek(0)
            document = docx.Document(fh)
            text = "\n".join(p.text for p in document.paragraphs)
        elif content_type == "text/plain":
            text = fh.read(MAX_TEXT_CHARS * 4).decode("utf-8", errors="replace")
        else:
            text = ""
    except Exception:  # noqa: BLE001 - a file we cannot parse is still a valid upload
        text = ""
    return text.replace("\x00", "")[:MAX_TEXT_CHARS]


EXTRACT_SECONDS = 30
EXTRACT_EXTRA_MEMORY = 256 * 1024 * 1024


def _extract_child(data: bytes, content_type: str, conn: Any) -> None:
    import io
    import resource

    # This child may grow by EXTRACT_EXTRA_MEMORY over what it inherited, no more.
    with open("/proc/self/statm") as statm:  # noqa: PTH123 - Linux only, like the limit
        inherited = int(statm.read().split()[0]) * resource.getpagesize()
    limit = inherited + EXTRACT_EXTRA_MEMORY
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        conn.send(extract_text(io.BytesIO(data), content_type))
    except BaseException:  # noqa: BLE001 - MemoryError included: the parent sees no text
        conn.send("")
    finally:
        conn.close()


def extract_text_limited(data: bytes, content_type: str) -> str | None:
    """extract_text in a child process with a memory cap and a time limit (Linux).

    Returns None when the child ran out of time or died (the file gets no text; the worker
    and the other files are unaffected). Elsewhere it runs in-process.
    """
    import multiprocessing
    import sys

    if not sys.platform.startswith("linux"):
        return extract_text(io_bytes(data), content_type)
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_extract_child, args=(data, content_type, child))
    process.start()
    child.close()
    try:
        if parent.poll(EXTRACT_SECONDS):
            try:
                text: str = parent.recv()
            except EOFError:
                return None
            return text
        return None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()


def io_bytes(data: bytes) -> IO[bytes]:
    import io

    return io.BytesIO(data)


# ---------------------------------------------------------------------------
# Optional antivirus (clamd INSTREAM over TCP)
# ---------------------------------------------------------------------------
class VirusFound(Exception):
    pass


def clamd_enabled() -> bool:
    return bool(getattr(settings, "ATRIUM_CLAMD_HOST", ""))


def clamd_scan(fh: IO[bytes]) -> None:
    """Stream the file to clamd; return when clean, raise VirusFound or OSError.

    OSError (clamd down, timeout, a garbled answer) means "not scanned": the caller keeps
    the file in quarantine rather than letting it through.
    """
    fh.seek(0)
    address = (settings.ATRIUM_CLAMD_HOST, int(settings.ATRIUM_CLAMD_PORT))
    with socket.create_connection(address, timeout=settings.ATRIUM_CLAMD_TIMEOUT) as sock:
        sock.sendall(b"zINSTREAM\0")
        while chunk := fh.read(64 * 1024):
            sock.sendall(struct.pack(">I", len(chunk)) + chunk)
        sock.sendall(struct.pack(">I", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    fh.seek(0)
    text = answer.rstrip(b"\0").decode("utf-8", "replace")
    if text.endswith("OK"):
        return
    if text.endswith("FOUND"):
        raise VirusFound(text)
    raise OSError(f"clamd answered {text[:80]!r}")
