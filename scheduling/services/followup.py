"""After a meeting: the follow-up staff send the client (issue 12, item 8).

One form: a summary, the client's next steps (client tasks with due dates) and the team's
next steps (timeline entries the client sees); the client hears of it by one notice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from portal import services as portal
from portal.selectors import firm_get
from portal.services.client_notices import matter_news_notify
from scheduling.audit_actions import SchedulingAction
from scheduling.models import Appointment

if TYPE_CHECKING:
    from portal.models import Matter, User

# Portal's kinds, by value (portal.models is portal's own; its services take the value).
TIMELINE_UPDATE = "update"
TIMELINE_EVENT = "event"
TASK_OTHER = "other"


@dataclass(frozen=True)
class Step:
    action: str
    on: dt.date


def appointment_follow_up(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    appointment: Appointment,
    matter: Matter,
    summary: str,
    client_steps: list[Step],
    firm_steps: list[Step],
) -> Appointment:
    if not matter.clients.filter(pk=appointment.contact_id).exists():
        raise ServiceError(_("Choose one of this client's matters."))
    if not summary.strip() and not client_steps and not firm_steps:
        raise ServiceError(_("Write a summary or at least one next step."))
    with transaction.atomic():
        row = (
            Appointment.objects.select_for_update().select_related("contact").get(pk=appointment.pk)
        )
        if row.status != Appointment.Status.ATTENDED:
            raise ServiceError(_("Mark the appointment attended first."))
        if row.followed_up_at is not None:
            raise ServiceError(_("The follow-up to this meeting has already been sent."))
        language = row.contact.language or firm_get().default_language
        with translation.override(language):
            met_on = formats.date_format(timezone.localtime(row.start_at).date(), "DATE_FORMAT")
            title = _("After our meeting on %(date)s") % {"date": met_on}
            lines = [summary.strip()] if summary.strip() else []
            lines += [
                _("You: %(action)s, by %(date)s")
                % {"action": s.action, "date": formats.date_format(s.on, "DATE_FORMAT")}
                for s in client_steps
            ]
            lines += [
                _("Our team: %(action)s, by %(date)s")
                % {"action": s.action, "date": formats.date_format(s.on, "DATE_FORMAT")}
                for s in firm_steps
            ]
            firm_titles = [
                (_("Our team: %(action)s") % {"action": s.action})[:200] for s in firm_steps
            ]
            firm_bodies = [
                _("By %(date)s") % {"date": formats.date_format(s.on, "DATE_FORMAT")}
                for s in firm_steps
            ]
        try:
            portal.timeline_entry_add(
                actor=actor,
                meta=meta,
                matter=matter,
                kind=TIMELINE_UPDATE,
                title=title,
                body="\n".join(lines)[:4000],
                notify=False,
            )
            for t, b in zip(firm_titles, firm_bodies, strict=True):
                portal.timeline_entry_add(
                    actor=actor,
                    meta=meta,
                    matter=matter,
                    kind=TIMELINE_EVENT,
                    title=t,
                    body=b,
                    notify=False,
                )
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages)) from exc
        for step in client_steps:
            portal.client_task_create(
                actor=actor,
                meta=meta,
                matter=matter,
                kind=TASK_OTHER,
                title=step.action,
                due_date=step.on,
            )
        # One notice: the tasks above joined the same per-matter batch.
        matter_news_notify(matter_id=matter.pk)
        row.followed_up_at = timezone.now()
        row.save(update_fields=["followed_up_at"])
        audit_record(
            action=SchedulingAction.APPOINTMENT_FOLLOWED_UP,
            actor=actor,
            meta=meta,
            matter_id=matter.pk,
            obj=row,
            data={"client_steps": len(client_steps), "firm_steps": len(firm_steps)},
        )
    return row
