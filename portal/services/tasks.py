"""Writes for document requests, client tasks and status updates to several matters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.models import (
    ClientTask,
    DocumentRequest,
    DocumentRequestItem,
    DocumentVersion,
    Folder,
    Matter,
    TimelineEntry,
    User,
)
from portal.services.core import timeline_entry_add
from portal.services.documents import document_upload, is_firm_side

REQUESTS_FOLDER = "Requested documents"
MAX_ITEMS = 50


# ---------------------------------------------------------------------------
# Document requests
# ---------------------------------------------------------------------------
def document_request_create(*, actor: User, meta: RequestMeta | None = None, matter: Matter,
                            title: str, due_date: dt.date, items: Sequence[str],
                            folder: Folder | None = None) -> DocumentRequest:
    labels = [label.strip()[:200] for label in items if label.strip()]
    if not labels:
        raise ServiceError(_("List at least one item the client should provide."))
    if len(labels) > MAX_ITEMS:
        raise ServiceError(_("A checklist can have at most %(n)d items.") % {"n": MAX_ITEMS})
    if due_date < timezone.localdate():
        raise ServiceError(_("Choose a due date that is not in the past."))
    with transaction.atomic():
        if folder is None:
            folder, _created = Folder.objects.get_or_create(
                matter=matter, name=REQUESTS_FOLDER,
                defaults={"shared_with_client": True, "client_can_upload": True,
                          "created_by": actor},
            )
        elif folder.matter_id != matter.pk:
            raise ServiceError(_("This folder does not belong to the matter."))
        doc_request = DocumentRequest.objects.create(
            matter=matter, folder=folder, title=title.strip()[:200] or _("Documents we need"),
            due_date=due_date, created_by=actor,
        )
        DocumentRequestItem.objects.bulk_create([
            DocumentRequestItem(request=doc_request, label=label, position=i)
            for i, label in enumerate(labels)
        ])
        audit_record(action=PortalAction.REQUEST_CREATED, actor=actor, meta=meta,
                     matter_id=matter.pk, obj=doc_request,
                     data={"items": len(labels), "due": due_date.isoformat()})
    return doc_request


def request_item_upload(*, actor: User, meta: RequestMeta | None = None,
                        item: DocumentRequestItem,
                        files: Sequence[UploadedFile]) -> list[DocumentVersion]:
    doc_request = item.request
    with transaction.atomic():
        locked = DocumentRequestItem.objects.select_for_update().get(pk=item.pk)
        if not locked.can_move_to(DocumentRequestItem.Status.SUBMITTED):
            raise ServiceError(_("This item has already been accepted."))
        # The request's folder is where the firm asked for the files, so the client may
        # upload into it for this item even when it is not open for other uploads.
        versions = document_upload(actor=actor, meta=meta, matter=doc_request.matter,
                                   folder=doc_request.folder, files=files,
                                   request_item=locked, _bypass_folder_check=True)
        locked.status = DocumentRequestItem.Status.SUBMITTED
        locked.save(update_fields=["status"])
        audit_record(action=PortalAction.REQUEST_ITEM_SUBMITTED, actor=actor,
                     meta=meta, matter_id=doc_request.matter_id, obj=locked,
                     data={"files": len(versions)})
    return versions


def request_item_review(*, actor: User, meta: RequestMeta | None = None,
                        item: DocumentRequestItem, accept: bool,
                        comment: str = "") -> DocumentRequestItem:
    if not actor.is_firm_staff:
        raise ServiceError(_("Only the firm can review requested documents."))
    target = (DocumentRequestItem.Status.ACCEPTED if accept
              else DocumentRequestItem.Status.RETURNED)
    if not accept and not comment.strip():
        raise ServiceError(_("Say what is missing so the client knows what to send."))
    with transaction.atomic():
        locked = DocumentRequestItem.objects.select_for_update().select_related(
            "request__matter").get(pk=item.pk)
        if not locked.can_move_to(target):
            raise ServiceError(_("Only items the client has provided can be reviewed."))
        locked.status = target
        locked.comment = comment.strip()[:1000]
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "comment", "reviewed_by", "reviewed_at"])
        doc_request = locked.request
        outstanding = doc_request.items.exclude(status=DocumentRequestItem.Status.ACCEPTED)
        new_status = (DocumentRequest.Status.OPEN if outstanding.exists()
                      else DocumentRequest.Status.COMPLETE)
        if doc_request.status != new_status:
            doc_request.status = new_status
            doc_request.save(update_fields=["status"])
        audit_record(action=PortalAction.REQUEST_ITEM_REVIEWED, actor=actor,
                     meta=meta, matter_id=doc_request.matter_id, obj=locked,
                     data={"status": target})
    return locked


# ---------------------------------------------------------------------------
# Client tasks
# ---------------------------------------------------------------------------
def client_task_create(*, actor: User, meta: RequestMeta | None = None, matter: Matter, kind: str,
                       title: str, due_date: dt.date, description: str = "") -> ClientTask:
    if kind not in ClientTask.Kind.values:
        raise ServiceError(_("Choose a kind of task from the list."))
    if not title.strip():
        raise ServiceError(_("Give the task a title."))
    with transaction.atomic():
        task = ClientTask.objects.create(matter=matter, kind=kind, title=title.strip()[:200],
                                         description=description.strip()[:2000],
                                         due_date=due_date, created_by=actor)
        audit_record(action=PortalAction.TASK_ASSIGNED, actor=actor, meta=meta,
                     matter_id=matter.pk, obj=task, data={"kind": kind, "due": due_date.isoformat()})
    return task


def client_task_complete(*, actor: User, meta: RequestMeta | None = None,
                         task: ClientTask) -> ClientTask:
    with transaction.atomic():
        locked = ClientTask.objects.select_for_update().select_related("matter").get(pk=task.pk)
        if locked.status != ClientTask.Status.OPEN:
            return locked
        locked.status = ClientTask.Status.DONE
        locked.done_at = timezone.now()
        locked.done_by = actor
        locked.save(update_fields=["status", "done_at", "done_by"])
        audit_record(action=PortalAction.TASK_DONE, actor=actor, meta=meta,
                     matter_id=locked.matter_id, obj=locked,
                     data={"by_firm": is_firm_side(actor)})
    return locked


# ---------------------------------------------------------------------------
# Status updates
# ---------------------------------------------------------------------------
def status_update_post_many(*, actor: User, meta: RequestMeta | None = None,
                            matters: Sequence[Matter], title: str, body: str = "",
                            kind: str = TimelineEntry.Kind.UPDATE,
                            occurred_at: dt.datetime | None = None) -> list[TimelineEntry]:
    """One client-visible update on several matters; all or none are posted."""
    if not matters:
        raise ServiceError(_("Choose at least one matter."))
    if kind not in (TimelineEntry.Kind.UPDATE, TimelineEntry.Kind.EVENT):
        raise ServiceError(_("Choose a status update or a key event."))
    try:
        with transaction.atomic():
            return [
                timeline_entry_add(actor=actor, meta=meta, matter=matter, kind=kind,
                                   title=title, body=body, occurred_at=occurred_at,
                                   shared_with_client=True)
                for matter in matters
            ]
    except ValidationError as exc:
        raise ServiceError(" ".join(str(m) for m in exc.messages)) from exc
