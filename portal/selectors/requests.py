"""Document requests (checklists) and their items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from core.http import uuid_or_404
from portal.models import (
    DocumentRequest,
    DocumentRequestItem,
    DocumentVersion,
    Matter,
    User,
)
from portal.selectors.matters import matters_visible_to
from portal.selectors.visibility import document_q


def document_requests_for_viewer(*, user: User, matter: Matter) -> QuerySet[DocumentRequest]:
    versions = (
        DocumentVersion.objects.filter(document__deleted_at=None)
        .select_related("document")
        .order_by("-uploaded_at")
    )
    # A file the firm has since made internal is not listed (its link would 404).
    versions = versions.filter(document_q(user, "document__"))
    items = DocumentRequestItem.objects.prefetch_related(
        Prefetch("versions", queryset=versions)
    ).order_by("position")
    requests_ = matter.document_requests.all()
    if not user.is_firm_side:
        # What the firm took back is no longer the client's to do.
        items = items.exclude(status=DocumentRequestItem.Status.WITHDRAWN)
        requests_ = requests_.exclude(status=DocumentRequest.Status.WITHDRAWN)
    return (
        requests_.select_related("folder")
        .prefetch_related(Prefetch("items", queryset=items))
        .annotate(
            outstanding=Count(
                "items",
                filter=Q(
                    items__status__in=[
                        DocumentRequestItem.Status.MISSING,
                        DocumentRequestItem.Status.RETURNED,
                    ]
                ),
            )
        )
        .order_by("status", "due_date")
    )


def request_item_get_for_user(*, user: User, item_id: Any) -> DocumentRequestItem:
    pk = uuid_or_404(item_id)
    item = (
        DocumentRequestItem.objects.filter(
            pk=pk, request__matter__in=matters_visible_to(user).values("pk")
        )
        .select_related("request__matter", "request__folder")
        .first()
    )
    if item is None:
        raise Http404
    return item


def document_requests_due(*, on: dt.date) -> QuerySet[DocumentRequest]:
    """Open checklists due on a date with something still missing (for reminders)."""
    return (
        DocumentRequest.objects.filter(
            status=DocumentRequest.Status.OPEN,
            due_date=on,
            items__status__in=[
                DocumentRequestItem.Status.MISSING,
                DocumentRequestItem.Status.RETURNED,
            ],
        )
        .select_related("matter")
        .prefetch_related("matter__clients__user")
        .distinct()
    )
