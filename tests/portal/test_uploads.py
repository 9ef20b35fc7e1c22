"""The pure parts of uploads: display names, content sniffing, the download header."""

from __future__ import annotations

import io
import unicodedata
import zipfile

from hypothesis import given
from hypothesis import strategies as st

from portal.uploads import DOCX, XLSX, content_disposition, sanitise_filename, sniff
from tests.portal.filesamples import docx_with_text, pdf_with_text, png


@given(st.text(max_size=400))
def test_any_name_becomes_a_harmless_display_name(name: str) -> None:
    cleaned = sanitise_filename(name)
    assert 0 < len(cleaned) <= 150
    assert "/" not in cleaned and "\\" not in cleaned
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in cleaned)
    assert cleaned not in (".", "..")


@given(st.text(max_size=300))
def test_content_disposition_is_one_attachment_line(name: str) -> None:
    header = content_disposition(sanitise_filename(name))
    assert header.startswith('attachment; filename="')
    assert "\r" not in header and "\n" not in header
    assert "filename*=UTF-8''" in header
    header.encode("latin-1")  # a valid HTTP header value


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in names:
            zf.writestr(name, "x")
    return buffer.getvalue()


def test_sniffing_decides_by_content() -> None:
    cases = {
        pdf_with_text("x"): "application/pdf",
        png(): "image/png",
        docx_with_text("x"): DOCX,
        _zip(["[Content_Types].xml", "xl/workbook.xml"]): XLSX,
        _zip(["photos/1.jpg"]): "application/zip",
        "Zażółć gęślą jaźń\n".encode(): "text/plain",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32: "image/jpeg",
    }
    for content, expected in cases.items():
        assert sniff(io.BytesIO(content)).content_type == expected


def test_sniffing_refuses_markup_and_executables() -> None:
    for content in (
        b"<html><script>x</script>",
        b"  <SVG onload=alert(1)>",
        b"<?xml version='1.0'?><svg/>",
        b"MZ\x90\x00" + b"\x00" * 60,
        b"\x7fELF\x02\x01\x01" + b"\x00" * 60,
        b"PK\x03\x04broken",
        b"",
    ):
        assert sniff(io.BytesIO(content)).content_type is None
