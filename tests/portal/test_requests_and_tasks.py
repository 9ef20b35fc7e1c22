"""Document checklists, client tasks, status updates to several matters, reminder reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import ServiceError
from portal import selectors, services
from portal.audit_actions import PortalAction
from portal.models import (
    ClientTask,
    DocumentRequest,
    DocumentRequestItem,
    DocumentVersion,
    TimelineEntry,
)
from tests import factories
from tests.portal.filesamples import png

pytestmark = pytest.mark.django_db


def _checklist(
    world: Any, items: tuple[str, ...] = ("Passport", "Payslip"), days: int = 7
) -> DocumentRequest:
    return services.document_request_create(
        actor=world.staff_on,
        matter=world.matter_a,
        title="For the filing",
        due_date=timezone.localdate() + dt.timedelta(days=days),
        items=list(items),
    )


def test_checklist_flow_upload_review_and_what_is_missing(client: Any, world: Any) -> None:
    # given staff post a checklist through the page
    client.force_login(world.staff_on)
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    client.post(
        reverse("staff:request-create", args=[world.matter_a.pk]),
        {"title": "Discovery", "due_date": due, "items": "Passport\nPayslip\n\n"},
    )
    doc_request = DocumentRequest.objects.get()
    passport, payslip = doc_request.items.order_by("position")

    # when the client uploads a photo against one item
    client.force_login(world.client_a)
    client.post(
        reverse("portal:request-item-upload", args=[passport.pk]),
        {"files": [SimpleUploadedFile("passport.png", png())]},
    )

    # then that item waits for review and the other is still missing
    passport.refresh_from_db()
    assert passport.status == DocumentRequestItem.Status.SUBMITTED
    assert DocumentVersion.objects.get().request_item == passport
    page = client.get(reverse("portal:request-list", args=[world.matter_a.pk])).content.decode()
    assert "1 item still missing" in page

    # when staff send it back with a comment
    client.force_login(world.staff_on)
    client.post(
        reverse("staff:request-item-review", args=[passport.pk]),
        {"decision": "return", "comment": "The photo is blurred"},
    )
    passport.refresh_from_db()
    assert (passport.status, passport.comment) == ("returned", "The photo is blurred")

    # when the client uploads again and staff accept both
    client.force_login(world.client_a)
    client.post(
        reverse("portal:request-item-upload", args=[passport.pk]),
        {"files": [SimpleUploadedFile("passport.png", png(rgb=(1, 2, 3)))]},
    )
    client.post(
        reverse("portal:request-item-upload", args=[payslip.pk]),
        {"files": [SimpleUploadedFile("payslip.png", png())]},
    )
    client.force_login(world.staff_on)
    for item in (passport, payslip):
        client.post(reverse("staff:request-item-review", args=[item.pk]), {"decision": "accept"})

    # then the checklist is complete and nothing is missing
    doc_request.refresh_from_db()
    assert doc_request.status == DocumentRequest.Status.COMPLETE
    assert DocumentVersion.objects.filter(document__name="passport.png").count() == 2
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"request.created", "request.item_submitted", "request.item_reviewed"} <= actions


def test_sending_back_without_a_comment_is_refused(world: Any) -> None:
    item = _checklist(world).items.first()
    services.request_item_upload(
        actor=world.client_a, item=item, files=[SimpleUploadedFile("a.png", png())]
    )
    with pytest.raises(ServiceError):
        services.request_item_review(actor=world.staff_on, item=item, accept=False, comment=" ")


def test_client_cannot_review_their_own_upload(client: Any, world: Any) -> None:
    item = _checklist(world).items.first()
    client.force_login(world.client_a)
    response = client.post(
        reverse("staff:request-item-review", args=[item.pk]), {"decision": "accept"}
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == DocumentRequestItem.Status.MISSING


def test_accepted_item_takes_no_more_uploads(world: Any) -> None:
    item = _checklist(world).items.first()
    services.request_item_upload(
        actor=world.client_a, item=item, files=[SimpleUploadedFile("a.png", png())]
    )
    services.request_item_review(actor=world.staff_on, item=item, accept=True)
    with pytest.raises(ServiceError):
        services.request_item_upload(
            actor=world.client_a, item=item, files=[SimpleUploadedFile("b.png", png())]
        )
    assert DocumentVersion.objects.count() == 1


def test_checklist_due_date_in_the_past_is_refused(world: Any) -> None:
    with pytest.raises(ServiceError):
        _checklist(world, days=-1)
    assert not DocumentRequest.objects.exists()


def test_document_requests_due_lists_open_checklists_with_missing_items(world: Any) -> None:
    # given one checklist due in 3 days with a missing item, one complete on the same day
    due = timezone.localdate() + dt.timedelta(days=3)
    open_one = _checklist(world, items=("Passport",), days=3)
    done = _checklist(world, items=("ID",), days=3)
    item = done.items.get()
    services.request_item_upload(
        actor=world.client_a, item=item, files=[SimpleUploadedFile("id.png", png())]
    )
    services.request_item_review(actor=world.staff_on, item=item, accept=True)

    # then
    assert list(selectors.document_requests_due(on=due)) == [open_one]
    assert list(selectors.document_requests_due(on=due + dt.timedelta(days=1))) == []


# ---------------------------------------------------------------------------
# Client tasks
# ---------------------------------------------------------------------------
def test_task_flow_from_assignment_to_done_on_the_portal_home(client: Any, world: Any) -> None:
    # given staff assign a task
    client.force_login(world.staff_on)
    due = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    client.post(
        reverse("staff:task-create", args=[world.matter_a.pk]),
        {"kind": "sign_upload", "title": "Sign the power of attorney", "due_date": due},
    )
    task = ClientTask.objects.get()

    # then the client sees it on the portal home, and client B does not
    client.force_login(world.client_a)
    assert "Sign the power of attorney" in client.get(reverse("portal:home")).content.decode()
    client.force_login(world.client_b)
    assert "Sign the power of attorney" not in client.get(reverse("portal:home")).content.decode()

    # when the client marks it done from the home page
    client.force_login(world.client_a)
    response = client.post(reverse("portal:task-done", args=[task.pk]), {"next": "home"})

    # then
    assert response["Location"] == reverse("portal:home")
    task.refresh_from_db()
    assert (task.status, task.done_by) == ("done", world.client_a)
    assert "Sign the power of attorney" not in client.get(reverse("portal:home")).content.decode()
    assert AuditEvent.objects.filter(action=PortalAction.TASK_DONE).count() == 1


def test_staff_see_overdue_tasks_of_their_matters_only(client: Any, world: Any) -> None:
    # given an overdue task on A, one on B, and one not yet due on A
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ClientTask.objects.create(matter=world.matter_a, title="Late on A", due_date=yesterday)
    ClientTask.objects.create(matter=world.matter_b, title="Late on B", due_date=yesterday)
    ClientTask.objects.create(
        matter=world.matter_a,
        title="Future on A",
        due_date=timezone.localdate() + dt.timedelta(days=5),
    )

    # when
    client.force_login(world.staff_on)
    body = client.get(reverse("staff:tasks-overdue")).content.decode()

    # then
    assert "Late on A" in body
    assert "Late on B" not in body and "Future on A" not in body


def test_client_tasks_due_lists_open_tasks_on_a_day(world: Any) -> None:
    day = timezone.localdate() + dt.timedelta(days=1)
    open_task = ClientTask.objects.create(
        matter=world.matter_a, title="Pay", kind="pay", due_date=day
    )
    ClientTask.objects.create(matter=world.matter_a, title="Done", due_date=day, status="done")
    assert list(selectors.client_tasks_due(on=day)) == [open_task]


def test_task_with_an_unknown_kind_is_refused(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    response = client.post(
        reverse("staff:task-create", args=[world.matter_a.pk]),
        {"kind": "transfer_money", "title": "x", "due_date": "2099-01-01"},
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()
    assert not ClientTask.objects.exists()


# ---------------------------------------------------------------------------
# Status updates
# ---------------------------------------------------------------------------
def test_one_update_posted_to_several_matters_shows_on_each_clients_timeline(
    client: Any, world: Any
) -> None:
    # given a second matter of the same lawyer
    _user_c, contact_c = factories.client_with_contact(email="c@client.example")
    matter_c = factories.make_matter(lawyer=world.staff_on, clients=[contact_c], title="Matter C")

    # when the lawyer posts one update to A and C
    client.force_login(world.staff_on)
    client.post(
        reverse("staff:status-update"),
        {
            "kind": "update",
            "title": "Court closed over the holidays",
            "body": "Nothing moves until January.",
            "occurred_at": "2026-12-20T10:00",
            "matters": [str(world.matter_a.pk), str(matter_c.pk)],
        },
    )

    # then each matter has it, and client A sees it newest first on their page
    assert set(
        TimelineEntry.objects.filter(title="Court closed over the holidays").values_list(
            "matter_id", flat=True
        )
    ) == {world.matter_a.pk, matter_c.pk}
    client.force_login(world.client_a)
    body = client.get(reverse("portal:matter-detail", args=[world.matter_a.pk])).content.decode()
    assert "Court closed over the holidays" in body


def test_staff_cannot_post_an_update_to_a_matter_they_cannot_see(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    response = client.post(
        reverse("staff:status-update"),
        {
            "kind": "update",
            "title": "Sneaky",
            "occurred_at": "2026-12-20T10:00",
            "matters": [str(world.matter_b.pk)],
        },
    )
    assert response.status_code == 200
    assert not TimelineEntry.objects.filter(title="Sneaky").exists()
