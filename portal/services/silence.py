"""The silence alarm: a prepared check-in for a silent matter, and the daily digest."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import time
from core.errors import ServiceError
from core.http import RequestMeta
from core.time import format_day
from notifications import services as notifications
from notifications.outbox import object_key
from notifications.registry import Text
from notifications.text import fill
from portal import selectors
from portal.models import Matter, TimelineEntry, User
from portal.notice_texts import CHECKIN
from portal.services.client_notices import matter_news_notify
from portal.services.matters import timeline_entry_add

SILENCE_NOTICE = "silence"


def checkin_draft(*, matter: Matter, now: dt.datetime | None = None) -> Text:
    """A short "nothing new yet" update in the client's language, ready to edit."""
    now = now or timezone.now()
    client = matter.clients.first()
    recipient = selectors.contact_recipient(client) if client is not None else None
    language = recipient.language if recipient else "en"
    zone = recipient.zone if recipient else time.zone(None)
    template = CHECKIN.get(language, CHECKIN["en"])
    with translation.override(language):
        next_step = str(matter.stage_explanation)
    expected = format_day(now + dt.timedelta(days=14), language=language, zone=zone)
    return Text(
        template.subject, fill(template.body, {"next_step": next_step, "expected": expected})
    )


def checkin_send(
    *, actor: User, meta: RequestMeta | None = None, matter: Matter, title: str, body: str
) -> TimelineEntry:
    """Post the check-in as a shared update and tell the client (this clears the alarm).

    The alarm clears only together with a queued notice: when no client of the matter can
    sign in to the portal yet, nothing is posted and staff are told to invite them first.
    """
    with transaction.atomic():
        entry = timeline_entry_add(
            actor=actor,
            meta=meta,
            matter=matter,
            kind=TimelineEntry.Kind.UPDATE,
            title=title,
            body=body,
            shared_with_client=True,
            notify=False,
        )
        if not matter_news_notify(matter_id=matter.pk):
            raise ServiceError(
                _(
                    "No client of this matter can sign in to the portal yet, so the update "
                    "would reach nobody. Invite the client first; the matter stays flagged."
                )
            )
    return entry


def silence_digest_send(*, now: dt.datetime | None = None) -> int:
    """Once a day, email each responsible lawyer the list of their silent matters.

    At most one digest per lawyer per UTC day, whatever the number of runs: the day is part
    of the notice's key, and a key is queued once. Each digest is sent at once through the
    outbox (portal.notices renders it), so a failure is retried and shown like any other.
    """
    now = now or timezone.now()
    sent = 0
    for lawyer, matters in selectors.silent_matters_by_lawyer(now=now):
        row = notifications.notice_queue_once(
            event=SILENCE_NOTICE,
            key=f"silence:{lawyer.pk}:{now.date().isoformat()}",
            channel="email",
            recipient_id=lawyer.pk,
            about=object_key("user", lawyer.pk),
            context={"matters": [str(m.pk) for m in matters]},
            batch_count=len(matters),
        )
        if row is not None:
            sent += notifications.delivery_send_now(model=type(row), pk=row.pk).sent
    return sent
