"""Client tasks as clients and staff see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from core.http import uuid_or_404
from portal.models import (
    ClientTask,
    Matter,
    User,
)
from portal.selectors.matters import matters_visible_to


def client_tasks_for_viewer(*, user: User, matter: Matter) -> QuerySet[ClientTask]:
    return matter.client_tasks.select_related("done_by").order_by("status", "due_date")


def open_tasks_for_client(
    *, user: User, matter_ids: list[Any] | None = None
) -> QuerySet[ClientTask]:
    """Open tasks of the client's matters; matter_ids, when given, are the matters this
    user may open already looked up (matter_ids_for_client), so no second lookup runs."""
    # Co-counsel read the matter but the tasks are the client's, not theirs to list as own.
    if not user.is_client:
        return ClientTask.objects.none()
    matters: Any = matters_visible_to(user).values("pk") if matter_ids is None else matter_ids
    return (
        ClientTask.objects.filter(status=ClientTask.Status.OPEN, matter__in=matters)
        .select_related("matter")
        .order_by("due_date")
    )


def overdue_tasks_for_staff(*, user: User) -> QuerySet[ClientTask]:
    if not user.is_firm_staff:
        return ClientTask.objects.none()
    return (
        ClientTask.objects.filter(
            status=ClientTask.Status.OPEN,
            due_date__lt=timezone.localdate(),
            matter__in=matters_visible_to(user).values("pk"),
        )
        .select_related("matter")
        .order_by("due_date")
    )


def client_task_get_for_user(*, user: User, task_id: Any) -> ClientTask:
    pk = uuid_or_404(task_id)
    task = (
        ClientTask.objects.filter(pk=pk, matter__in=matters_visible_to(user).values("pk"))
        .select_related("matter")
        .first()
    )
    if task is None:
        raise Http404
    return task


def client_tasks_due(*, on: dt.date) -> QuerySet[ClientTask]:
    """Open tasks due on a date (for reminders)."""
    return (
        ClientTask.objects.filter(status=ClientTask.Status.OPEN, due_date=on)
        .select_related("matter")
        .prefetch_related("matter__clients__user")
    )
