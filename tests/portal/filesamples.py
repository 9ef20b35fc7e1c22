"""Small real files for upload tests: a PDF with text, a DOCX, a PNG."""

from __future__ import annotations

import io
import struct
import zlib

# The demo data builds the same one-page PDF; tests import it from here with the others.
from portal.demo import pdf_with_text  # noqa: F401


def docx_with_text(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
