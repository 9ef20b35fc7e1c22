"""Document requests: the checklist a client works through and the firm reviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.models import (
    DocumentRequest,
    DocumentRequestItem,
    DocumentVersion,
    Folder,
    Matter,
    User,
)
from portal.services.client_notices import matter_news_notify
from portal.services.documents import document_upload

REQUESTS_FOLDER = "Requested documents"


MAX_ITEMS = 50


def document_request_create(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    matter: Matter,
    title: str,
    due_date: dt.date,
    items: Sequence[str],
    folder: Folder | None = None,
) -> DocumentRequest:
    labels = [label.strip()[:200] for label in items if label.strip()]
    if not labels:
        raise ServiceError(_("List at least one item the client should provide."))
    if len(labels) > MAX_ITEMS:
        raise ServiceError(_("A checklist can have at most %(n)d items.") % {"n": MAX_ITEMS})
    if due_date < timezone.localdate():
        raise ServiceError(_("Choose a due date that is not in the past."))
    with transaction.atomic():
        title = title.strip()[:200] or _("Documents we need")
        if folder is None:
            # Files go into the folder the request names ("Discovery" into "Discovery"),
            # in the firm's words, not into a folder Atrium names in English.
            folder, _created = Folder.objects.get_or_create(
                matter=matter,
                name=title[:120],
                defaults={
                    "shared_with_client": True,
                    "client_can_upload": True,
                    "created_by": actor,
                },
            )
            if not folder.shared_with_client:
                raise ServiceError(
                    _(
                        "The folder “%(name)s” is internal, so the client could not see "
                        "what they send. Choose a folder the client sees."
                    )
                    % {"name": folder.name}
                )
        elif folder.matter_id != matter.pk:
            raise ServiceError(_("This folder does not belong to the matter."))
        doc_request = DocumentRequest.objects.create(
            matter=matter,
            folder=folder,
            title=title,
            due_date=due_date,
            created_by=actor,
        )
        DocumentRequestItem.objects.bulk_create(
            [
                DocumentRequestItem(request=doc_request, label=label, position=i)
                for i, label in enumerate(labels)
            ]
        )
        audit_record(
            action=PortalAction.REQUEST_CREATED,
            actor=actor,
            meta=meta,
            matter_id=matter.pk,
            obj=doc_request,
            data={"items": len(labels), "due": due_date.isoformat()},
        )
        matter_news_notify(matter_id=matter.pk)
    return doc_request


def request_item_upload(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    item: DocumentRequestItem,
    files: Sequence[UploadedFile],
) -> list[DocumentVersion]:
    doc_request = item.request
    with transaction.atomic():
        locked = DocumentRequestItem.objects.select_for_update().get(pk=item.pk)
        if (
            locked.status == DocumentRequestItem.Status.WITHDRAWN
            or doc_request.status == doc_request.Status.WITHDRAWN
        ):
            raise ServiceError(_("The firm no longer needs this item."))
        if not locked.can_move_to(DocumentRequestItem.Status.SUBMITTED):
            raise ServiceError(_("This item has already been accepted."))
        # The request's folder is where the firm asked for the files, so the client may
        # upload into it for this item even when it is not open for other uploads.
        versions = document_upload(
            actor=actor,
            meta=meta,
            matter=doc_request.matter,
            folder=doc_request.folder,
            files=files,
            request_item=locked,
            _bypass_folder_check=True,
        )
        locked.status = DocumentRequestItem.Status.SUBMITTED
        locked.save(update_fields=["status"])
        audit_record(
            action=PortalAction.REQUEST_ITEM_SUBMITTED,
            actor=actor,
            meta=meta,
            matter_id=doc_request.matter_id,
            obj=locked,
            data={"files": len(versions)},
        )
    return versions


def request_item_review(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    item: DocumentRequestItem,
    accept: bool,
    comment: str = "",
) -> DocumentRequestItem:
    if not actor.is_firm_staff:
        raise ServiceError(_("Only the firm can review requested documents."))
    target = DocumentRequestItem.Status.ACCEPTED if accept else DocumentRequestItem.Status.RETURNED
    if not accept and not comment.strip():
        raise ServiceError(_("Say what is missing so the client knows what to send."))
    with transaction.atomic():
        locked = (
            DocumentRequestItem.objects.select_for_update()
            .select_related("request__matter")
            .get(pk=item.pk)
        )
        if not locked.can_move_to(target):
            raise ServiceError(_("Only items the client has provided can be reviewed."))
        locked.status = target
        locked.comment = comment.strip()[:1000]
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "comment", "reviewed_by", "reviewed_at"])
        doc_request = locked.request
        outstanding = doc_request.items.exclude(
            status__in=[DocumentRequestItem.Status.ACCEPTED, DocumentRequestItem.Status.WITHDRAWN]
        )
        new_status = (
            DocumentRequest.Status.OPEN if outstanding.exists() else DocumentRequest.Status.COMPLETE
        )
        if doc_request.status != new_status:
            doc_request.status = new_status
            doc_request.save(update_fields=["status"])
        audit_record(
            action=PortalAction.REQUEST_ITEM_REVIEWED,
            actor=actor,
            meta=meta,
            matter_id=doc_request.matter_id,
            obj=locked,
            data={"status": target},
        )
        if not accept:
            matter_news_notify(matter_id=doc_request.matter_id)
    return locked
