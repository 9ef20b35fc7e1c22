"""The "you have a new secure message" notice, batched per recipient and matter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import Event, Notification, State
from notifications.services.compose import recipient_from_user


def _channels_for_notice(user: Any) -> list[str]:
    recipient = recipient_from_user(user)
    # Email always; SMS as well only when the person asked for SMS and agreed to it.
    if recipient.prefers_sms and recipient.can_sms:
        return ["email", "sms"]
    return ["email"]


def _pending_notice_add(*, event: str, key: str, channel: str, due_at: dt.datetime,
                        **fields: Any) -> None:
    """Add one more trigger to the pending notice for `key`, or start one."""
    pending = Notification.objects.filter(batch_key=key, channel=channel, state=State.SCHEDULED)
    if pending.update(batch_count=F("batch_count") + 1, updated_at=timezone.now()):
        return
    try:
        with transaction.atomic():
            Notification.objects.create(
                event=event, channel=channel, batch_key=key, due_at=due_at,
                next_attempt_at=due_at, **fields)
    except IntegrityError:
        # Another message created it a moment ago (unique while pending): join that one.
        pending.update(batch_count=F("batch_count") + 1, updated_at=timezone.now())


def secure_message_notify(*, matter: Any, recipients: list[Any], sender: Any) -> None:
    """Tell each recipient that a secure message waits for them, at most once per few minutes.

    Several messages within NOTIFICATIONS_MESSAGE_DIGEST_MINUTES of the first make one notice
    per recipient and matter. The notice carries no text and no file name, only a link.
    Call it inside the transaction that stores the message.
    """
    due_at = timezone.now() + dt.timedelta(minutes=settings.NOTIFICATIONS_MESSAGE_DIGEST_MINUTES)
    with transaction.atomic():
        seen: set[int] = set()
        for user in recipients:
            if user is None or user.pk in seen or not user.is_active:
                continue
            if sender is not None and user.pk == getattr(sender, "pk", None):
                continue
            seen.add(user.pk)
            for channel in _channels_for_notice(user):
                _pending_notice_add(
                    event=Event.MESSAGE, key=f"message:{matter.pk}:{user.pk}", channel=channel,
                    due_at=due_at, recipient=user, matter=matter,
                )
