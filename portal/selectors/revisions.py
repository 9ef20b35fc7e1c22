"""Posted items staff may correct, and their edit history (staff only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from core.http import uuid_or_404
from portal.models import (
    ClientTask,
    Document,
    DocumentRequest,
    Folder,
    Revision,
    TimelineEntry,
    User,
)
from portal.selectors.matters import matters_visible_to


def _staff_matters(user: User) -> Any:
    if not user.is_firm_staff:
        raise Http404
    return matters_visible_to(user).values("pk")


def timeline_entry_get_for_staff(*, user: User, entry_id: Any) -> TimelineEntry:
    entry = (
        TimelineEntry.objects.filter(pk=uuid_or_404(entry_id), matter__in=_staff_matters(user))
        .select_related("matter")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def client_task_get_for_staff(*, user: User, task_id: Any) -> ClientTask:
    task = (
        ClientTask.objects.filter(pk=uuid_or_404(task_id), matter__in=_staff_matters(user))
        .select_related("matter")
        .first()
    )
    if task is None:
        raise Http404
    return task


def document_request_get_for_staff(*, user: User, request_id: Any) -> DocumentRequest:
    doc_request = (
        DocumentRequest.objects.filter(pk=uuid_or_404(request_id), matter__in=_staff_matters(user))
        .select_related("matter", "folder")
        .first()
    )
    if doc_request is None:
        raise Http404
    return doc_request


def folder_get_for_staff(*, user: User, folder_id: Any) -> Folder:
    folder = (
        Folder.objects.filter(pk=uuid_or_404(folder_id), matter__in=_staff_matters(user))
        .select_related("matter")
        .first()
    )
    if folder is None:
        raise Http404
    return folder


def document_get_for_staff(*, user: User, document_id: Any) -> Document:
    document = (
        Document.objects.filter(
            pk=uuid_or_404(document_id), matter__in=_staff_matters(user), deleted_at=None
        )
        .select_related("matter", "folder")
        .first()
    )
    if document is None:
        raise Http404
    return document


def revisions_for(*, kind: str, object_ids: Any) -> QuerySet[Revision]:
    """The edit history of items the caller already fetched through a selector above."""
    return (
        Revision.objects.filter(kind=kind, object_id__in=list(object_ids))
        .select_related("edited_by")
        .order_by("-edited_at", "-id")
    )
