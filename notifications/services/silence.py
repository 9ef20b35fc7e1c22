"""The silence alarm: matters whose client has heard nothing for too long."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.http import RequestMeta
from notifications import defaults
from notifications.models import Notification, State
from notifications.services.compose import absolute, format_day, recipient_from_contact
from notifications.text import fill


def checkin_draft(*, matter: Any, now: dt.datetime | None = None) -> defaults.Text:
    """A short "nothing new yet" update in the client's language, ready to edit."""
    now = now or timezone.now()
    client = matter.clients.first()
    recipient = recipient_from_contact(client) if client is not None else None
    language = recipient.language if recipient else "en"
    zone = recipient.zone if recipient else ZoneInfo("UTC")
    template = defaults.CHECKIN.get(language, defaults.CHECKIN["en"])
    with translation.override(language):
        next_step = str(matter.stage_explanation)
    expected = format_day(now + dt.timedelta(days=14), language=language, zone=zone)
    return defaults.Text(template.subject,
                         fill(template.body, {"next_step": next_step, "expected": expected}))


def checkin_send(*, actor: Any, meta: RequestMeta | None = None, matter: Any, title: str,
                 body: str) -> Any:
    """Post the check-in as a shared update on the client's timeline (stops the flag)."""
    from portal import services as portal

    return portal.timeline_entry_add(actor=actor, meta=meta, matter=matter,
                                     kind="update", title=title, body=body,
                                     shared_with_client=True)


def silence_digest_send(*, now: dt.datetime | None = None) -> int:
    """Once a day, email each responsible lawyer the list of their silent matters.

    At most one digest per lawyer per UTC day, whatever the number of runs: the day is part
    of a key that is checked before sending, inside one transaction per lawyer.
    """
    from notifications.selectors import silent_matters_by_lawyer
    from portal.selectors import firm_get

    now = now or timezone.now()
    firm = firm_get()
    sent = 0
    for lawyer, matters in silent_matters_by_lawyer(now=now):
        key = f"silence:{lawyer.pk}:{now.date().isoformat()}"
        with transaction.atomic():
            if Notification.objects.filter(batch_key=key).exists():
                continue
            row = Notification.objects.create(
                event="silence", channel="email", recipient=lawyer, batch_key=key,
                batch_count=len(matters), due_at=now, next_attempt_at=now, state=State.SENDING,
                send_started_at=timezone.now(), to_address=lawyer.email[:254],
                lease_until=timezone.now() + dt.timedelta(
                    seconds=settings.NOTIFICATIONS_LEASE_SECONDS),
            )
        language = lawyer.language or firm.default_language
        with translation.override(language), timezone.override(lawyer.time_zone or
                                                               firm.time_zone):
            context = {"firm": firm, "lawyer": lawyer, "matters": matters,
                       "days": firm.silence_days,
                       "link": absolute(reverse("notifications:silence-list"))}
            subject = render_to_string("emails/notifications/silence_subject.txt",
                                       context).strip()
            body = render_to_string("emails/notifications/silence.txt", context)
        try:
            EmailMessage(subject=subject, body=body, to=[lawyer.email]).send()
        except Exception as exc:
            Notification.objects.filter(pk=row.pk).update(
                state=State.FAILED, reason=f"email: {type(exc).__name__}"[:200],
                attempts=1, updated_at=timezone.now())
            continue
        Notification.objects.filter(pk=row.pk).update(state=State.SENT, sent_at=timezone.now(),
                                                      attempts=1, updated_at=timezone.now())
        sent += 1
    return sent


def due_reminders_queue(*, today: dt.date | None = None) -> int:
    """Queue the "due tomorrow" notices for client tasks and document requests.

    Idempotent: one notice per task (or request), due date and channel, ever.
    """
    from notifications.services.messages import _channels_for_notice
    from portal.selectors import client_tasks_due, document_requests_due

    today = today or timezone.localdate()
    days = settings.NOTIFICATIONS_DUE_REMINDER_DAYS
    target = today + dt.timedelta(days=days)
    now = timezone.now()
    created = 0
    work: list[tuple[str, Any]] = [("task_due", t) for t in client_tasks_due(on=target)]
    work += [("document_due", r) for r in document_requests_due(on=target)]
    for event, item in work:
        matter = item.matter
        for contact in matter.clients.all():
            user = contact.user
            if user is None or not user.is_active:
                continue
            for channel in _channels_for_notice(user):
                key = f"{event}:{item.pk}:{item.due_date.isoformat()}:{user.pk}"
                with transaction.atomic():
                    if Notification.objects.filter(batch_key=key, channel=channel).exists():
                        continue
                    Notification.objects.create(
                        event=event, channel=channel, recipient=user, matter=matter,
                        batch_key=key, due_at=now, next_attempt_at=now,
                        context={"due": item.due_date.isoformat()},
                    )
                    created += 1
    return created
