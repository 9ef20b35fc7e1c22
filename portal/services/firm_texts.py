"""Writes of the firm's own wording (FirmText), per language."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from core.languages import CODES
from portal.audit_actions import PortalAction
from portal.models import FirmText, User
from portal.selectors.firm_texts import firm_text_default


def firm_text_save(
    *, actor: User, meta: RequestMeta | None = None, key: str, texts: dict[str, str]
) -> list[str]:
    """Store the firm's wording for each language given; a text left empty, or equal to
    Atrium's own, goes back to Atrium's own. Returns the languages that changed."""
    if key not in FirmText.Key.values:
        raise ServiceError(_("Choose a text from the list."))
    changed: list[str] = []
    with transaction.atomic():
        for language, raw in texts.items():
            if language not in CODES:
                continue
            text = raw.replace("\r\n", "\n").strip()
            row = FirmText.objects.select_for_update().filter(key=key, language=language).first()
            if not text or text == firm_text_default(key=key, language=language).strip():
                if row is not None:
                    row.delete()
                    changed.append(language)
                continue
            if row is not None and row.text == text:
                continue
            row = row or FirmText(key=key, language=language)
            row.text = text
            row.updated_by = actor
            try:
                row.full_clean()
            except ValidationError as exc:
                raise ServiceError(" ".join(exc.messages)) from exc
            row.save()
            changed.append(language)
        if changed:
            audit_record(
                action=PortalAction.FIRM_TEXT_UPDATED,
                actor=actor,
                meta=meta,
                data={"key": key, "languages": changed},
            )
    return changed
