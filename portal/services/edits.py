"""Staff correct or withdraw what they posted: timeline entries, client tasks, checklists
and their items, folders and documents.

Each change keeps the earlier values in a Revision row, marks the item "edited" (clients
see only the current version with that mark), and is audited by which fields changed. A
change the client can see (a corrected shared entry, a changed or cancelled task, a changed
or withdrawn checklist) joins the matter's content-free "news on your matter" notice,
batched like any other; internal items, withdrawn timeline entries, and renamed or moved
folders and documents send nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.models import (
    ClientTask,
    Document,
    DocumentRequest,
    DocumentRequestItem,
    Folder,
    Revision,
    TimelineEntry,
    User,
)
from portal.services.client_notices import matter_news_notify
from portal.services.people import _validation_message
from portal.services.requests import MAX_ITEMS
from portal.uploads import sanitise_filename


def _staff_only(actor: User) -> None:
    if not actor.is_firm_staff:
        raise ServiceError(_("Only the firm can change what it posted."))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


def _apply(obj: models.Model, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the values that differ; {field: [earlier, new]} of what changed."""
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
            setattr(obj, field, new)
    return changes


def _revision(
    *,
    obj: Any,
    kind: str,
    actor: User,
    changes: Mapping[str, Any] | None = None,
    action: str = Revision.Action.EDITED,
    at: dt.datetime,
) -> None:
    Revision.objects.create(
        matter_id=obj.matter_id if hasattr(obj, "matter_id") else obj.request.matter_id,
        kind=kind,
        object_id=obj.pk,
        action=action,
        changes=dict(changes or {}),
        edited_by=actor,
        edited_at=at,
    )


# ---------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------
def timeline_entry_correct(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    entry: TimelineEntry,
    title: str,
    body: str = "",
    occurred_at: dt.datetime | None = None,
    shared_with_client: bool | None = None,
) -> TimelineEntry:
    """Correct an entry; the client sees the current text, marked "edited"."""
    _staff_only(actor)
    with transaction.atomic():
        locked = TimelineEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.withdrawn_at is not None:
            raise ServiceError(_("This entry was withdrawn; post a new one instead."))
        values: dict[str, Any] = {"body": body.strip()}
        if locked.kind == TimelineEntry.Kind.STAGE:
            # The title is the stage's name; only the note can be corrected.
            if title.strip() and title.strip() != locked.title:
                raise ServiceError(_("A stage change keeps the stage's name; correct the note."))
        else:
            values["title"] = title.strip()
        if occurred_at is not None:
            values["occurred_at"] = occurred_at
        if shared_with_client is not None and locked.kind != TimelineEntry.Kind.STAGE:
            values["shared_with_client"] = shared_with_client
        changes = _apply(locked, values)
        if not changes:
            return locked
        try:
            locked.full_clean()
        except ValidationError as exc:
            raise ServiceError(_validation_message(exc)) from exc
        now = timezone.now()
        locked.edited_at = now
        locked.save(update_fields=[*changes, "edited_at"])
        _revision(obj=locked, kind=Revision.Kind.TIMELINE, actor=actor, changes=changes, at=now)
        audit_record(
            action=PortalAction.TIMELINE_CORRECTED,
            actor=actor,
            meta=meta,
            matter_id=locked.matter_id,
            obj=locked,
            data={"fields": sorted(changes), "shared": locked.shared_with_client},
        )
        if locked.shared_with_client:
            matter_news_notify(matter_id=locked.matter_id)
    return locked


