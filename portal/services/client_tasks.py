"""Client tasks: what the firm asks a client to do by a date."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.models import (
    ClientTask,
    Matter,
    User,
)
from portal.services.client_notices import matter_news_notify
from portal.services.inbox import client_activity_notify


def client_task_create(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    matter: Matter,
    kind: str,
    title: str,
    due_date: dt.date,
    description: str = "",
) -> ClientTask:
    if kind not in ClientTask.Kind.values:
        raise ServiceError(_("Choose a kind of task from the list."))
    if not title.strip():
        raise ServiceError(_("Give the task a title."))
    with transaction.atomic():
        task = ClientTask.objects.create(
            matter=matter,
            kind=kind,
            title=title.strip()[:200],
            description=description.strip()[:2000],
            due_date=due_date,
            created_by=actor,
        )
        audit_record(
            action=PortalAction.TASK_ASSIGNED,
            actor=actor,
            meta=meta,
            matter_id=matter.pk,
            obj=task,
            data={"kind": kind, "due": due_date.isoformat()},
        )
        matter_news_notify(matter_id=matter.pk)
    return task


def client_task_complete(
    *, actor: User, meta: RequestMeta | None = None, task: ClientTask
) -> ClientTask:
    with transaction.atomic():
        locked = ClientTask.objects.select_for_update().select_related("matter").get(pk=task.pk)
        if locked.status != ClientTask.Status.OPEN:
            return locked
        locked.status = ClientTask.Status.DONE
        locked.done_at = timezone.now()
        locked.done_by = actor
        locked.save(update_fields=["status", "done_at", "done_by"])
        audit_record(
            action=PortalAction.TASK_DONE,
            actor=actor,
            meta=meta,
            matter_id=locked.matter_id,
            obj=locked,
            data={"by_firm": actor.is_firm_side},
        )
        if not actor.is_firm_side:
            client_activity_notify(matter_id=locked.matter_id, actor_id=actor.pk)
    return locked
