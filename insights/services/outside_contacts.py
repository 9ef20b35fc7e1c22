"""Logging a client's contact outside the portal (spec insights.md §3).

Staff log it from the contact or matter page in three taps; optionally the client gets
the firm's "please use the portal next time" text (notice `portal_nudge`) in their
language and channel, quoting the firm's own communication promise.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from insights.audit_actions import InsightsAction
from insights.models import OutsideContact
from insights.notice_texts import PORTAL_NUDGE
from notifications.outbox import object_key
from notifications.services import notice_queue
from portal import selectors as portal_selectors

if TYPE_CHECKING:
    from portal.models import User

# A contact logged for a time this far back is a typo, not a memory.
MAX_AGE = dt.timedelta(days=90)
# Clocks differ a little between a phone and the server.
FUTURE_SLACK = dt.timedelta(minutes=10)


def outside_contact_log(
    *,
    actor: User,
    contact_id: Any,
    matter_id: Any = None,
    channel: str,
    direction: str = OutsideContact.Direction.IN,
    at: dt.datetime | None = None,
    nudge: bool = False,
    meta: RequestMeta | None = None,
) -> OutsideContact:
    """Log it for a contact (and one of their matters) this staff member may open.

    A contact or matter they may not open is a 404 (Http404 from portal's selectors);
    a matter the contact is not a client of, an unknown channel or an impossible time is
    refused (ServiceError) and nothing is stored.
    """
    contact = portal_selectors.contact_get_for_staff(user=actor, contact_id=contact_id)
    matter = None
    if matter_id:
        matter = portal_selectors.matter_detail_for_staff(user=actor, matter_id=matter_id)
        if not matter.clients.filter(pk=contact.pk).exists():
            raise ServiceError(_("This person is not a client of that matter."))
    if channel not in OutsideContact.Channel.values:
        raise ServiceError(_("Choose how the client contacted you."))
    if direction not in OutsideContact.Direction.values:
        raise ServiceError(_("Choose who contacted whom."))
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at):
        raise ServiceError(_("Enter a valid date and time."))
    if at > now + FUTURE_SLACK:
        raise ServiceError(_("The contact cannot be in the future."))
    if at < now - MAX_AGE:
        raise ServiceError(_("Log contacts of the last 90 days only."))
    with transaction.atomic():
        row = OutsideContact.objects.create(
            contact=contact,
            matter=matter,
            channel=channel,
            direction=direction,
            at=at,
            logged_by_id=actor.pk,
            nudged_at=now if nudge else None,
        )
        audit_record(
            action=InsightsAction.OUTSIDE_CONTACT_LOGGED,
            actor=actor,
            meta=meta,
            matter_id=matter.pk if matter is not None else None,
            obj=row,
            data={
                "contact": str(contact.pk),
                "channel": channel,
                "direction": direction,
                "nudge": bool(nudge),
            },
        )
        if nudge:
            recipient = portal_selectors.contact_recipient(contact)
            notice_queue(
                event=PORTAL_NUDGE,
                channels=recipient.notice_channels(),
                about=object_key("outsidecontact", row.pk),
            )
    return row
