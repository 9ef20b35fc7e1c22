"""The privacy notice: publishing it (firm admins), and the evidence that a prospect was
shown it, or ticked an optional consent, on an intake form (spec intake.md §7)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import AtriumUser, RequestMeta
from core.languages import CODES
from core.validators import validate_no_control_chars, validate_no_markup
from intake import privacy, schema
from intake.audit_actions import IntakeAction
from intake.models import IntakeFormVersion, Lead, PrivacyNotice
from portal import services as portal_services

if TYPE_CHECKING:
    from portal.models import ConsentRecord

MAX_NOTICE = 20000


def privacy_notice_publish(
    *, actor: AtriumUser, language: str, text: str, meta: RequestMeta | None = None
) -> PrivacyNotice:
    """A new version of the notice in `language` (earlier versions stay as evidence)."""
    if not actor.is_firm_admin:
        raise ServiceError(_("Only firm administrators can publish the privacy notice."))
    if language not in CODES:
        raise ServiceError(_("Choose a language."))
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ServiceError(_("Write the notice before publishing it."))
    if len(text) > MAX_NOTICE:
        raise ServiceError(_("The notice is longer than %(n)d characters.") % {"n": MAX_NOTICE})
    try:
        validate_no_markup(text)
        for line in text.split("\n"):
            validate_no_control_chars(line)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages)) from exc
    try:
        with transaction.atomic():
            latest = PrivacyNotice.objects.filter(language=language).aggregate(n=Max("version"))
            notice = PrivacyNotice.objects.create(
                language=language,
                version=(latest["n"] or 0) + 1,
                text=text,
                published_at=timezone.now(),
                published_by_id=actor.pk,
            )
            audit_record(
                action=IntakeAction.PRIVACY_NOTICE_PUBLISHED,
                actor=actor,
                meta=meta,
                obj=notice,
                data={"language": language, "version": notice.version},
            )
    except IntegrityError as exc:  # two admins published at the same moment
        raise ServiceError(_("Someone published a version just now. Please try again.")) from exc
    return notice


def privacy_shown_record(
    *,
    contact_id: Any,
    lead: Lead,
    language: str,
    version: str,
    channel: str,
    meta: RequestMeta | None,
) -> ConsentRecord:
    """PRIVACY_NOTICE_SHOWN with the exact short text and the notice version: evidence
    of information (Art. 13), not a consent (the basis is the steps before a contract)."""
    return portal_services.consent_record(
        contact_id=contact_id,
        context_key=f"lead:{lead.pk}",
        purpose="privacy_notice_shown",
        lawful_basis="contract",
        text=privacy.shown_text(language),
        text_version=version,
        language=language,
        channel=channel,
        meta=meta,
    )


def form_consents_record(
    *,
    contact_id: Any,
    lead: Lead,
    version: IntakeFormVersion,
    answers: dict[str, Any],
    language: str,
    channel: str,
    meta: RequestMeta | None,
) -> list[ConsentRecord]:
    """One ConsentRecord per ticked `consent` question, with its label as shown."""
    records = []
    for f in version.fields:
        if f.get("type") != "consent" or answers.get(str(f.get("key", ""))) is not True:
            continue
        purpose = str(f.get("purpose") or schema.CONSENT_PURPOSES[0])
        records.append(
            portal_services.consent_record(
                contact_id=contact_id,
                context_key=f"lead:{lead.pk}",
                purpose=purpose,
                lawful_basis="consent",
                text=schema.text_in(f.get("label"), language),
                text_version=f"form-{version.form_id.hex[:8]}-v{version.n}-{f['key']}"[:40],
                language=language,
                channel=channel,
                meta=meta,
            )
        )
    return records
