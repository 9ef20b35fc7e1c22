"""Queueing notices: the rows an app writes, inside its own transaction, to send later.

Nothing is sent before the transaction commits: the row is the promise. A notice sent
"now" is handed to a worker on commit; the sweep is the safety net if the broker is down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from notifications import registry
from notifications.models import Notification
from notifications.outbox import State
from notifications.services.sweep import enqueue_on_commit


def notice_queue(
    *,
    event: str,
    channels: Iterable[str],
    recipient_id: Any = None,
    about: str = "",
    context: dict[str, Any] | None = None,
    send_now: bool = True,
) -> list[Notification]:
    """One row per channel, due now; sent right after commit when `send_now`."""
    registry.notice(event)  # an unregistered event is a mistake here, not at send time
    now = timezone.now()
    with transaction.atomic():
        rows = [
            Notification.objects.create(
                event=event,
                channel=channel,
                recipient_id=recipient_id,
                about=about,
                due_at=now,
                next_attempt_at=now,
                context=context or {},
            )
            for channel in channels
        ]
    if send_now:
        enqueue_on_commit(model=Notification, pks=[r.pk for r in rows])
    return rows


def notice_queue_once(
    *,
    event: str,
    key: str,
    channel: str,
    recipient_id: Any = None,
    about: str = "",
    context: dict[str, Any] | None = None,
    batch_count: int = 1,
) -> Notification | None:
    """A row for `key` and channel unless one was ever queued (None then): idempotent."""
    registry.notice(event)
    now = timezone.now()
    with transaction.atomic():
        if Notification.objects.filter(batch_key=key, channel=channel).exists():
            return None
        return Notification.objects.create(
            event=event,
            channel=channel,
            recipient_id=recipient_id,
            about=about,
            batch_key=key,
            batch_count=batch_count,
            due_at=now,
            next_attempt_at=now,
            context=context or {},
        )


def notice_batch_add(
    *,
    event: str,
    key: str,
    channel: str,
    due_at: dt.datetime,
    recipient_id: Any = None,
    about: str = "",
) -> None:
    """Add one more trigger to the pending notice for `key`, or start one due at `due_at`.

    Several triggers while it waits make one message (its `batch_count` says how many).
    """
    registry.notice(event)
    pending = Notification.objects.filter(batch_key=key, channel=channel, state=State.SCHEDULED)
    if pending.update(batch_count=F("batch_count") + 1, updated_at=timezone.now()):
        return
    try:
        with transaction.atomic():
            Notification.objects.create(
                event=event,
                channel=channel,
                batch_key=key,
                due_at=due_at,
                next_attempt_at=due_at,
                recipient_id=recipient_id,
                about=about,
            )
    except IntegrityError:
        # Another trigger created it a moment ago (unique while pending): join that one.
        pending.update(batch_count=F("batch_count") + 1, updated_at=timezone.now())
