"""Staff correct or withdraw what they posted: the client sees the current version marked
"edited", staff see the history, every change is audited, and a refused form keeps what
was typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import Notification
from portal import selectors, services
from portal.audit_actions import PortalAction
from portal.models import ClientTask, DocumentRequest, DocumentRequestItem, TimelineEntry

pytestmark = pytest.mark.django_db


def _page(client: Any, user: Any, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _client_notices(w: Any) -> Any:
    return Notification.objects.filter(event="matter_update", recipient=w.client_a)


def _entry(w: Any, **kwargs: Any) -> TimelineEntry:
    return services.timeline_entry_add(
        actor=w.staff_on,
        matter=w.matter_a,
        kind="update",
        title=kwargs.pop("title", "Hearing on 12 March"),
        body=kwargs.pop("body", "Bring your passport."),
        **kwargs,
    )


# ---------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------
def test_a_corrected_timeline_entry_shows_the_client_the_new_text_and_staff_the_history(
    client: Any, world: Any
) -> None:
    # given: a posted update the client has been told about
    entry = _entry(world)
    assert _client_notices(world).count() == 1
    # when: the lawyer corrects the date in the text through the page
    client.force_login(world.staff_on)
    response = client.post(
        reverse("staff:timeline-edit", args=[entry.pk]),
        {
            "title": "Hearing on 14 March",
            "body": "Bring your passport.",
            "occurred_at": "2026-03-01T10:00",
            "shared_with_client": "on",
        },
    )
    assert response.status_code == 302
    # then: the client sees the current text, marked edited, and never the old one
    portal = _page(client, world.client_a, reverse("portal:matter-detail", args=[entry.matter_id]))
    assert "Hearing on 14 March" in portal
    assert "Hearing on 12 March" not in portal
    assert "badge edited" in portal
    # and staff see who changed what on the entry's page
    history = _page(client, world.staff_on, reverse("staff:timeline-edit", args=[entry.pk]))
    assert "Hearing on 12 March" in history and "Hearing on 14 March" in history
    assert world.staff_on.get_full_name() in history
    # audited by field, and the client's notice joins the same batch (still one)
    event = AuditEvent.objects.get(action=PortalAction.TIMELINE_CORRECTED)
    assert event.object_id == str(entry.pk)
    assert event.data["fields"] == ["occurred_at", "title"]
    assert _client_notices(world).count() == 1


def test_correcting_an_internal_entry_tells_the_client_nothing(world: Any) -> None:
    entry = _entry(world, shared_with_client=False)
    services.timeline_entry_correct(
        actor=world.staff_on, entry=entry, title="Strategy, corrected", body=""
    )
    assert not _client_notices(world).exists()
    entry.refresh_from_db()
    assert entry.edited_at is not None and entry.title == "Strategy, corrected"


def test_a_withdrawn_entry_disappears_for_the_client_and_stays_marked_for_staff(
    client: Any, world: Any
) -> None:
    entry = _entry(world, title="Wrong matter's hearing")
    Notification.objects.all().delete()
    client.force_login(world.staff_on)
    client.post(reverse("staff:timeline-withdraw", args=[entry.pk]))
    portal = _page(client, world.client_a, reverse("portal:matter-detail", args=[entry.matter_id]))
    assert "Wrong matter" not in portal
    staff = _page(client, world.staff_on, reverse("staff:matter-detail", args=[entry.matter_id]))
    assert "Wrong matter" in staff and "withdrawn" in staff
    # nothing left to see, so no notice; audited; it cannot be corrected back into view
    assert not _client_notices(world).exists()
    assert AuditEvent.objects.filter(action=PortalAction.TIMELINE_WITHDRAWN).count() == 1
    response = client.post(
        reverse("staff:timeline-edit", args=[entry.pk]),
        {"title": "x", "occurred_at": "2026-03-01T10:00", "shared_with_client": "on"},
    )
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.shared_with_client is False and entry.title == "Wrong matter's hearing"


def test_a_stage_change_keeps_its_name_only_the_note_is_corrected(world: Any) -> None:
    services.matter_change_stage(
        actor=world.staff_on, matter=world.matter_a, to_stage="engaged", note="Signed on Monday"
    )
    entry = TimelineEntry.objects.get(kind="stage")
    services.timeline_entry_correct(
        actor=world.staff_on, entry=entry, title="", body="Signed on Tuesday"
    )
    entry.refresh_from_db()
    assert entry.body == "Signed on Tuesday" and entry.title == "Engaged"


def test_a_refused_timeline_form_keeps_what_was_typed(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    response = client.post(
        reverse("staff:matter-timeline-add", args=[world.matter_a.pk]),
        {"kind": "update", "title": "", "body": "A long note I typed", "occurred_at": "x"},
    )
    assert response.status_code == 400
    assert "A long note I typed" in response.content.decode()
    assert not TimelineEntry.objects.exists()


# ---------------------------------------------------------------------------
# Client tasks
# ---------------------------------------------------------------------------
def _task(w: Any) -> ClientTask:
    return services.client_task_create(
        actor=w.staff_on,
        matter=w.matter_a,
        kind="review",
        title="Read the draft",
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )


def test_staff_change_a_task_and_the_client_sees_the_new_title_and_date(
    client: Any, world: Any
) -> None:
    task = _task(world)
    due = timezone.localdate() + dt.timedelta(days=10)
    client.force_login(world.staff_on)
    response = client.post(
        reverse("staff:task-edit", args=[task.pk]),
        {"kind": "sign_upload", "title": "Sign the draft", "due_date": due.isoformat()},
    )
    assert response.status_code == 302
    page = _page(client, world.client_a, reverse("portal:task-list", args=[world.matter_a.pk]))
    assert "Sign the draft" in page and "Read the draft" not in page and "badge edited" in page
    task.refresh_from_db()
    assert task.due_date == due and task.kind == "sign_upload"
    history = _page(client, world.staff_on, reverse("staff:task-edit", args=[task.pk]))
    assert "Read the draft" in history
    assert AuditEvent.objects.get(action=PortalAction.TASK_EDITED).data["fields"] == [
        "due_date",
        "kind",
        "title",
    ]


def test_a_cancelled_task_is_shown_cancelled_gets_no_reminder_and_cannot_be_changed(
    client: Any, world: Any
) -> None:
    task = _task(world)
    client.force_login(world.staff_on)
    client.post(reverse("staff:task-cancel", args=[task.pk]))
    task.refresh_from_db()
    assert task.status == ClientTask.Status.CANCELLED
    page = _page(client, world.client_a, reverse("portal:task-list", args=[world.matter_a.pk]))
    assert "Cancelled" in page and "Mark as done" not in page
    assert task not in selectors.client_tasks_due(on=task.due_date)
    assert not selectors.open_tasks_for_client(user=world.client_a).exists()
    client.force_login(world.staff_on)
    response = client.post(
        reverse("staff:task-edit", args=[task.pk]),
        {"kind": "review", "title": "Back again", "due_date": "2099-01-01"},
    )
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.title == "Read the draft"
    assert AuditEvent.objects.filter(action=PortalAction.TASK_CANCELLED).count() == 1


def test_a_refused_task_form_keeps_what_was_typed(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    response = client.post(
        reverse("staff:task-create", args=[world.matter_a.pk]),
        {"kind": "review", "title": "Read clause 7 carefully", "due_date": ""},
    )
    assert response.status_code == 400
    assert "Read clause 7 carefully" in response.content.decode()
    assert not ClientTask.objects.exists()


# ---------------------------------------------------------------------------
# Document requests
# ---------------------------------------------------------------------------
def _checklist(w: Any) -> DocumentRequest:
    return services.document_request_create(
        actor=w.staff_on,
        matter=w.matter_a,
        title="For the filing",
        due_date=timezone.localdate() + dt.timedelta(days=7),
        items=["Pasport", "Payslip"],
    )


def test_staff_correct_an_item_add_one_and_withdraw_one(client: Any, world: Any) -> None:
    doc_request = _checklist(world)
    passport, payslip = doc_request.items.order_by("position")
    client.force_login(world.staff_on)
    # when: the typo is fixed, a bank statement added and the payslip withdrawn
    response = client.post(
        reverse("staff:request-edit", args=[doc_request.pk]),
        {
            "title": "For the filing",
            "due_date": doc_request.due_date.isoformat(),
            f"item_{passport.pk}": "Passport",
            f"item_{payslip.pk}": "Payslip",
            "new_items": "Bank statement\n\n",
        },
    )
    assert response.status_code == 302
    client.post(reverse("staff:request-item-withdraw", args=[payslip.pk]))
    # then: the client sees the current list without the withdrawn item
    page = _page(client, world.client_a, reverse("portal:request-list", args=[world.matter_a.pk]))
    assert "Passport" in page and "Pasport" not in page and "Bank statement" in page
    assert "Payslip" not in page
    assert "2 items still missing" in page
    # and cannot upload against the withdrawn item
    response = client.post(
        reverse("portal:request-item-upload", args=[payslip.pk]),
        {"files": [SimpleUploadedFile("payslip.txt", b"pay")]},
        follow=True,
    )
    assert "The firm no longer needs this item." in response.content.decode()
    payslip.refresh_from_db()
    assert payslip.status == DocumentRequestItem.Status.WITHDRAWN
    # staff see both changes in the history
    history = _page(client, world.staff_on, reverse("staff:request-edit", args=[doc_request.pk]))
    assert "Pasport" in history and "Bank statement" in history and "Withdrawn" in history
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {PortalAction.REQUEST_EDITED, PortalAction.REQUEST_ITEM_WITHDRAWN} <= actions


def test_withdrawing_the_last_missing_item_completes_the_checklist(world: Any) -> None:
    doc_request = _checklist(world)
    passport, payslip = doc_request.items.order_by("position")
    services.request_item_upload(
        actor=world.client_a, item=passport, files=[SimpleUploadedFile("p.txt", b"p")]
    )
    services.request_item_review(actor=world.staff_on, item=passport, accept=True)
    services.request_item_withdraw(actor=world.staff_on, item=payslip)
    doc_request.refresh_from_db()
    assert doc_request.status == DocumentRequest.Status.COMPLETE
    assert not selectors.document_requests_due(on=doc_request.due_date).exists()


def test_a_withdrawn_checklist_is_gone_for_the_client_and_sends_no_reminder(
    client: Any, world: Any
) -> None:
    doc_request = _checklist(world)
    client.force_login(world.staff_on)
    client.post(reverse("staff:request-withdraw", args=[doc_request.pk]))
    page = _page(client, world.client_a, reverse("portal:request-list", args=[world.matter_a.pk]))
    assert "For the filing" not in page
    assert not selectors.document_requests_due(on=doc_request.due_date).exists()
    staff = _page(client, world.staff_on, reverse("portal:request-list", args=[world.matter_a.pk]))
    assert "For the filing" in staff and "Withdrawn" in staff


def test_a_refused_checklist_form_keeps_what_was_typed(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    response = client.post(
        reverse("staff:request-create", args=[world.matter_a.pk]),
        {"title": "Discovery", "due_date": "2020-01-01", "items": "Passport\nLease agreement"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Lease agreement" in body and "Choose a due date that is not in the past." in body
    assert not DocumentRequest.objects.exists()


# ---------------------------------------------------------------------------
# Folders and documents
# ---------------------------------------------------------------------------
def test_rename_a_folder_and_rename_and_move_a_document_keeping_its_versions(
    client: Any, world: Any
) -> None:
    folder = services.folder_create(actor=world.staff_on, matter=world.matter_a, name="Discovry")
    other = services.folder_create(actor=world.staff_on, matter=world.matter_a, name="Court")
    for content in (b"v1", b"v2"):
        (version,) = services.document_upload(
            actor=world.staff_on,
            matter=world.matter_a,
            folder=folder,
            files=[SimpleUploadedFile("scan.txt", content)],
        )
    document = version.document
    client.force_login(world.staff_on)
    assert (
        client.post(reverse("staff:folder-edit", args=[folder.pk]), {"name": "Discovery"})
    ).status_code == 302
    response = client.post(
        reverse("staff:document-edit", args=[document.pk]),
        {"name": "Lease scan.txt", "folder": str(other.pk)},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    folder.refresh_from_db()
    assert folder.name == "Discovery"
    assert (document.name, document.folder_id, document.versions.count()) == (
        "Lease scan.txt",
        other.pk,
        2,
    )
    # the client sees the new name and still downloads the latest version
    page = _page(client, world.client_a, reverse("portal:document-detail", args=[document.pk]))
    assert "Lease scan.txt" in page and "badge edited" in page
    assert client.get(reverse("portal:version-download", args=[version.pk])).status_code == 200
    history = _page(client, world.staff_on, reverse("staff:document-edit", args=[document.pk]))
    assert "scan.txt" in history and "Discovery" in history and "Court" in history
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert PortalAction.FOLDER_RENAMED in actions and PortalAction.DOCUMENT_EDITED in actions
    # renaming and moving is filing, not news: no notice beyond the uploads' own
    Notification.objects.all().delete()
    services.folder_rename(actor=world.staff_on, folder=folder, name="Discovery 2")
    assert not _client_notices(world).exists()


def test_a_name_already_taken_is_a_form_error_that_keeps_the_typed_name(
    client: Any, world: Any
) -> None:
    folder = services.folder_create(actor=world.staff_on, matter=world.matter_a, name="Papers")
    services.folder_create(actor=world.staff_on, matter=world.matter_a, name="Court")
    client.force_login(world.staff_on)
    response = client.post(reverse("staff:folder-edit", args=[folder.pk]), {"name": "Court"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "already has a folder with that name" in body and 'value="Court"' in body
    folder.refresh_from_db()
    assert folder.name == "Papers"


def test_clients_and_cocounsel_cannot_correct_anything(client: Any, world: Any) -> None:
    entry = _entry(world)
    for user in (world.client_a, world.cocounsel, world.staff_off):
        client.force_login(user)
        response = client.post(
            reverse("staff:timeline-edit", args=[entry.pk]),
            {"title": "Hacked", "occurred_at": "2026-03-01T10:00"},
        )
        assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.title == "Hearing on 12 March"
