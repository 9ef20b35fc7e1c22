"""The "due tomorrow" notices of client tasks and document requests (queued once a day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from notifications import services as notifications
from notifications.outbox import object_key
from portal import selectors

TASK_DUE = "task_due"
DOCUMENT_DUE = "document_due"
DUE_EVENTS = (TASK_DUE, DOCUMENT_DUE)


def due_reminders_queue(*, today: dt.date | None = None) -> int:
    """Queue the notices for what is due in NOTIFICATIONS_DUE_REMINDER_DAYS days.

    Idempotent: one notice per task (or request), due date, client and channel, ever.
    """
    today = today or timezone.localdate()
    target = today + dt.timedelta(days=settings.NOTIFICATIONS_DUE_REMINDER_DAYS)
    work: list[tuple[str, Any]] = [(TASK_DUE, t) for t in selectors.client_tasks_due(on=target)]
    work += [(DOCUMENT_DUE, r) for r in selectors.document_requests_due(on=target)]
    created = 0
    for event, item in work:
        matter = item.matter
        for contact in matter.clients.all():
            user = contact.user
            if user is None or not user.is_active:
                continue
            for channel in selectors.user_recipient(user).notice_channels():
                row = notifications.notice_queue_once(
                    event=event,
                    key=f"{event}:{item.pk}:{item.due_date.isoformat()}:{user.pk}",
                    channel=channel,
                    recipient_id=user.pk,
                    about=object_key("matter", matter.pk),
                    context={"due": item.due_date.isoformat()},
                )
                created += row is not None
    return created
