"""Recording and withdrawing consents (append-only evidence, see portal.models.consents)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import USER_AGENT_MAX, AtriumUser, RequestMeta
from core.languages import CODES
from portal.audit_actions import PortalAction
from portal.models import ConsentRecord, Contact


def consent_text_sha256(text: str) -> str:
    """The SHA-256 of exactly the text shown (UTF-8, nothing trimmed or normalised)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _choice(value: str, choices: Any, what: str) -> str:
    if value not in choices.values:
        raise ValueError(f"unknown consent {what} {value!r}")
    return value


def consent_record(
    *,
    contact_id: uuid.UUID | str | None,
    context_key: str,
    purpose: str,
    lawful_basis: str,
    text: str,
    text_version: str,
    language: str,
    channel: str,
    meta: RequestMeta | None,
    actor: AtriumUser | None = None,
) -> ConsentRecord:
    """Store one consent with the exact text the person was shown and its SHA-256.

    `contact_id` may be None before there is a contact (a prospect's form); then
    `context_key` names what it is about (`lead:<uuid>`, `appointment:<uuid>`).
    Purposes, bases and channels come from code, so an unknown one is a bug (ValueError).
    """
    _choice(purpose, ConsentRecord.Purpose, "purpose")
    _choice(lawful_basis, ConsentRecord.LawfulBasis, "lawful basis")
    _choice(channel, ConsentRecord.Channel, "channel")
    if language not in CODES:
        raise ValueError(f"unknown language {language!r}")
    if not text or not text.strip():
        raise ValueError("a consent needs the text that was shown")
    if not text_version or len(text_version) > 40:
        raise ValueError("a consent needs a text version of 1 to 40 characters")
    if len(context_key) > 100:
        raise ValueError("context_key has at most 100 characters")
    if contact_id is None and not context_key:
        raise ValueError("a consent names a contact or a context_key")
    with transaction.atomic():
        if contact_id is not None and not Contact.objects.filter(pk=contact_id).exists():
            raise ServiceError(_("This person is no longer on file."))
        record = ConsentRecord.objects.create(
            contact_id=contact_id,
            context_key=context_key,
            purpose=purpose,
            lawful_basis=lawful_basis,
            text=text,
            text_version=text_version,
            text_sha256=consent_text_sha256(text),
            language=language,
            channel=channel,
            ip=meta.ip if meta is not None else None,
            user_agent=(meta.user_agent if meta is not None else "")[:USER_AGENT_MAX],
        )
        audit_record(
            action=PortalAction.CONSENT_GIVEN,
            actor=actor,
            meta=meta,
            obj=record,
            data={
                "purpose": purpose,
                "channel": channel,
                "version": text_version,
                "about": context_key,
            },
        )
    return record


def consent_withdraw(
    *,
    consent_id: uuid.UUID | str,
    channel: str,
    actor: AtriumUser | None,
    meta: RequestMeta | None,
) -> ConsentRecord:
    """Record that a consent was withdrawn (once; the record itself stays as it was)."""
    _choice(channel, ConsentRecord.Channel, "channel")
    now = timezone.now()
    with transaction.atomic():
        changed = ConsentRecord.objects.filter(pk=consent_id, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_channel=channel
        )
        record = ConsentRecord.objects.filter(pk=consent_id).first()
        if record is None:
            raise ServiceError(_("There is no such consent."))
        if not changed:
            raise ServiceError(_("This consent was already withdrawn."))
        audit_record(
            action=PortalAction.CONSENT_WITHDRAWN,
            actor=actor,
            meta=meta,
            obj=record,
            data={"purpose": record.purpose, "channel": channel},
        )
    return record


def sms_consent_give(
    *,
    contact: Contact,
    phone: str,
    text: str,
    text_version: str,
    language: str,
    channel: str,
    meta: RequestMeta | None,
    actor: AtriumUser | None = None,
) -> ConsentRecord | None:
    """The person agreed to SMS (a booking form's tick box): the consent word for word,
    and the contact's SMS flag, so reminders go by SMS as well.

    Only for the number on file: a public booker matched by email neither points an
    existing contact's texts to another phone nor gives a contact without one a first
    number (nothing is stored then; the booking keeps what was typed). A new prospect's
    number is on file from the booking that created it.
    """
    given = str(phone or "")
    current = str(contact.phone or "")
    if not given or current != given:
        return None
    with transaction.atomic():
        record = consent_record(
            contact_id=contact.pk,
            context_key="",
            purpose=ConsentRecord.Purpose.SMS,
            lawful_basis=ConsentRecord.LawfulBasis.CONSENT,
            text=text,
            text_version=text_version,
            language=language if language in CODES else "en",
            channel=channel,
            meta=meta,
            actor=actor,
        )
        contact.sms_consent = True
        contact.save(update_fields=["sms_consent"])
    return record
