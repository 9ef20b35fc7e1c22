"""What clients hear when the firm shares something on their matter.

One content-free notice per client and matter within a few minutes, whatever was shared
(a timeline update, a stage change, a document or a new version, a checklist, an item sent
back, a task): the notice names the matter's reference and carries one link, never a
title, a text or a file name (portal.notices renders it, in the client's language, on their
channel, an SMS waiting out their quiet hours). Internal changes send nothing: callers
notify only for what the client can see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from notifications import services as notifications
from notifications.outbox import object_key
from portal import selectors
from portal.models import User

UPDATE_NOTICE = "matter_update"


def _client_users(matter_id: Any) -> list[User]:
    return list(
        User.objects.filter(
            contact__matters=matter_id, is_active=True, role=User.Role.CLIENT
        ).select_related("contact")
    )


def matter_news_notify(*, matter_id: Any) -> int:
    """Queue (or join) the "news on your matter" notice for each client who can sign in.

    Runs inside the caller's transaction; returns how many clients will hear of it (0 when
    no client of the matter has a portal account yet).
    """
    due_at = timezone.now() + dt.timedelta(minutes=settings.NOTIFICATIONS_MESSAGE_DIGEST_MINUTES)
    users = _client_users(matter_id)
    for user in users:
        for channel in selectors.user_recipient(user).notice_channels():
            notifications.notice_batch_add(
                event=UPDATE_NOTICE,
                key=f"update:{matter_id}:{user.pk}",
                channel=channel,
                due_at=due_at,
                recipient_id=user.pk,
                about=object_key("matter", matter_id),
            )
    return len(users)
