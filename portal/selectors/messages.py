"""Secure messages (how fast the firm answers them: portal.selectors.waits)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from core.http import uuid_or_404
from portal.models import (
    DocumentVersion,
    Matter,
    Message,
    User,
)
from portal.selectors.matters import matters_visible_to
from portal.selectors.visibility import document_q


def message_get_for_staff(*, user: User, message_id: Any) -> Message:
    """A message on a matter this staff member may open; Http404 for anyone else."""
    pk = uuid_or_404(message_id)
    if not user.is_firm_staff:
        raise Http404
    message = (
        Message.objects.filter(pk=pk, matter__in=matters_visible_to(user).values("pk"))
        .select_related("matter")
        .first()
    )
    if message is None:
        raise Http404
    return message


def messages_for_viewer(*, user: User, matter: Matter) -> QuerySet[Message]:
    """Everyone who may open the matter reads its one thread (checked by the caller)."""
    # A deleted attachment, or one the firm made internal, is not listed (its link would 404).
    attachments = DocumentVersion.objects.filter(document__deleted_at=None).select_related(
        "document"
    )
    attachments = attachments.filter(document_q(user, "document__"))
    return (
        matter.messages.select_related("sender", "read_by")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
        .order_by("-created_at")
    )
