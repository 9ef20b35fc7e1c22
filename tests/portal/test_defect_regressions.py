"""Regressions for the small defects of issue 12 (items 6 and the like)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from portal import services
from portal.models import Document, DocumentRequestItem, Firm, Folder, Matter, TimelineEntry
from tests import factories


def test_the_silence_digest_prints_an_ampersand_in_the_firm_name(world: Any) -> None:
    Firm.objects.filter(pk=1).update(name="Kowalska & Nowak")
    cache.clear()
    then = timezone.now() - dt.timedelta(days=40)
    Matter.objects.filter(pk=world.matter_a.pk).update(created_at=then)
    TimelineEntry.objects.filter(matter=world.matter_a).update(created_at=then)
    assert services.silence_digest_send() == 1
    body = mail.outbox[-1].body
    assert "Kowalska & Nowak" in body and "&amp;" not in body


def test_checklist_uploads_go_into_the_folder_the_request_names(world: Any) -> None:
    services.document_request_create(
        actor=world.staff_on,
        matter=world.matter_a,
        title="Discovery",
        due_date=timezone.localdate() + dt.timedelta(days=7),
        items=["Bank statements"],
    )
    item = DocumentRequestItem.objects.get(request__matter=world.matter_a)
    services.request_item_upload(
        actor=world.client_a, item=item, files=[SimpleUploadedFile("statement.txt", b"x")]
    )
    document = Document.objects.get(matter=world.matter_a)
    assert document.folder.name == "Discovery"
    assert not Folder.objects.filter(matter=world.matter_a, name="Requested documents").exists()


def test_a_request_named_like_an_internal_folder_is_refused_with_a_message(world: Any) -> None:
    services.folder_create(
        actor=world.staff_on, matter=world.matter_a, name="Discovery", shared_with_client=False
    )
    with pytest.raises(ServiceError, match="internal"):
        services.document_request_create(
            actor=world.staff_on,
            matter=world.matter_a,
            title="Discovery",
            due_date=timezone.localdate() + dt.timedelta(days=7),
            items=["Bank statements"],
        )


def test_a_paralegal_who_creates_a_matter_without_herself_keeps_access(
    client: Any, world: Any
) -> None:
    paralegal = factories.StaffFactory(staff_title="paralegal")
    newcomer = factories.ContactFactory(kind="prospect")  # on no matter yet: she sees it
    client.force_login(paralegal)
    response = client.post(
        reverse("staff:matter-create"),
        {
            "reference": "FAM-2026-777",
            "title": "New divorce",
            "practice_area": "family",
            "priority": "normal",
            "responsible_lawyer": world.staff_on.pk,
            "clients": [newcomer.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "New divorce" in response.content.decode()
    matter = Matter.objects.get(reference="FAM-2026-777")
    assert paralegal in matter.team.all()