def timeline_entry_withdraw(
    *, actor: User, meta: RequestMeta | None = None, entry: TimelineEntry
) -> TimelineEntry:
    """Take an entry back: clients no longer see it; staff see it marked withdrawn."""
    _staff_only(actor)
    with transaction.atomic():
        locked = TimelineEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.withdrawn_at is not None:
            return locked
        now = timezone.now()
        changes = {
            "shared_with_client": [locked.shared_with_client, False],
            "shared_with_cocounsel": [locked.shared_with_cocounsel, False],
        }
        locked.withdrawn_at = now
        # Withdrawn for everyone outside the firm: clients and co-counsel alike.
        locked.shared_with_client = False
        locked.shared_with_cocounsel = False
        locked.save(update_fields=["withdrawn_at", "shared_with_client", "shared_with_cocounsel"])
        _revision(
            obj=locked,
            kind=Revision.Kind.TIMELINE,
            actor=actor,
            changes=changes,
            action=Revision.Action.WITHDRAWN,
            at=now,
        )
        audit_record(
            action=PortalAction.TIMELINE_WITHDRAWN,
            actor=actor,
            meta=meta,
            matter_id=locked.matter_id,
            obj=locked,
        )
    return locked


# ---------------------------------------------------------------------------
# Client tasks
# ---------------------------------------------------------------------------
def _open_task(task: ClientTask) -> ClientTask:
    locked = ClientTask.objects.select_for_update().get(pk=task.pk)
    if locked.status != ClientTask.Status.OPEN:
        raise ServiceError(_("Only open tasks can be changed or cancelled."))
    return locked


def client_task_update(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    task: ClientTask,
    kind: str,
    title: str,
    due_date: dt.date,
    description: str = "",
) -> ClientTask:
    _staff_only(actor)
    if kind not in ClientTask.Kind.values:
        raise ServiceError(_("Choose a kind of task from the list."))
    if not title.strip():
        raise ServiceError(_("Give the task a title."))
    with transaction.atomic():
        locked = _open_task(task)
        changes = _apply(
            locked,
            {
                "kind": kind,
                "title": title.strip()[:200],
                "description": description.strip()[:2000],
                "due_date": due_date,
            },
        )
        if not changes:
            return locked
        now = timezone.now()
        locked.edited_at = now
        locked.save(update_fields=[*changes, "edited_at"])
        _revision(obj=locked, kind=Revision.Kind.TASK, actor=actor, changes=changes, at=now)
        audit_record(
            action=PortalAction.TASK_EDITED,
            actor=actor,
            meta=meta,
            matter_id=locked.matter_id,
            obj=locked,
            data={"fields": sorted(changes)},
        )
        matter_news_notify(matter_id=locked.matter_id)
    return locked


def client_task_cancel(
    *, actor: User, meta: RequestMeta | None = None, task: ClientTask
) -> ClientTask:
    """The client no longer needs to do it; the task stays listed as cancelled."""
    _staff_only(actor)
    with transaction.atomic():
        locked = _open_task(task)
        now = timezone.now()
        locked.status = ClientTask.Status.CANCELLED
        locked.edited_at = now
        locked.save(update_fields=["status", "edited_at"])
        _revision(
            obj=locked,
            kind=Revision.Kind.TASK,
            actor=actor,
            changes={"status": [ClientTask.Status.OPEN, ClientTask.Status.CANCELLED]},
            action=Revision.Action.CANCELLED,
            at=now,
        )
        audit_record(
            action=PortalAction.TASK_CANCELLED,
            actor=actor,
            meta=meta,
            matter_id=locked.matter_id,
            obj=locked,
        )
        matter_news_notify(matter_id=locked.matter_id)
    return locked


# ---------------------------------------------------------------------------
# Document requests and their items
# ---------------------------------------------------------------------------
def _request_status_refresh(doc_request: DocumentRequest) -> None:
    items = doc_request.items.exclude(status=DocumentRequestItem.Status.WITHDRAWN)
    if not items.exists():
        status = DocumentRequest.Status.WITHDRAWN
    elif items.exclude(status=DocumentRequestItem.Status.ACCEPTED).exists():
        status = DocumentRequest.Status.OPEN
    else:
        status = DocumentRequest.Status.COMPLETE
    if doc_request.status != status:
        doc_request.status = status
        doc_request.save(update_fields=["status"])


