"""Retaining a lead (spec intake.md §5, the last move): one staff action, one transaction.

It creates the matter (portal), turns the prospect into a client, files the signed
engagement letter in the matter's documents, invites the client to the portal when they
have no account, optionally issues the retainer as an invoice or payment request
(billing: the client pays it online from the portal), and moves the lead to RETAINED.
Either all of it happens or none of it. A second call for a retained lead returns what
the first one made and writes nothing (the lead row is locked, then its state decides).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from billing import services as billing_services
from billing.events import InvoicePaid
from core.errors import ServiceError
from core.http import AtriumUser, RequestMeta
from intake.audit_actions import IntakeAction
from intake.models import ConflictCheck, Engagement, Lead
from intake.services.conflicts import lead_check_is_current, lead_move
from intake.services.engagements import firm_staff_acting_for
from portal import selectors as portal_selectors
from portal import services as portal_services
from portal.types import PracticeArea

ENGAGEMENT_FOLDER = "Engagement"
MAX_RETAINER = Decimal("10000000")


@dataclass(frozen=True)
class RetainInput:
    reference: str
    title: str
    responsible_lawyer_id: Any
    retainer_amount: Decimal | None = None
    retainer_due: dt.date | None = None
    # When no letter was signed in Atrium: how the engagement was agreed (on paper…).
    agreed_outside_note: str = ""


@dataclass(frozen=True)
class RetainResult:
    lead: Lead
    matter: Any
    invitation: Any
    invoice: Any
    created: bool


def _signed_letter(lead: Lead) -> Engagement | None:
    return (
        lead.engagements.select_related("retainer_invoice")
        .filter(status=Engagement.Status.SIGNED)
        .first()
    )


def _check(lead: Lead, data: RetainInput, signed: Engagement | None) -> None:
    if lead.status in (Lead.Status.DECLINED, Lead.Status.LOST):
        raise ServiceError(_("This lead is closed and cannot be retained."))
    if lead.conflict_state not in ConflictCheck.OK_STATES or not lead_check_is_current(lead):
        raise ServiceError(
            _("The conflict check must be current and clear, cleared or waived to retain.")
        )
    if lead.engagements.filter(status__in=Engagement.OPEN).exists():
        raise ServiceError(
            _("An engagement letter is still waiting for the client; wait or withdraw it.")
        )
    if signed is not None and not retainer_is_paid(signed):
        raise ServiceError(
            _(
                "The letter asks for a retainer that is not paid yet: the lead is retained "
                "once the payment is in (online, or recorded by the firm)."
            )
        )
    if signed is None and len(data.agreed_outside_note.strip()) < 5:
        raise ServiceError(
            _("No letter was signed here: say how the engagement was agreed (on paper, …).")
        )
    if not data.reference.strip() or len(data.reference.strip()) > 32:
        raise ServiceError(_("Give the matter a reference of at most 32 characters."))
    if not data.title.strip() or len(data.title.strip()) > 200:
        raise ServiceError(_("Give the matter a title of at most 200 characters."))
    if data.retainer_amount is not None:
        try:
            amount = Decimal(data.retainer_amount)
        except (InvalidOperation, TypeError) as exc:
            raise ServiceError(_("Enter the retainer as an amount.")) from exc
        if amount <= 0 or amount >= MAX_RETAINER or amount != amount.quantize(Decimal("0.01")):
            raise ServiceError(_("The retainer must be a positive amount with at most 2 decimals."))
        if data.retainer_due is None or data.retainer_due < timezone.localdate():
            raise ServiceError(_("The retainer needs a due date from today on."))


def retainer_is_paid(engagement: Engagement) -> bool:
    """A letter without a retainer needs nothing; with one, its payment request must be
    paid in full (billing keeps the settlement)."""
    if engagement.retainer_amount is None:
        return True
    invoice = engagement.retainer_invoice
    return invoice is not None and invoice.settlement == "PAID" and invoice.balance <= 0


def lead_retain(
    *,
    lead_id: Any,
    actor: AtriumUser,
    data: RetainInput,
    meta: RequestMeta | None = None,
    trigger: str = "",
) -> RetainResult:
    with transaction.atomic():
        lead = Lead.objects.select_for_update().select_related("contact").get(pk=lead_id)
        if lead.status == Lead.Status.RETAINED and lead.matter_id is not None:
            # Idempotent: the first retain did everything; a replay changes nothing.
            return RetainResult(lead, lead.matter, None, None, created=False)
        signed = _signed_letter(lead)
        _check(lead, data, signed)
        lawyer = portal_selectors.active_staff().filter(pk=data.responsible_lawyer_id).first()
        if lawyer is None:
            raise ServiceError(_("Choose the responsible lawyer from the staff list."))
        contact = lead.contact
        matter = portal_services.matter_create(
            actor=actor,  # type: ignore[arg-type]  # a portal User
            meta=meta,
            data=portal_services.MatterData(
                reference=data.reference.strip(),
                title=data.title.strip(),
                practice_area=lead.practice_area
                if lead.practice_area in PracticeArea.values
                else "other",
                priority="normal",
                responsible_lawyer=lawyer,
                team=[],
                clients=[contact],
                tags=[],
            ),
        )
        matter = portal_services.matter_change_stage(
            actor=actor,  # type: ignore[arg-type]  # a portal User
            meta=meta,
            matter=matter,
            to_stage="engaged",
        )
        if contact.kind != "client":
            portal_services.contact_update(
                actor=actor,  # type: ignore[arg-type]  # a portal User
                meta=meta,
                contact=contact,
                data={"kind": "client"},
            )
        document = None
        if signed is not None:
            document = _file_signed_letter(signed, matter=matter, actor=actor, meta=meta)
            Engagement.objects.filter(pk=signed.pk).update(matter=matter, document=document)
        invitation = None
        if contact.user_id is None and contact.email:
            invitation = portal_services.client_invite(
                actor=actor,  # type: ignore[arg-type]  # a portal User
                meta=meta,
                contact=contact,
            )
        invoice = None
        if data.retainer_amount is not None and data.retainer_due is not None:
            invoice = _retainer_invoice(lead, matter, data, signed, actor=actor, meta=meta)
        moved = lead_move(
            lead=lead,
            to=Lead.Status.RETAINED,
            by=actor,
            reason=(trigger or "retained")
            if signed is not None
            else "retained; agreed outside Atrium",
            allowed_from=(Lead.Status.ENGAGEMENT_SENT, Lead.Status.CONSULT_HELD, Lead.Status.NEW),
        )
        if not moved:
            raise ServiceError(
                _("A lead is retained after its consultation (it is now: %(stage)s).")
                % {"stage": lead.get_status_display()}
            )
        Lead.objects.filter(pk=lead.pk).update(matter=matter)
        lead.matter = matter
        audit_record(
            action=IntakeAction.LEAD_RETAINED,
            actor=actor,
            meta=meta,
            obj=lead,
            matter_id=matter.pk,
            data={
                "matter": matter.reference,
                "letter": str(signed.pk) if signed is not None else "",
                "agreed_outside": data.agreed_outside_note.strip()[:200] if signed is None else "",
                "invited": invitation is not None,
                "invoice": str(invoice.pk) if invoice is not None else "",
                "trigger": trigger or "staff",
            },
        )
    return RetainResult(lead, matter, invitation, invoice, created=True)


def _file_signed_letter(
    signed: Engagement, *, matter: Any, actor: AtriumUser, meta: RequestMeta | None
) -> Any:
    folder = portal_services.folder_create(
        actor=actor,  # type: ignore[arg-type]  # a portal User
        meta=meta,
        matter=matter,
        name=ENGAGEMENT_FOLDER,
    )
    with default_storage.open(signed.signed_pdf.name or "", "rb") as fh:
        data = fh.read()
    name = f"{signed.title} ({timezone.localtime(signed.signed_at).date().isoformat()}).pdf"
    versions = portal_services.document_upload(
        actor=actor,  # type: ignore[arg-type]  # a portal User
        meta=meta,
        matter=matter,
        folder=folder,
        files=[SimpleUploadedFile(name, data, content_type="application/pdf")],
        shared_with_client=True,
        _notify=False,
    )
    return versions[0]


def _retainer_invoice(
    lead: Lead,
    matter: Any,
    data: RetainInput,
    signed: Engagement | None,
    *,
    actor: AtriumUser,
    meta: RequestMeta | None,
) -> Any:
    if data.retainer_amount is None or data.retainer_due is None:  # pragma: no cover
        raise ServiceError(_("The retainer needs an amount and a due date."))
    currency = signed.currency if signed is not None and signed.currency else ""
    draft = billing_services.invoice_draft_create(
        actor=actor,  # type: ignore[arg-type]  # a portal User
        meta=meta,
        data=billing_services.DraftInput(
            contact_id=lead.contact_id,
            due_date=data.retainer_due,
            currency=currency,
            matter_id=matter.pk,
            lines=[
                billing_services.LineInput(
                    description=_("Retainer: %(matter)s") % {"matter": matter.title},
                    quantity=Decimal("1"),
                    unit_price=data.retainer_amount,
                )
            ],
        ),
    )
    return billing_services.invoice_issue(
        actor=actor,  # type: ignore[arg-type]  # a portal User
        meta=meta,
        invoice_id=draft.pk,
    )


def suggested_reference(lead: Lead, attempt: int = 0) -> str:
    area = (lead.practice_area or "GEN")[:3].upper()
    base = f"{area}-{timezone.localdate().year}-{str(lead.pk)[:4].upper()}"
    return base if attempt == 0 else f"{base}-{attempt + 1}"


def on_invoice_paid(event: InvoicePaid) -> None:
    """The retainer of a signed letter is paid (billing's event, after its commit): the
    lead is retained as staff would, with the letter's sender or the lead's lawyer as the
    responsible lawyer. A lead already retained, or not waiting for this, is left alone;
    if retaining fails (a reference taken…), the lead waits for staff to retain it from
    its page, which now allows it."""
    engagement = (
        Engagement.objects.select_related("lead__contact")
        .filter(retainer_invoice_id=event.invoice_id, status=Engagement.Status.SIGNED)
        .first()
    )
    if engagement is None or engagement.lead.status != Lead.Status.ENGAGEMENT_SENT:
        return
    lead = engagement.lead
    actor = firm_staff_acting_for(
        lead, contact_id=lead.contact_id, first=[lead.assigned_to_id, engagement.sent_by_id]
    )
    if actor is None:
        return
    last = ""
    for attempt in range(3):
        try:
            with transaction.atomic():
                lead_retain(
                    lead_id=lead.pk,
                    actor=actor,
                    trigger="retainer paid",
                    data=RetainInput(
                        reference=suggested_reference(lead, attempt),
                        title=lead.contact.full_name[:200],
                        responsible_lawyer_id=actor.pk,
                    ),
                )
            return
        except ServiceError as exc:
            last = str(exc)
    audit_record(
        action=IntakeAction.LEAD_RETAIN_WAITING,
        actor_label="system",
        obj=lead,
        data={"why": last[:200]},
    )
