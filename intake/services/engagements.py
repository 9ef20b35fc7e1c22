"""Engagement letters (spec intake.md §6): templates, making a letter for a lead, sending it
to the portal, the client's simple electronic signature, declining, expiry, withdrawal.

Every move of a letter is a conditional UPDATE from the states it may come from, so a
replayed POST or a second tab changes nothing. Once SIGNED, the letter's text, PDF, hash
and evidence are never written again.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from billing import selectors as billing_selectors
from billing import services as billing_services
from core.errors import ServiceError
from core.http import AtriumUser, RequestMeta
from core.validators import validate_plain_text
from intake import engagement_render as letters
from intake import esign, signature_image
from intake.audit_actions import IntakeAction
from intake.models import ConflictCheck, Engagement, EngagementTemplate, Lead, SignatureEvidence
from intake.notice_texts import ENGAGEMENT_DECLINED_STAFF, ENGAGEMENT_SENT
from intake.selectors.leads import leads_for_staff
from intake.services.conflicts import lead_check_is_current, lead_move
from notifications.services import notice_queue
from portal import selectors as portal_selectors
from portal import services as portal_services

logger = logging.getLogger(__name__)

DEFAULT_EXPIRY_DAYS = 14
MAX_EXPIRY_DAYS = 90
SIGN_STATEMENT_VERSION = "engagement-sign-1"


def _is_admin(actor: AtriumUser) -> bool:
    return bool(getattr(actor, "is_firm_admin", False))


# ---------------------------------------------------------------------------- templates

MAX_RETAINER = Decimal("10000000")


def _check_retainer(amount: Decimal | None) -> None:
    if amount is None:
        return
    if amount <= 0 or amount >= MAX_RETAINER or amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(_("The retainer must be a positive amount with at most 2 decimals."))


@dataclass(frozen=True)
class TemplateData:
    name: str
    language: str
    body: str
    fee_model: str
    practice_area: str = ""
    fee_amount: Decimal | None = None
    currency: str = "PLN"
    is_active: bool = True
    retainer_amount: Decimal | None = None


def engagement_template_save(
    *,
    actor: AtriumUser,
    meta: RequestMeta | None = None,
    template: EngagementTemplate | None,
    data: TemplateData,
) -> EngagementTemplate:
    """Create or change a template (firm admins only). A change to the text or the fee
    makes a new version; letters already made keep the text they were made from."""
    if not _is_admin(actor):
        raise ServiceError(_("Only firm admins change engagement letter templates."))
    try:
        letters.check_body(data.body)
    except letters.TemplateRefused as exc:
        raise ServiceError(str(exc)) from exc
    if data.fee_model not in EngagementTemplate.FeeModel.values:
        raise ServiceError(_("Choose a fee model from the list."))
    if data.fee_amount is not None and data.fee_amount < 0:
        raise ServiceError(_("The fee cannot be negative."))
    _check_retainer(data.retainer_amount)
    with transaction.atomic():
        if template is None:
            template = EngagementTemplate()
        else:
            template = EngagementTemplate.objects.select_for_update().get(pk=template.pk)
        content_changed = template._state.adding or (
            template.body != data.body
            or template.fee_amount != data.fee_amount
            or template.fee_model != data.fee_model
            or template.currency != data.currency
            or template.language != data.language
            or template.retainer_amount != data.retainer_amount
        )
        template.name = data.name.strip()
        template.language = data.language
        template.body = data.body
        template.fee_model = data.fee_model
        template.practice_area = data.practice_area.strip()
        template.fee_amount = data.fee_amount
        template.currency = data.currency.upper()
        template.retainer_amount = data.retainer_amount
        template.is_active = data.is_active
        if content_changed and not template._state.adding:
            template.version += 1
        template.updated_at = timezone.now()
        template.updated_by_id = actor.pk
        template.full_clean()
        template.save()
        audit_record(
            action=IntakeAction.ENGAGEMENT_TEMPLATE_SAVED,
            actor=actor,
            meta=meta,
            obj=template,
            data={"version": template.version, "language": template.language},
        )
    return template


# ---------------------------------------------------------------------------- letters


def _lawyer_name(lead: Lead, actor: AtriumUser) -> str:
    lawyer = lead.assigned_to or actor
    full = lawyer.get_full_name() if hasattr(lawyer, "get_full_name") else ""
    return str(full or getattr(lawyer, "email", ""))


def engagement_create(
    *,
    lead: Lead,
    template: EngagementTemplate,
    scope: str,
    fee_amount: Decimal | None,
    actor: AtriumUser,
    meta: RequestMeta | None = None,
    retainer_amount: Decimal | None = None,
) -> Engagement:
    """Make the letter (DRAFT): the template rendered over plain values, its PDF stored
    privately with its SHA-256. Nothing reaches the client until it is sent. A retainer
    (this letter's, else the template's) is paid after signing, before the lead is
    retained."""
    if not lead.is_open:
        raise ServiceError(_("This lead is closed; no letter can be made for it."))
    if not template.is_active:
        raise ServiceError(_("This template is no longer in use."))
    scope = scope.strip()
    if len(scope) > 500:
        raise ServiceError(_("Describe the scope in at most 500 characters."))
    if fee_amount is None:
        fee_amount = template.fee_amount
    if fee_amount is not None and fee_amount < 0:
        raise ServiceError(_("The fee cannot be negative."))
    if retainer_amount is None:
        retainer_amount = template.retainer_amount
    _check_retainer(retainer_amount)
    contact = lead.contact
    firm = portal_selectors.firm_get()
    values = letters.LetterValues(
        client_full_name=contact.full_name,
        client_first_name=contact.first_name,
        client_last_name=contact.last_name,
        client_email=contact.email,
        firm_name=firm.name,
        lawyer_full_name=_lawyer_name(lead, actor),
        scope=scope,
        practice_area=lead.practice_area,
        fee_amount=fee_amount,
        currency=template.currency,
        fee_model=template.fee_model,
        today=timezone.localdate(),
        expires=timezone.localdate() + dt.timedelta(days=DEFAULT_EXPIRY_DAYS),
        language=template.language,
        retainer_amount=retainer_amount,
    )
    try:
        text = letters.render_body(template.body, letters.context_for(values))
    except letters.TemplateRefused as exc:
        raise ServiceError(str(exc)) from exc
    with translation.override(template.language):
        title = _("Engagement letter")
    pdf = letters.letter_pdf(
        title=title, text=text, firm_name=firm.name, language=template.language
    )
    engagement = Engagement(
        lead=lead,
        contact=contact,
        template=template,
        template_version=template.version,
        language=template.language,
        title=title,
        body_text=text,
        scope=scope,
        fee_model=template.fee_model,
        fee_amount=fee_amount,
        currency=template.currency,
        retainer_amount=retainer_amount,
        document_sha256=letters.sha256(pdf),
        created_by_id=actor.pk,
    )
    engagement.pdf.save("letter.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            engagement.save()
            audit_record(
                action=IntakeAction.ENGAGEMENT_CREATED,
                actor=actor,
                meta=meta,
                obj=engagement,
                data={"lead": str(lead.pk), "template_version": template.version},
            )
    except IntegrityError as exc:
        _delete_file(engagement.pdf.name)
        raise ServiceError(
            _("This lead already has a letter in progress; withdraw it to make a new one.")
        ) from exc
    return engagement


def _delete_file(name: str | None) -> None:
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not remove an engagement file")


def _stored_sha256(engagement: Engagement, field: str = "pdf") -> str:
    file = getattr(engagement, field)
    with default_storage.open(file.name or "", "rb") as fh:
        return letters.sha256(fh.read())


def engagement_send(
    *,
    engagement: Engagement,
    actor: AtriumUser,
    meta: RequestMeta | None = None,
    expires_days: int = DEFAULT_EXPIRY_DAYS,
    without_consultation: bool = False,
) -> Engagement:
    """DRAFT → SENT; the lead moves to ENGAGEMENT_SENT. Refused while the lead's conflict
    check is out of date or not clear/cleared/waived. The client gets a content-free
    notice, and a portal invitation when they have no account yet."""
    if not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise ServiceError(
            _("A letter can stay open for 1 to %(n)d days.") % {"n": MAX_EXPIRY_DAYS}
        )
    with transaction.atomic():
        locked = Engagement.objects.select_for_update().select_related("lead").get(pk=engagement.pk)
        lead = Lead.objects.select_for_update().select_related("contact").get(pk=locked.lead_id)
        if locked.status != Engagement.Status.DRAFT:
            raise ServiceError(_("This letter was already sent or withdrawn."))
        if lead.conflict_state not in ConflictCheck.OK_STATES or not lead_check_is_current(lead):
            raise ServiceError(
                _(
                    "The conflict check must be current and clear, cleared or waived "
                    "before a letter is sent."
                )
            )
        if lead.status == Lead.Status.NEW and not without_consultation:
            raise ServiceError(
                _("This lead has had no consultation: tick “no consultation needed” to send.")
            )
        if lead.status not in (Lead.Status.NEW, Lead.Status.CONSULT_HELD):
            raise ServiceError(
                _("A letter is sent after the consultation (the lead is now: %(stage)s).")
                % {"stage": lead.get_status_display()}
            )
        if _stored_sha256(locked) != locked.document_sha256:
            raise ServiceError(_("The letter's file changed after it was made; make it again."))
        contact = lead.contact
        if contact.user_id is None and not contact.email:
            raise ServiceError(
                _("Add an email address to this contact: the letter is signed in the portal.")
            )
        now = timezone.now()
        updated = Engagement.objects.filter(pk=locked.pk, status=Engagement.Status.DRAFT).update(
            status=Engagement.Status.SENT,
            sent_at=now,
            sent_by_id=actor.pk,
            expires_at=now + dt.timedelta(days=expires_days),
        )
        if not updated:  # pragma: no cover - the row is locked above
            raise ServiceError(_("This letter was already sent or withdrawn."))
        lead_move(
            lead=lead,
            to=Lead.Status.ENGAGEMENT_SENT,
            by=actor,
            reason="no consultation needed" if lead.status == Lead.Status.NEW else "letter sent",
            allowed_from=(Lead.Status.NEW, Lead.Status.CONSULT_HELD),
        )
        invited = False
        if contact.user_id is None:
            portal_services.client_invite(actor=actor, meta=meta, contact=contact)  # type: ignore[arg-type]  # a portal User
            invited = True
        recipient = portal_selectors.contact_recipient(contact)
        notice_queue(
            event=ENGAGEMENT_SENT,
            channels=recipient.notice_channels(),
            recipient_id=contact.user_id,
            about=f"engagement:{locked.pk}",
        )
        audit_record(
            action=IntakeAction.ENGAGEMENT_SENT,
            actor=actor,
            meta=meta,
            obj=locked,
            data={"lead": str(lead.pk), "invited": invited, "expires_days": expires_days},
        )
    locked.refresh_from_db()
    return locked


def engagement_revoke(
    *, engagement: Engagement, actor: AtriumUser, meta: RequestMeta | None = None
) -> Engagement:
    """Staff withdraw a letter not yet signed (to correct and re-issue it). A lead waiting
    for the signature goes back to CONSULT_HELD."""
    with transaction.atomic():
        updated = Engagement.objects.filter(pk=engagement.pk, status__in=Engagement.OPEN).update(
            status=Engagement.Status.REVOKED, revoked_at=timezone.now()
        )
        if not updated:
            raise ServiceError(
                _("Only a letter that is not yet signed or closed can be withdrawn.")
            )
        lead = Lead.objects.get(pk=engagement.lead_id)
        lead_move(
            lead=lead,
            to=Lead.Status.CONSULT_HELD,
            by=actor,
            reason="letter withdrawn",
            allowed_from=(Lead.Status.ENGAGEMENT_SENT,),
        )
        audit_record(action=IntakeAction.ENGAGEMENT_REVOKED, actor=actor, meta=meta, obj=engagement)
    engagement.refresh_from_db()
    return engagement


def engagement_viewed(
    *, engagement: Engagement, user: AtriumUser, meta: RequestMeta | None = None
) -> Engagement:
    """The client opened the letter: SENT → VIEWED the first time (signing needs it)."""
    with transaction.atomic():
        updated = Engagement.objects.filter(pk=engagement.pk, status=Engagement.Status.SENT).update(
            status=Engagement.Status.VIEWED, viewed_at=timezone.now()
        )
        if updated:
            audit_record(
                action=IntakeAction.ENGAGEMENT_VIEWED, actor=user, meta=meta, obj=engagement
            )
    if updated:
        engagement.refresh_from_db()
    return engagement


def engagement_record_download(
    *, engagement: Engagement, user: AtriumUser, copy: str, meta: RequestMeta | None = None
) -> None:
    audit_record(
        action=IntakeAction.ENGAGEMENT_DOWNLOADED,
        actor=user,
        meta=meta,
        obj=engagement,
        matter_id=engagement.matter_id,
        data={"copy": copy},
    )


def _expire_if_due(engagement: Engagement, now: dt.datetime) -> bool:
    if engagement.status in Engagement.WITH_CLIENT and engagement.is_expired(now):
        if Engagement.objects.filter(pk=engagement.pk, status__in=Engagement.WITH_CLIENT).update(
            status=Engagement.Status.EXPIRED, expired_at=now
        ):
            audit_record(
                action=IntakeAction.ENGAGEMENT_EXPIRED,
                obj=engagement,
                actor_label="system",
            )
        return True
    return False


def engagements_expire(*, now: dt.datetime | None = None) -> int:
    """SENT or VIEWED letters past `expires_at` → EXPIRED (the daily sweep; idempotent)."""
    now = now or timezone.now()
    ids = list(
        Engagement.objects.filter(
            status__in=Engagement.WITH_CLIENT, expires_at__lte=now
        ).values_list("pk", flat=True)[:1000]
    )
    done = 0
    for engagement in Engagement.objects.filter(pk__in=ids):
        with transaction.atomic():
            done += _expire_if_due(engagement, now)
    return done


# ---------------------------------------------------------------------------- signing


def sign_statement(engagement: Engagement, language: str) -> str:
    """The exact sentence the client ticks, stored as the consent text."""
    with translation.override(language):
        return _(
            "I have read the engagement letter “%(title)s” of %(date)s (document "
            "%(hash)s) and I agree to it. I sign it electronically by typing my name."
        ) % {
            "title": engagement.title,
            "date": timezone.localtime(engagement.created_at).date().isoformat(),
            "hash": engagement.document_sha256[:12],
        }


def _name_tokens(value: str) -> list[str]:
    return sorted(re.findall(r"[a-z0-9]+", anyascii(value).casefold()))


def typed_name_matches(typed: str, full_name: str) -> bool:
    """Loosely: the same words in any order, with or without diacritics and case."""
    wanted = _name_tokens(full_name)
    return bool(wanted) and _name_tokens(typed) == wanted


@dataclass(frozen=True)
class Signature:
    typed_name: str
    agreed: bool
    shown_sha256: str
    language: str
    auth_method: str
    # The re-encoded PNG of the optional drawing (intake.signature_image), or None.
    drawn_png: bytes | None = None
    # A US firm's client ticked that they accept the ESIGN consumer disclosure.
    esign_accepted: bool = False


def _refuse(engagement: Engagement, user: AtriumUser, meta: RequestMeta | None, why: str) -> None:
    audit_record(
        action=IntakeAction.ENGAGEMENT_SIGN_REFUSED,
        actor=user,
        meta=meta,
        obj=engagement,
        data={"why": why},
    )


def _sign_problem(
    locked: Engagement, contact: Any, signature: Signature, now: dt.datetime
) -> tuple[str, str, bytes]:
    """(message for the client, reason to audit or "", the stored PDF) — no message: OK."""
    if locked.status == Engagement.Status.SIGNED:
        return _("You have already signed this letter."), "replayed", b""
    if _expire_if_due(locked, now) or locked.status == Engagement.Status.EXPIRED:
        return _("This letter has expired. Ask the firm to send a new one."), "", b""
    if locked.status in (Engagement.Status.DECLINED, Engagement.Status.REVOKED):
        return _("This letter can no longer be signed."), "", b""
    if locked.status != Engagement.Status.VIEWED:
        return _("Open and read the letter before signing it."), "", b""
    if not signature.agreed:
        return _("Tick the box to confirm you have read and agree to the letter."), "", b""
    if esign.required() and not signature.esign_accepted:
        return (
            _(
                "Read the disclosure on electronic records and signatures and tick that you "
                "agree to it before signing."
            ),
            "",
            b"",
        )
    if signature.drawn_png is not None and len(signature.drawn_png) > signature_image.MAX_BYTES:
        return _("The drawn signature is too large. Clear it and draw it again."), "", b""
    if not typed_name_matches(signature.typed_name, contact.full_name):
        return (
            _("Type your full name as the firm has it: %(name)s.") % {"name": contact.full_name},
            "",
            b"",
        )
    if signature.shown_sha256 != locked.document_sha256:
        return (
            _("The letter changed after you opened it. Reload the page and read it again."),
            "changed since shown",
            b"",
        )
    with default_storage.open(locked.pdf.name or "", "rb") as fh:
        original = fh.read()
    if letters.sha256(original) != locked.document_sha256:
        return (
            _(
                "This letter cannot be signed: its file is not the one sent to you. "
                "The firm has been told."
            ),
            "stored file changed",
            b"",
        )
    return "", "", original


def engagement_sign(
    *,
    engagement: Engagement,
    user: AtriumUser,
    signature: Signature,
    meta: RequestMeta | None = None,
) -> Engagement:
    """VIEWED → SIGNED by the client it was sent to, after every check of spec §6: opened
    first, not expired, the box ticked, the name typed, the hash the client was shown is
    the letter's, and the stored PDF still has that hash. Records the consent (the exact
    statement), the evidence, and the signed copy (PDF + certificate page)."""
    contact = portal_selectors.contact_for_user(user)
    if contact is None or contact.pk != engagement.contact_id:
        # The selector already refuses other people; this is the service's own guard.
        raise ServiceError(_("This letter is not addressed to you."))
    now = timezone.now()
    with transaction.atomic():
        locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
        problem, why, original = _sign_problem(locked, contact, signature, now)
    if problem:
        # Outside the transaction above: an expiry it recorded stays, and so does the
        # audit row of a refusal that points at tampering.
        if why:
            _refuse(locked, user, meta, why)
        raise ServiceError(problem)
    # The refusals above are committed (their audit rows stay); the signature itself is
    # one transaction of its own.
    statement = sign_statement(locked, signature.language)
    signed_file = ""
    try:
        with transaction.atomic():
            locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
            if locked.status != Engagement.Status.VIEWED:
                raise ServiceError(_("You have already signed this letter."))
            consent = portal_services.consent_record(
                contact_id=contact.pk,
                context_key=f"engagement:{locked.pk}",
                purpose="esign_disclosure",
                lawful_basis="contract",
                text=statement,
                text_version=SIGN_STATEMENT_VERSION,
                language=signature.language,
                channel="portal",
                meta=meta,
                actor=user,
            )
            esign_consent = None
            if esign.required():
                esign_consent = portal_services.consent_record(
                    contact_id=contact.pk,
                    context_key=f"engagement:{locked.pk}",
                    purpose="esign_disclosure",
                    lawful_basis="consent",
                    text=esign.consent_text(signature.language),
                    text_version=esign.TEXT_VERSION,
                    language=signature.language,
                    channel="portal",
                    meta=meta,
                    actor=user,
                )
            drawn = signature.drawn_png
            trail = [
                (_("Letter made"), locked.created_at),
                (_("Sent to the client"), locked.sent_at or locked.created_at),
                (_("Opened by the client"), locked.viewed_at or now),
                (_("Signed"), now),
            ]
            signed = letters.signed_copy(
                original,
                letters.Certificate(
                    signer=contact.full_name,
                    email=contact.email or getattr(user, "email", ""),
                    typed_name=signature.typed_name.strip()[:200],
                    signed_at=now,
                    time_zone=contact.time_zone or "UTC",
                    ip=meta.ip or "" if meta is not None else "",
                    user_agent=meta.user_agent if meta is not None else "",
                    auth_method=signature.auth_method,
                    document_sha256=locked.document_sha256,
                    consent_text=statement,
                    trail=trail,
                    language=signature.language,
                    title=locked.title,
                    firm_name=portal_selectors.firm_get().name,
                    drawn_png_url=signature_image.png_data_url(drawn) if drawn else "",
                    esign_accepted_at=esign_consent.given_at if esign_consent else None,
                ),
            )
            locked.signed_pdf.save("signed.pdf", ContentFile(signed), save=False)
            signed_file = locked.signed_pdf.name or ""
            signed_sha = letters.sha256(signed)
            retainer = _retainer_issue(locked, contact, meta=meta)
            updated = Engagement.objects.filter(
                pk=locked.pk, status=Engagement.Status.VIEWED
            ).update(
                status=Engagement.Status.SIGNED,
                signed_at=now,
                signed_pdf=signed_file,
                signed_sha256=signed_sha,
                retainer_invoice=retainer,
            )
            if not updated:  # pragma: no cover - the row is locked above
                raise ServiceError(_("You have already signed this letter."))
            SignatureEvidence.objects.create(
                engagement=locked,
                signer=contact,
                signer_user_id=user.pk,
                auth_method=signature.auth_method[:40],
                typed_name=signature.typed_name.strip()[:200],
                consent=consent,
                drawn_png=drawn,
                drawn_sha256=letters.sha256(drawn) if drawn else "",
                esign_consent=esign_consent,
                ip=meta.ip if meta is not None else None,
                user_agent=(meta.user_agent if meta is not None else "")[:300],
                signed_at=now,
                document_sha256=locked.document_sha256,
                signed_sha256=signed_sha,
            )
            audit_record(
                action=IntakeAction.ENGAGEMENT_SIGNED,
                actor=user,
                meta=meta,
                obj=locked,
                data={
                    "sha256": locked.document_sha256,
                    "auth": signature.auth_method[:40],
                    "drawn": drawn is not None,
                    "esign_disclosure": esign_consent is not None,
                    "retainer_invoice": str(retainer.pk) if retainer is not None else "",
                },
            )
    except Exception:
        _delete_file(signed_file)
        raise
    locked.refresh_from_db()
    return locked


MAX_DECLINE_REASON = 1000


def _decline_notice_recipients(engagement: Engagement, lead: Lead) -> list[Any]:
    """Who hears of a declined letter: the lead's responsible staff member and whoever
    sent the letter, if they are still active and may open the lead; else the firm
    admins."""
    wanted = [pk for pk in (lead.assigned_to_id, engagement.sent_by_id) if pk is not None]
    people = [
        u
        for u in portal_selectors.staff_with(ids=[]).filter(pk__in=wanted)
        if leads_for_staff(user=u).filter(pk=lead.pk).exists()
    ]
    if not people:
        people = [u for u in portal_selectors.staff_with(ids=[]) if u.is_firm_admin]
    return sorted(people, key=lambda u: str(u.pk))


def firm_staff_acting_for(lead: Lead, *, contact_id: Any, first: list[Any]) -> Any:
    """Whom the system acts for when a client's step needs a staff action (issuing the
    retainer at the signature, retaining the lead once it is paid): the first of these
    people still active who may see the contact, else a firm admin; None if nobody."""
    wanted = [pk for pk in first if pk is not None]
    staff = {u.pk: u for u in portal_selectors.staff_with(ids=[]).filter(pk__in=wanted)}
    for pk in wanted:
        person = staff.get(pk)
        if person is not None and (
            portal_selectors.contacts_visible_to(person).filter(pk=contact_id).exists()
        ):
            return person
    admins = [u for u in portal_selectors.staff_with(ids=[]).order_by("pk") if u.is_firm_admin]
    return admins[0] if admins else None


def _retainer_issue(engagement: Engagement, contact: Any, *, meta: RequestMeta | None) -> Any:
    """The retainer of a letter that asks for one, issued to the client at the signature
    as a payment request (billing), so the client pays it online right away or the firm
    records the payment; None for a letter without a retainer."""
    if engagement.retainer_amount is None:
        return None
    lead = Lead.objects.get(pk=engagement.lead_id)
    issuer = firm_staff_acting_for(
        lead, contact_id=contact.pk, first=[engagement.sent_by_id, lead.assigned_to_id]
    )
    if issuer is None:
        raise ServiceError(_("The firm cannot take the retainer right now; please try later."))
    with translation.override(contact.language or engagement.language):
        description = _("Retainer under the engagement letter of %(date)s") % {
            "date": timezone.localtime(engagement.created_at).date().isoformat()
        }
    due = timezone.localdate() + dt.timedelta(
        days=max(1, billing_selectors.billing_settings_get().default_terms_days or 7)
    )
    draft = billing_services.invoice_draft_create(
        actor=issuer,
        meta=meta,
        data=billing_services.DraftInput(
            contact_id=contact.pk,
            due_date=due,
            currency=engagement.currency,
            lines=[
                billing_services.LineInput(
                    description=description,
                    quantity=Decimal("1"),
                    unit_price=engagement.retainer_amount,
                )
            ],
        ),
    )
    return billing_services.invoice_issue(actor=issuer, meta=meta, invoice_id=draft.pk)


def engagement_decline(
    *,
    engagement: Engagement,
    user: AtriumUser,
    reason: str = "",
    meta: RequestMeta | None = None,
) -> Engagement:
    """The client declines the letter (SENT or VIEWED → DECLINED), saying why if they
    wish. The lead stays where it is: staff decide whether to re-issue, decline or mark it
    lost; its responsible staff (or the firm admins) get a content-free notice."""
    contact = portal_selectors.contact_for_user(user)
    if contact is None or contact.pk != engagement.contact_id:
        raise ServiceError(_("This letter is not addressed to you."))
    reason = (reason or "").strip()
    if len(reason) > MAX_DECLINE_REASON:
        raise ServiceError(_("Say why in at most %(n)d characters.") % {"n": MAX_DECLINE_REASON})
    try:
        validate_plain_text(reason)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        if _expire_if_due(engagement, timezone.now()):
            raise ServiceError(_("This letter has expired. Ask the firm to send a new one."))
        updated = Engagement.objects.filter(
            pk=engagement.pk, status__in=Engagement.WITH_CLIENT
        ).update(
            status=Engagement.Status.DECLINED,
            declined_at=timezone.now(),
            declined_reason=reason,
        )
        if not updated:
            raise ServiceError(_("This letter can no longer be declined."))
        engagement.refresh_from_db()
        lead = Lead.objects.get(pk=engagement.lead_id)
        for person in _decline_notice_recipients(engagement, lead):
            notice_queue(
                event=ENGAGEMENT_DECLINED_STAFF,
                channels=["email"],
                recipient_id=person.pk,
                about=f"engagement:{engagement.pk}",
            )
        audit_record(
            action=IntakeAction.ENGAGEMENT_DECLINED,
            actor=user,
            meta=meta,
            obj=engagement,
            data={"lead": str(lead.pk), "reason_given": bool(reason)},
        )
    return engagement


def engagement_client_url(engagement: Engagement) -> str:
    return reverse("intake:portal-engagement", args=[engagement.pk])


def auth_method_from_session(methods: Any) -> str:
    """How the client signed in, from allauth's session records (password, code, mfa…)."""
    names: list[str] = []
    if isinstance(methods, list):
        for record in methods:
            if isinstance(record, dict):
                name = str(record.get("method", ""))
                kind = record.get("type")
                label = f"{name}:{kind}" if kind else name
                if label and label not in names:
                    names.append(label)
    return "+".join(names) or "session"