def _live_request(doc_request: DocumentRequest) -> DocumentRequest:
    locked = DocumentRequest.objects.select_for_update().get(pk=doc_request.pk)
    if locked.status == DocumentRequest.Status.WITHDRAWN:
        raise ServiceError(_("This checklist was withdrawn; post a new one instead."))
    return locked


def document_request_update(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    doc_request: DocumentRequest,
    title: str,
    due_date: dt.date,
    labels: Mapping[str, str] | None = None,
    new_items: Sequence[str] = (),
) -> DocumentRequest:
    """Change the title, the due date and item labels, and add items."""
    _staff_only(actor)
    title = title.strip()[:200]
    if not title:
        raise ServiceError(_("Give the checklist a title."))
    added = [label.strip()[:200] for label in new_items if label.strip()]
    with transaction.atomic():
        locked = _live_request(doc_request)
        if due_date != locked.due_date and due_date < timezone.localdate():
            raise ServiceError(_("Choose a due date that is not in the past."))
        now = timezone.now()
        changes = _apply(locked, {"title": title, "due_date": due_date})
        items = {
            str(i.pk): i
            for i in locked.items.select_for_update().exclude(
                status=DocumentRequestItem.Status.WITHDRAWN
            )
        }
        if len(items) + len(added) > MAX_ITEMS:
            raise ServiceError(_("A checklist can have at most %(n)d items.") % {"n": MAX_ITEMS})
        item_changes = 0
        for item_id, label in (labels or {}).items():
            item = items.get(item_id)
            label = label.strip()[:200]
            if item is None or not label:
                continue
            changed = _apply(item, {"label": label})
            if changed:
                item.edited_at = now
                item.save(update_fields=["label", "edited_at"])
                _revision(
                    obj=item,
                    kind=Revision.Kind.REQUEST_ITEM,
                    actor=actor,
                    changes=changed,
                    at=now,
                )
                item_changes += 1
        if added:
            start = (locked.items.aggregate(m=models.Max("position"))["m"] or 0) + 1
            DocumentRequestItem.objects.bulk_create(
                [
                    DocumentRequestItem(request=locked, label=label, position=start + i)
                    for i, label in enumerate(added)
                ]
            )
            changes["items_added"] = [None, added]
        if not changes and not item_changes:
            return locked
        locked.edited_at = now
        locked.save(
            update_fields=[f for f in ("title", "due_date") if f in changes] + ["edited_at"]
        )
        if changes:
            _revision(obj=locked, kind=Revision.Kind.REQUEST, actor=actor, changes=changes, at=now)
        _request_status_refresh(locked)
        audit_record(
            action=PortalAction.REQUEST_EDITED,
            actor=actor,
            meta=meta,
            matter_id=locked.matter_id,
            obj=locked,
            data={"fields": sorted(changes), "items_changed": item_changes, "added": len(added)},
        )
        matter_news_notify(matter_id=locked.matter_id)
    return locked


def document_request_withdraw(
    *, actor: User, meta: RequestMeta | None = None, doc_request: DocumentRequest
) -> DocumentRequest:
    """Take the whole checklist back; files already sent stay in the matter's documents."""
    _staff_only(actor)
    with transaction.atomic():
        locked = _live_request(doc_request)
        now = timezone.now()
        before = locked.status
        locked.status = DocumentRequest.Status.WITHDRAWN
        locked.edited_at = now
        locked.save(update_fields=["status", "edited_at"])
        locked.items.exclude(status=DocumentRequestItem.Status.ACCEPTED).update(
            status=DocumentRequestItem.Status.WITHDRAWN
        )
        _revision(
            obj=locked,
            kind=Revision.Kind.REQUEST,
            actor=actor,
            changes={"status": [before, DocumentRequest.Status.WITHDRAWN]},
            action=Revision.Action.WITHDRAWN,
            at=now,
        )
        audit_record(
            action=PortalAction.REQUEST_WITHDRAWN,
            actor=actor,
            meta=meta,
            matter_id=locked.matter_id,
            obj=locked,
        )
        matter_news_notify(matter_id=locked.matter_id)
    return locked


