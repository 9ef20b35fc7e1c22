"""A DOCX that expands 1,000 times is refused before anything is unpacked; text extraction
runs with memory and time limits, so a bad file fails that file only."""

from __future__ import annotations

import io
import resource
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ServiceError
from portal import services
from portal.models import DocumentVersion
from portal.uploads import DOCX, extract_text, extract_text_limited
from tests.portal.filesamples import docx_with_text


def docx_bomb(expanded_mb: int = 20) -> bytes:
    """A valid-looking DOCX whose document.xml inflates from kilobytes to `expanded_mb` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as member:
            chunk = b"<w:t>" + b"A" * (1024 * 1024 - 5)
            for _ in range(expanded_mb):
                member.write(chunk)
    return out.getvalue()


def test_a_docx_bomb_is_refused_at_upload_and_nothing_is_stored(world: Any) -> None:
    bomb = docx_bomb()
    assert len(bomb) < 100_000  # 20 MB packed into a few dozen KB
    folder = services.folder_create(actor=world.staff_on, matter=world.matter_a, name="In")
    with pytest.raises(ServiceError, match="is not a type we accept"):
        services.document_upload(
            actor=world.staff_on,
            matter=world.matter_a,
            folder=folder,
            files=[SimpleUploadedFile("contract.docx", bomb, content_type=DOCX)],
        )
    assert not DocumentVersion.objects.exists()


def test_text_of_a_stored_bomb_is_not_unpacked() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert extract_text(io.BytesIO(docx_bomb(30)), DOCX) == ""
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 15 * 1024  # never held the 30 MB it would expand to


def test_limited_extraction_reads_a_normal_docx_in_a_child_process() -> None:
    assert "Umowa najmu" in (extract_text_limited(docx_with_text("Umowa najmu"), DOCX) or "")


def test_limited_extraction_gives_no_text_when_the_file_exhausts_its_memory(
    monkeypatch: Any,
) -> None:
    # given: a child allowed only 1 MB more than it inherited, and a plain-text file whose
    # text is far larger than that
    from portal import uploads

    monkeypatch.setattr(uploads, "EXTRACT_EXTRA_MEMORY", 1024 * 1024)
    monkeypatch.setattr(uploads, "MAX_TEXT_CHARS", 10**9)
    text = extract_text_limited(b"word " * 4_000_000, "text/plain")
    # then: no text for that file (the caller stores none), and this process is fine
    assert text in ("", None)
