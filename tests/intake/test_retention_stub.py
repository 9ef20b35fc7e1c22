"""The retention purge also removes a prospect's stage-2 files from storage and reduces
their contact to the stub the conflict check needs (issue 10 §9, spec intake.md §7)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from audit.models import AuditEvent
from intake import services as intake_services
from intake.models import IntakeFile, Lead
from intake.services import Name
from portal.models import Contact, Tag
from tests import factories
from tests.intake.test_retention import _declined_lead

pytestmark = pytest.mark.django_db

PURGE_DAY = dt.datetime(2027, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example")


def _with_file(lead: Lead) -> IntakeFile:
    submission = lead.submissions.get()
    row = IntakeFile(
        draft=submission.draft,
        submission=submission,
        lead=lead,
        field_key="documents",
        name="karta.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
    )
    row.file.save("karta.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    row.save()
    return row


def _purge(capture: Any) -> str:
    out = StringIO()
    with time_machine.travel(PURGE_DAY, tick=False), capture(execute=True):
        call_command("purge_prospects", stdout=out)
    return out.getvalue()


def test_files_leave_storage_and_the_contact_keeps_only_the_stub(
    admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    lead = _declined_lead(admin)
    stored = _with_file(lead).file.name
    assert default_storage.exists(stored)
    user = factories.UserFactory(email="lukasz@example.com")
    Contact.objects.filter(pk=lead.contact_id).update(
        notes="Called twice about the divorce", sms_consent=True, user=user
    )
    contact = Contact.objects.get(pk=lead.contact_id)
    contact.tags.add(Tag.objects.create(name="Divorce"))

    report = _purge(django_capture_on_commit_callbacks)

    assert "1 files" in report and "contact reduced to the stub" in report
    assert not IntakeFile.objects.exists()
    assert not default_storage.exists(stored)
    contact = Contact.objects.get(pk=lead.contact_id)
    assert contact.notes == "" and not contact.sms_consent and not contact.tags.exists()
    # What the conflict check needs stays: names and identifiers.
    assert (contact.first_name, contact.last_name) == ("Łukasz", "Wiśniewski")
    assert contact.email == "lukasz@example.com"
    user.refresh_from_db()
    assert not user.is_active
    event = AuditEvent.objects.get(action="lead.purged")
    assert event.data["files"] == 1 and event.data["contact_reduced"] is True
    assert AuditEvent.objects.filter(action="contact.reduced").count() == 1
    check = intake_services.conflict_check_adhoc(
        names=[Name(name="Lukasz Wisniewski", role="CLIENT")], actor=admin
    )
    assert any(hit.entry.lead_id == lead.pk for hit in check.hits.all())


def test_a_client_or_a_party_on_a_matter_keeps_their_record(
    admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    lead = _declined_lead(admin)
    Contact.objects.filter(pk=lead.contact_id).update(notes="Also our client's brother")
    lawyer = factories.StaffFactory()
    factories.make_matter(lawyer=lawyer, clients=[Contact.objects.get(pk=lead.contact_id)])
    Contact.objects.filter(pk=lead.contact_id).update(kind="prospect")

    report = _purge(django_capture_on_commit_callbacks)

    assert "1 leads purged" in report and "contact reduced" not in report
    assert Contact.objects.get(pk=lead.contact_id).notes == "Also our client's brother"
    assert AuditEvent.objects.get(action="lead.purged").data["contact_reduced"] is False


def test_a_second_open_inquiry_keeps_the_contact(
    admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    lead = _declined_lead(admin)
    Contact.objects.filter(pk=lead.contact_id).update(notes="Wants a second opinion")
    Lead.objects.create(contact_id=lead.contact_id, source="returning")

    _purge(django_capture_on_commit_callbacks)

    assert Contact.objects.get(pk=lead.contact_id).notes == "Wants a second opinion"