def request_item_withdraw(
    *, actor: User, meta: RequestMeta | None = None, item: DocumentRequestItem
) -> DocumentRequestItem:
    """One item is no longer needed; the rest of the checklist stays."""
    _staff_only(actor)
    with transaction.atomic():
        doc_request = _live_request(item.request)
        locked = DocumentRequestItem.objects.select_for_update().get(pk=item.pk)
        if locked.status in (
            DocumentRequestItem.Status.ACCEPTED,
            DocumentRequestItem.Status.WITHDRAWN,
        ):
            raise ServiceError(_("Accepted or withdrawn items cannot be withdrawn."))
        now = timezone.now()
        before = locked.status
        locked.status = DocumentRequestItem.Status.WITHDRAWN
        locked.edited_at = now
        locked.save(update_fields=["status", "edited_at"])
        _revision(
            obj=locked,
            kind=Revision.Kind.REQUEST_ITEM,
            actor=actor,
            changes={"status": [before, DocumentRequestItem.Status.WITHDRAWN]},
            action=Revision.Action.WITHDRAWN,
            at=now,
        )
        _request_status_refresh(doc_request)
        audit_record(
            action=PortalAction.REQUEST_ITEM_WITHDRAWN,
            actor=actor,
            meta=meta,
            matter_id=doc_request.matter_id,
            obj=locked,
        )
        matter_news_notify(matter_id=doc_request.matter_id)
    return locked


# ---------------------------------------------------------------------------
# Folders and documents
# ---------------------------------------------------------------------------
def folder_rename(
    *, actor: User, meta: RequestMeta | None = None, folder: Folder, name: str
) -> Folder:
    _staff_only(actor)
    name = sanitise_filename(name, max_length=120)
    if not name:
        raise ServiceError(_("Give the folder a name."))
    try:
        with transaction.atomic():
            locked = Folder.objects.select_for_update().get(pk=folder.pk)
            changes = _apply(locked, {"name": name})
            if not changes:
                return locked
            now = timezone.now()
            locked.edited_at = now
            locked.save(update_fields=["name", "edited_at"])
            _revision(obj=locked, kind=Revision.Kind.FOLDER, actor=actor, changes=changes, at=now)
            audit_record(
                action=PortalAction.FOLDER_RENAMED,
                actor=actor,
                meta=meta,
                matter_id=locked.matter_id,
                obj=locked,
                data={"from": changes["name"][0], "to": name},
            )
    except IntegrityError as exc:
        raise ServiceError(_("This matter already has a folder with that name.")) from exc
    return locked


def document_edit(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    document: Document,
    name: str,
    folder: Folder,
) -> Document:
    """Rename a document or move it to another folder of its matter; versions stay."""
    _staff_only(actor)
    name = sanitise_filename(name, max_length=200)
    if not name:
        raise ServiceError(_("Give the document a name."))
    if folder.matter_id != document.matter_id:
        raise ServiceError(_("This folder does not belong to the matter."))
    try:
        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=document.pk)
            if locked.deleted_at is not None:
                raise ServiceError(_("Restore the document before changing it."))
            changes = _apply(locked, {"name": name, "folder": folder})
            if not changes:
                return locked
            now = timezone.now()
            locked.edited_at = now
            locked.save(update_fields=[*changes, "edited_at"])
            _revision(obj=locked, kind=Revision.Kind.DOCUMENT, actor=actor, changes=changes, at=now)
            audit_record(
                action=PortalAction.DOCUMENT_EDITED,
                actor=actor,
                meta=meta,
                matter_id=locked.matter_id,
                obj=locked,
                data={"fields": sorted(changes)},
            )
    except IntegrityError as exc:
        raise ServiceError(
            _("The folder already has a document with that name. Choose another name.")
        ) from exc
    return locked
