"""Staff hear what clients do, and "no reply needed" in the staff inbox.

A client's upload (to a checklist or a folder), a task marked done, a message, a booking,
a reschedule or a cancellation notify the responsible lawyer and the team, each as they
chose (User.activity_notices): right away (one notice per matter within a few minutes),
an hourly digest or a daily digest at 8:00 their time. The notices carry the matter's
reference and a link, never what the client wrote or the file's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core import time
from core.errors import ServiceError
from core.http import RequestMeta
from notifications import services as notifications
from notifications.outbox import object_key
from portal.audit_actions import PortalAction
from portal.models import InboxDismissal, Matter, Message, User
from portal.selectors.firm import firm_get
from portal.selectors.inbox import INBOX_VERSION_KEY
from portal.services.people import _validation_message

ACTIVITY_NOTICE = "client_activity"
ACTIVITY_DIGEST = "activity_digest"
DAILY_AT = dt.time(8)


def inbox_touch() -> None:
    """Something moved a matter into or out of an inbox: the menu badges count again."""
    try:
        cache.incr(INBOX_VERSION_KEY)
    except ValueError:
        cache.set(INBOX_VERSION_KEY, 2, None)


def _digest_due(user: User, now: dt.datetime) -> dt.datetime:
    if user.activity_notices == User.ActivityNotices.HOURLY:
        return now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    zone = time.zone(user.time_zone or firm_get().time_zone)
    local = now.astimezone(zone)
    day = local.date() if local.time() < DAILY_AT else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, DAILY_AT, tzinfo=zone).astimezone(dt.UTC)


def client_activity_notify(
    *, matter_id: Any = None, actor_id: Any = None, staff_ids: Iterable[Any] = ()
) -> int:
    """Queue (or join) the notice of client activity for the matter's lawyer and team.

    `staff_ids` adds people (the staff member of an appointment; the only ones for a
    booking on no matter). Runs inside the caller's transaction; returns how many staff
    members will hear of it.
    """
    ids = set(staff_ids)
    matter = Matter.objects.filter(pk=matter_id).first() if matter_id else None
    if matter is not None:
        ids.add(matter.responsible_lawyer_id)
        ids |= set(matter.team.values_list("id", flat=True))
    ids.discard(actor_id)
    recipients = list(User.objects.filter(pk__in=ids, role=User.Role.STAFF, is_active=True))
    now = timezone.now()
    soon = now + dt.timedelta(minutes=settings.NOTIFICATIONS_MESSAGE_DIGEST_MINUTES)
    for user in recipients:
        if user.activity_notices == User.ActivityNotices.IMMEDIATE and matter is not None:
            notifications.notice_batch_add(
                event=ACTIVITY_NOTICE,
                key=f"activity:{matter.pk}:{user.pk}",
                channel="email",
                due_at=soon,
                recipient_id=user.pk,
                about=object_key("matter", matter.pk),
            )
        else:
            notifications.notice_batch_add(
                event=ACTIVITY_DIGEST,
                key=f"activity-digest:{user.pk}",
                channel="email",
                due_at=soon
                if user.activity_notices == User.ActivityNotices.IMMEDIATE
                else _digest_due(user, now),
                recipient_id=user.pk,
                about=object_key("user", user.pk),
            )
    transaction.on_commit(inbox_touch)
    return len(recipients)


def inbox_dismiss(
    *, actor: User, meta: RequestMeta | None = None, matter: Matter, reason: str
) -> InboxDismissal:
    """ "No reply needed": what the client sent so far leaves the inbox, with the reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(_("Say why no reply is needed."))
    if len(reason) > 300:
        raise ServiceError(_("Keep the reason under 300 characters."))
    if not actor.is_firm_staff:
        raise ServiceError(_("Only the firm can mark messages as needing no reply."))
    with transaction.atomic():
        dismissal = InboxDismissal(matter=matter, dismissed_by=actor, reason=reason)
        try:
            dismissal.full_clean()
        except ValidationError as exc:
            raise ServiceError(_validation_message(exc)) from exc
        dismissal.save()
        # The client messages it covers end their wait here too (portal.waits).
        last_firm = (
            Message.objects.filter(matter=matter, side=Message.Side.FIRM)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        covered = Message.objects.filter(
            matter=matter,
            side=Message.Side.CLIENT,
            no_reply_needed_at=None,
            created_at__lte=dismissal.dismissed_at,
        )
        if last_firm is not None:
            covered = covered.filter(created_at__gt=last_firm)
        covered.update(
            no_reply_needed_at=dismissal.dismissed_at, no_reply_reason=reason, no_reply_by=actor
        )
        audit_record(
            action=PortalAction.INBOX_NO_REPLY,
            actor=actor,
            meta=meta,
            matter_id=matter.pk,
            obj=dismissal,
        )
        transaction.on_commit(inbox_touch)
    return dismissal
