"""Search over messages, document names and document text, within visible matters only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import selectors, services
from portal.models import DocumentVersion
from portal.uploads import extract_text
from tests.portal.filesamples import docx_with_text, pdf_with_text

pytestmark = pytest.mark.django_db


def _upload(
    world: Any,
    matter: Any,
    name: str,
    content: bytes,
    *,
    by: Any = None,
    shared: bool = True,
    capture: Any,
) -> DocumentVersion:
    actor = by or (world.staff_on if matter == world.matter_a else world.staff_off)
    folder, _ = matter.folders.get_or_create(name="Files")
    with capture(execute=True):
        return services.document_upload(
            actor=actor,
            matter=matter,
            folder=folder,
            shared_with_client=shared,
            files=[SimpleUploadedFile(name, content)],
        )[0]


def test_text_is_extracted_from_pdf_docx_and_plain_text() -> None:
    import io

    assert "quixotic" in extract_text(
        io.BytesIO(pdf_with_text("A quixotic plan")), "application/pdf"
    )
    assert "zugzwang" in extract_text(
        io.BytesIO(docx_with_text("In zugzwang now")),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    assert extract_text(io.BytesIO("zażółć".encode()), "text/plain") == "zażółć"
    assert extract_text(io.BytesIO(b"not a pdf"), "application/pdf") == ""


def _names(results: Any) -> set[str]:
    return {d.name for d in results.documents}


def _check_search_finds_pdf_word_and_respects_access(world: Any, capture: Any) -> None:
    # given a PDF with a rare word on matter A, an internal DOCX with it too, and the
    # same word on matter B
    _upload(
        world, world.matter_a, "report.pdf", pdf_with_text("The quixotic witness"), capture=capture
    )
    _upload(
        world,
        world.matter_a,
        "memo.docx",
        docx_with_text("quixotic internal memo"),
        shared=False,
        capture=capture,
    )
    _upload(
        world, world.matter_b, "other.pdf", pdf_with_text("Another quixotic story"), capture=capture
    )
    services.message_send(
        actor=world.client_b, matter=world.matter_b, text="Is my quixotic claim fine?"
    )

    # then staff on A find A's documents and nothing of B
    assert _names(selectors.search_for_user(user=world.staff_on, query="quixotic")) == {
        "report.pdf",
        "memo.docx",
    }
    assert selectors.search_for_user(user=world.staff_on, query="quixotic").messages == []
    # client A finds the shared PDF only
    assert _names(selectors.search_for_user(user=world.client_a, query="quixotic")) == {
        "report.pdf"
    }
    # client B finds only their own things
    found_b = selectors.search_for_user(user=world.client_b, query="quixotic")
    assert _names(found_b) == {"other.pdf"}
    assert [m.matter_id for m in found_b.messages] == [world.matter_b.pk]
    # expired co-counsel and staff off the matter find nothing of A
    assert (
        _names(selectors.search_for_user(user=world.cocounsel_expired, query="quixotic")) == set()
    )
    assert "report.pdf" not in _names(
        selectors.search_for_user(user=world.staff_off, query="quixotic")
    )
    # document names are searchable too
    assert _names(selectors.search_for_user(user=world.client_a, query="report")) == {"report.pdf"}


def test_search_on_sqlite_or_postgres_finds_pdf_text_within_visible_matters(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _check_search_finds_pdf_word_and_respects_access(world, django_capture_on_commit_callbacks)


@pytest.mark.postgres
def test_postgres_full_text_search_finds_a_word_inside_an_uploaded_pdf(
    client: Any, world: Any, firm: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an English firm, so the english configuration stems words
    from django.core.cache import cache
    from django.db import connection

    assert connection.vendor == "postgresql"
    firm.default_language = "en"
    firm.save()
    cache.clear()
    assert selectors.search_config() == "english"
    _check_search_finds_pdf_word_and_respects_access(world, django_capture_on_commit_callbacks)

    # when searching through the page for an inflected form of a word in the PDF
    _upload(
        world,
        world.matter_a,
        "hearing.pdf",
        pdf_with_text("The witnesses testified about the contracts"),
        capture=django_capture_on_commit_callbacks,
    )
    client.force_login(world.client_a)
    body = client.get(reverse("portal:search"), {"q": "contract testify"}).content.decode()

    # then stemming finds it
    assert "hearing.pdf" in body
    assert "other.pdf" not in body


@pytest.mark.postgres
def test_polish_firm_searches_with_the_simple_configuration(world: Any, firm: Any) -> None:
    from django.core.cache import cache

    firm.default_language = "pl"
    firm.save()
    cache.clear()
    services.message_send(
        actor=world.client_a, matter=world.matter_a, text="Rozprawa odbędzie się w poniedziałek"
    )
    assert selectors.search_config() == "simple"
    found = selectors.search_for_user(user=world.staff_on, query="poniedziałek")
    assert len(found.messages) == 1


def test_short_or_empty_query_returns_nothing(world: Any) -> None:
    assert selectors.search_for_user(user=world.staff_on, query=" a ").documents == []


def test_search_page_for_staff_shows_messages_of_their_matters(client: Any, world: Any) -> None:
    services.message_send(
        actor=world.client_a, matter=world.matter_a, text="The pelican invoice is attached"
    )
    services.message_send(
        actor=world.client_b, matter=world.matter_b, text="The pelican contract of B"
    )
    client.force_login(world.staff_on)
    body = client.get(reverse("staff:search"), {"q": "pelican"}).content.decode()
    assert "pelican invoice" in body
    assert "contract of B" not in body
