"""Files with the detailed (stage 2) questions: the portal's upload checks, private
storage, staff who may see the lead download them, every download audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from intake import samples
from intake.models import IntakeFile, IntakeSubmission, Lead
from tests import factories
from tests.intake.helpers import published_form

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example")


@pytest.fixture
def stage_two(admin: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """A clear inquiry and its stage-2 link, as the prospect receives it."""
    form = published_form(admin, name="Immigration", fields=samples.immigration())
    Client().post(
        f"/intake/f/{form.slug}/",
        {
            "first_name": "Olena",
            "last_name": "Bondar",
            "email": "olena@example.com",
            "country_of_origin": "UA",
            "status": "none",
        },
    )
    lead = Lead.objects.get(contact__email="olena@example.com")
    staff = Client()
    staff.force_login(admin)
    if lead.conflict_state == "needs_review":
        check = lead.conflict_checks.get()
        staff.post(
            reverse("intake:staff-conflict-decide", kwargs={"check_id": check.pk}),
            {"decision": "cleared", "note": "Different person"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("intake:staff-lead-stage-two", kwargs={"lead_id": lead.pk}))
    path = "/intake/d/" + mail.outbox[-1].body.split("/intake/d/")[1].split()[0]
    return {"path": path, "lead": lead, "staff": staff}


def test_a_prospect_sends_a_file_and_staff_download_it_audited(stage_two: Any) -> None:
    prospect = Client()
    page = prospect.get(stage_two["path"]).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file" id="f-documents"' in page

    response = prospect.post(
        stage_two["path"],
        {
            "story": "We arrived in 2022.",
            "documents": SimpleUploadedFile("karta.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    stored = IntakeFile.objects.get()
    submission = IntakeSubmission.objects.get(stage=2)
    assert stored.submission == submission and stored.lead == stage_two["lead"]
    assert submission.answers["documents"] == ["karta.pdf"]
    assert stored.content_type == "application/pdf" and stored.size == len(PDF)
    assert stored.file.name.startswith("intake/files/") and "karta" not in stored.file.name

    staff = stage_two["staff"]
    detail = staff.get(
        reverse("intake:staff-submission", kwargs={"submission_id": submission.pk})
    ).content.decode()
    link = reverse("intake:staff-intake-file", kwargs={"file_id": stored.pk})
    assert link in detail and "karta.pdf" in detail
    download = staff.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="intake.file_downloaded").count() == 1

    # Nobody outside the firm gets the file: not the prospect, not a client.
    assert prospect.get(link).status_code in (302, 404)
    outsider = Client()
    outsider.force_login(factories.UserFactory())
    assert outsider.get(link).status_code == 404


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_stored(stage_two: Any) -> None:
    prospect = Client()
    response = prospect.post(
        stage_two["path"],
        {
            "story": "We arrived in 2022.",
            "documents": SimpleUploadedFile(
                "karta.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf"
            ),
        },
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "karta.pdf" in page and "We arrived in 2022." in page
    assert not IntakeFile.objects.exists()
    assert not IntakeSubmission.objects.filter(stage=2).exists()


def test_a_file_over_the_limit_is_refused_with_a_message(stage_two: Any, settings: Any) -> None:
    settings.ATRIUM_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 10))
    response = Client().post(stage_two["path"], {"story": "x", "documents": big})
    assert response.status_code == 400
    assert "1 MB" in response.content.decode()
    assert not IntakeFile.objects.exists()


def test_a_file_for_a_hidden_or_unknown_question_is_never_kept(stage_two: Any) -> None:
    response = Client().post(
        stage_two["path"],
        {
            "story": "We arrived in 2022.",
            "passport_scan": SimpleUploadedFile("p.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert not IntakeFile.objects.exists()
