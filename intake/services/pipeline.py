"""The lead pipeline (spec intake.md §5): automatic moves from appointment events and the
moves staff make. Every move is a conditional UPDATE (from the stages it may come from),
so a replayed or late event changes nothing and never moves a lead backwards."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import AtriumUser, RequestMeta
from intake.audit_actions import IntakeAction
from intake.models import Lead
from intake.services.conflicts import lead_move
from scheduling import selectors as scheduling_selectors
from scheduling.events import AppointmentBooked, AppointmentCancelled, AppointmentMarked

DECLINE_REASONS = ("conflict", "out_of_scope", "capacity", "other")
LOST_REASONS = ("no_response", "other_firm", "price", "other")


def _open_lead(contact_id: Any) -> Lead | None:
    return (
        Lead.objects.filter(contact_id=contact_id)
        .exclude(status__in=Lead.TERMINAL)
        .order_by("-created_at")
        .first()
    )


def lead_on_booked(event: AppointmentBooked) -> None:
    """A consultation booked: NEW, NO_SHOW or CONSULT_HELD (a follow-up) → CONSULT_BOOKED."""
    consultations = scheduling_selectors.consultation_appointments(ids=event.appointment_ids)
    lead = _open_lead(event.contact_id)
    if not consultations or lead is None:
        return
    with transaction.atomic():
        if lead_move(
            lead=lead,
            to=Lead.Status.CONSULT_BOOKED,
            by=None,
            reason="consultation booked",
            allowed_from=(Lead.Status.NEW, Lead.Status.NO_SHOW, Lead.Status.CONSULT_HELD),
        ):
            Lead.objects.filter(pk=lead.pk).update(consult_appointment=consultations[0].pk)


def lead_on_marked(event: AppointmentMarked) -> None:
    """The consultation was attended (→ CONSULT_HELD) or missed (→ NO_SHOW)."""
    if not scheduling_selectors.consultation_appointments(ids=[event.appointment_id]):
        return
    lead = _open_lead(event.contact_id)
    if lead is None:
        return
    if event.status == "attended":
        lead_move(
            lead=lead,
            to=Lead.Status.CONSULT_HELD,
            by=None,
            reason="consultation attended",
            allowed_from=(Lead.Status.CONSULT_BOOKED, Lead.Status.NO_SHOW),
        )
    elif event.status == "no_show":
        lead_move(
            lead=lead,
            to=Lead.Status.NO_SHOW,
            by=None,
            reason="did not attend",
            allowed_from=(Lead.Status.CONSULT_BOOKED,),
        )


def lead_on_cancelled(event: AppointmentCancelled) -> None:
    """The consultation was cancelled and nothing else is booked: back to NEW."""
    if not scheduling_selectors.consultation_appointments(ids=[event.appointment_id]):
        return
    lead = _open_lead(event.contact_id)
    if lead is None or scheduling_selectors.contact_has_booked_consultation(
        contact_id=event.contact_id
    ):
        return
    lead_move(
        lead=lead,
        to=Lead.Status.NEW,
        by=None,
        reason="consultation cancelled",
        allowed_from=(Lead.Status.CONSULT_BOOKED,),
    )


def lead_close(
    *,
    lead: Lead,
    to: str,
    reason: str,
    actor: AtriumUser,
    meta: RequestMeta | None = None,
) -> Lead:
    """Staff decline a lead or mark it lost, with a reason (never shown to the person)."""
    allowed: tuple[str, ...]
    if to == Lead.Status.DECLINED:
        reasons, allowed = (
            DECLINE_REASONS,
            ("new", "consult_booked", "consult_held", "engagement_sent"),
        )
    elif to == Lead.Status.LOST:
        reasons = LOST_REASONS
        allowed = ("new", "consult_booked", "no_show", "consult_held", "engagement_sent")
    else:
        raise ServiceError(_("A lead can be declined or marked lost here."))
    if reason not in reasons:
        raise ServiceError(_("Choose a reason."))
    with transaction.atomic():
        if not lead_move(lead=lead, to=to, by=actor, reason=reason, allowed_from=allowed):
            raise ServiceError(_("This lead can no longer be moved there."))
        field = "declined_reason" if to == Lead.Status.DECLINED else "lost_reason"
        Lead.objects.filter(pk=lead.pk).update(**{field: reason})
        audit_record(
            action=IntakeAction.LEAD_MOVED,
            actor=actor,
            meta=meta,
            obj=lead,
            data={"to": to, "reason": reason},
        )
    return lead
