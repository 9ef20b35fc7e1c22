"""Folders, documents and versions as each viewer may see them."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from core.http import uuid_or_404
from portal.models import (
    Document,
    DocumentVersion,
    Folder,
    Matter,
    User,
)
from portal.selectors.matters import matters_visible_to
from portal.selectors.visibility import document_q, shared_q


def folders_for_viewer(*, user: User, matter: Matter) -> QuerySet[Folder]:
    return matter.folders.filter(shared_q(user)).order_by("name")


def folder_get_for_user(*, user: User, matter: Matter, folder_id: Any) -> Folder:
    folder = folders_for_viewer(user=user, matter=matter).filter(pk=uuid_or_404(folder_id)).first()
    if folder is None:
        raise Http404
    return folder


def documents_visible(qs: QuerySet[Document], *, user: User) -> QuerySet[Document]:
    """These documents, kept to what this viewer sees (portal.selectors.visibility)."""
    return qs.filter(document_q(user))


def documents_for_viewer(
    *, user: User, matter: Matter, folder: Folder | None = None, deleted: bool = False
) -> QuerySet[Document]:
    versions = DocumentVersion.objects.select_related("uploaded_by").order_by("-number")
    qs = (
        Document.objects.filter(matter=matter)
        .select_related("folder", "created_by")
        .prefetch_related(Prefetch("versions", queryset=versions))
    )
    if deleted:
        if not user.is_firm_staff:
            return Document.objects.none()
        qs = qs.exclude(deleted_at=None).order_by("-deleted_at")
    else:
        qs = qs.filter(deleted_at=None).order_by("folder__name", "name")
    if folder is not None:
        qs = qs.filter(folder=folder)
    return documents_visible(qs, user=user)


def document_get_for_user(
    *, user: User, document_id: Any, include_deleted: bool = False
) -> Document:
    pk = uuid_or_404(document_id)
    qs = Document.objects.filter(pk=pk, matter__in=matters_visible_to(user).values("pk"))
    if not (include_deleted and user.is_firm_staff):
        qs = qs.filter(deleted_at=None)
    document = documents_visible(qs, user=user).select_related("matter", "folder").first()
    if document is None:
        raise Http404
    return document


def version_get_for_user(*, user: User, version_id: Any) -> DocumentVersion:
    pk = uuid_or_404(version_id)
    # Quarantined (not yet scanned) and infected versions are never served.
    qs = DocumentVersion.objects.filter(
        pk=pk,
        document__deleted_at=None,
        document__matter__in=matters_visible_to(user).values("pk"),
        scan_status__in=[DocumentVersion.ScanStatus.NOT_SCANNED, DocumentVersion.ScanStatus.CLEAN],
    )
    version = qs.filter(document_q(user, "document__")).select_related("document__matter").first()
    if version is None:
        raise Http404
    return version
