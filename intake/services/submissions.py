"""Answers: autosaved drafts and submissions that land on a contact and a lead."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from intake import schema, selectors
from intake.audit_actions import IntakeAction
from intake.models import ConflictCheck, IntakeDraft, IntakeFile, IntakeSubmission, Lead
from intake.services import conflicts
from intake.services.privacy import form_consents_record, privacy_shown_record
from portal import services as portal_services

# What a public POST may carry at most (files excluded), spec §9.
MAX_BODY = 64 * 1024


@dataclass
class SubmitResult:
    cleaned: schema.Cleaned
    submission: IntakeSubmission | None = None


def ip_prefix(ip: str | None) -> str:
    """An address cut to its network (/24, /48): enough for abuse, not a person."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def draft_stage(draft: IntakeDraft) -> int | None:
    """Which questions a draft asks now: a client of the firm answers every stage at
    once; anyone else answers stage 1 (stage 2 opens after the conflict check)."""
    if draft.stage == 2:
        lead = draft.lead
        if lead is None or lead.conflict_state not in ConflictCheck.OK_STATES:
            raise ServiceError(_("These questions open once we have checked for conflicts."))
        return 2
    contact = draft.contact
    if contact is not None and contact.is_client:
        return None
    return 1


def draft_autosave(*, draft: IntakeDraft, data: Any, region: str = "PL") -> schema.Cleaned:
    """Keep what the person typed so far (even if not yet valid), nothing else."""
    if draft.submitted_at is not None:
        raise ServiceError(_("This form was already sent. Thank you."))
    cleaned = schema.clean_answers(
        draft.form_version.fields, data, stage=draft_stage(draft), region=region, require=False
    )
    IntakeDraft.objects.filter(pk=draft.pk, submitted_at__isnull=True).update(
        answers=cleaned.typed, updated_at=timezone.now()
    )
    draft.answers = cleaned.typed
    return cleaned


# At most this many files per question (the portal allows as many per upload).
MAX_FILES_PER_QUESTION = 5


def _file_uploads(
    *,
    fields: list[dict[str, Any]],
    stage: int | None,
    cleaned: schema.Cleaned,
    files: Any,
    draft: IntakeDraft,
) -> dict[str, list[tuple[Any, str, str, str]]]:
    """The checked uploads per visible file question of this stage; errors go into
    `cleaned.errors` (nothing is stored then). Files sent for hidden questions or for
    questions of another stage are dropped unread."""
    checked: dict[str, list[tuple[Any, str, str, str]]] = {}
    for f in fields:
        if f.get("type") != "file":
            continue
        if stage is not None and f.get("stage", 1) != stage:
            continue
        if not schema.condition_holds(f.get("visible_if"), cleaned.answers):
            continue
        key = str(f.get("key", ""))
        uploads = [u for u in (files.getlist(key) if files is not None else []) if u]
        if not uploads:
            if (
                f.get("required")
                and not IntakeFile.objects.filter(draft=draft, field_key=key).exists()
            ):
                cleaned.errors[key] = [_("Please attach a file.")]
            continue
        if len(uploads) > MAX_FILES_PER_QUESTION:
            cleaned.errors[key] = [
                _("Attach at most %(n)d files here.") % {"n": MAX_FILES_PER_QUESTION}
            ]
            continue
        try:
            checked[key] = portal_services.uploads_check(uploads)
        except ServiceError as exc:
            cleaned.errors[key] = [str(exc)]
    return checked


def _files_store(
    *,
    draft: IntakeDraft,
    submission: IntakeSubmission,
    checked: dict[str, list[tuple[Any, str, str, str]]],
) -> None:
    stored: list[str] = []
    try:
        for key, uploads in checked.items():
            names = []
            for upload, name, content_type, scan_status in uploads:
                row = IntakeFile(
                    draft=draft,
                    submission=submission,
                    lead=submission.lead,
                    field_key=key,
                    name=name,
                    content_type=content_type,
                    size=upload.size or 0,
                    sha256=portal_services.upload_sha256(upload),
                    scan_status=scan_status,
                )
                row.file.save(name, upload, save=False)
                stored.append(row.file.name or "")
                row.save()
                names.append(name)
            submission.answers[key] = names
    except Exception:
        storage = IntakeFile._meta.get_field("file").storage
        for name in stored:  # the transaction rolls back: leave no file behind
            storage.delete(name)
        raise
    if checked:
        IntakeSubmission.objects.filter(pk=submission.pk).update(answers=submission.answers)


def _mapped(fields: list[dict[str, Any]], answers: dict[str, Any], target: str) -> Any:
    for f in fields:
        if f.get("maps_to") == target and f.get("key") in answers:
            return answers[f["key"]]
    return None


def _contact_for(draft: IntakeDraft, fields: list[dict[str, Any]], answers: dict[str, Any]) -> Any:
    if draft.contact is not None:
        return draft.contact
    first = _mapped(fields, answers, "contact.first_name") or ""
    last = _mapped(fields, answers, "contact.last_name") or ""
    email = _mapped(fields, answers, "contact.email") or ""
    phone = _mapped(fields, answers, "contact.phone") or ""
    if not (first or last) or not (email or phone):
        raise ServiceError(_("We need your name and an email address or phone number."))
    contact, _created = portal_services.contact_for_intake(
        first_name=str(first)[:80],
        last_name=str(last)[:80],
        email=str(email),
        phone=str(phone),
        language=draft.language,
    )
    return contact


def _lead_for(
    *, contact: Any, draft: IntakeDraft, fields: list[dict[str, Any]], answers: dict[str, Any]
) -> Lead:
    """The contact's open lead (a second inquiry joins it), else a new one."""
    lead = (
        Lead.objects.select_for_update()
        .filter(contact=contact)
        .exclude(status__in=Lead.TERMINAL)
        .order_by("-created_at")
        .first()
    )
    if lead is None:
        returning = Lead.objects.filter(contact=contact).exists() or contact.is_client
        source = draft.source if draft.source in Lead.Source.values else ""
        lead = Lead.objects.create(
            contact=contact,
            source=Lead.Source.RETURNING if returning else (source or Lead.Source.WEBSITE),
            interested_service_id=draft.service_id,
        )
        audit_record(action=IntakeAction.LEAD_CREATED, obj=lead, data={"source": lead.source})
    changed: list[str] = []
    area = _mapped(fields, answers, "lead.practice_area")
    if area and not lead.practice_area:
        lead.practice_area = str(area)[:80]
        changed.append("practice_area")
    deadline = _mapped(fields, answers, "lead.urgent_deadline")
    if deadline:
        lead.urgent_deadline = deadline
        changed.append("urgent_deadline")
    if changed:
        lead.save(update_fields=changed)
    return lead


def intake_submit(
    *,
    draft: IntakeDraft,
    data: Any,
    meta: RequestMeta | None = None,
    region: str = "PL",
    language: str = "",
    privacy_version: str = "",
    files: Any = None,
) -> SubmitResult:
    """Send the answers: visible fields only, validated on the server. On an error nothing
    is stored except the typed values on the draft (so the page keeps every word).

    Creates or reuses the contact (matched by email or phone, never changed by a public
    form), joins or creates the lead, and stores the submission with its form version.
    Sending twice stores one submission.

    The page showed the short privacy notice in `language` linking to the notice version
    `privacy_version`: that is recorded word for word (PRIVACY_NOTICE_SHOWN), with a
    consent record for each optional consent ticked.
    """
    with transaction.atomic():
        locked = (
            # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the
            # contact and lead joins; only the draft row needs the lock.
            IntakeDraft.objects.select_for_update(of=("self",))
            .select_related("form_version__form", "contact", "lead")
            .get(pk=draft.pk)
        )
        if locked.submitted_at is not None:
            done = IntakeSubmission.objects.filter(draft=locked).first()
            return SubmitResult(cleaned=schema.Cleaned(), submission=done)
        fields = locked.form_version.fields
        cleaned = schema.clean_answers(fields, data, stage=draft_stage(locked), region=region)
        uploads = _file_uploads(
            fields=fields, stage=draft_stage(locked), cleaned=cleaned, files=files, draft=locked
        )
        if not cleaned.ok:
            IntakeDraft.objects.filter(pk=locked.pk).update(
                answers=cleaned.typed, updated_at=timezone.now()
            )
            return SubmitResult(cleaned=cleaned)
        contact = _contact_for(locked, fields, cleaned.answers)
        if locked.lead is not None:
            lead = locked.lead
        else:
            lead = _lead_for(contact=contact, draft=locked, fields=fields, answers=cleaned.answers)
        submission = IntakeSubmission.objects.create(
            lead=lead,
            contact=contact,
            matter_id=lead.matter_id,
            form_version=locked.form_version,
            draft=locked,
            stage=draft_stage(locked) or 2,
            answers=cleaned.answers,
            language=locked.language,
            booking_ref=locked.booking_ref,
            ip_prefix=ip_prefix(meta.ip if meta else None),
            user_agent=(meta.user_agent if meta else "")[:300],
        )
        if uploads:
            _files_store(draft=locked, submission=submission, checked=uploads)
        shown = language if language in schema.LANGUAGES else locked.language
        known = selectors.privacy_notice_versions_known(language=shown)
        channel = "booking" if locked.booking_ref else "web_form"
        privacy_shown_record(
            contact_id=contact.pk,
            lead=lead,
            language=shown,
            version=(
                privacy_version
                if privacy_version in known
                else selectors.privacy_notice_version(language=shown)
            ),
            channel=channel,
            meta=meta,
        )
        form_consents_record(
            contact_id=contact.pk,
            lead=lead,
            version=locked.form_version,
            answers=cleaned.answers,
            language=shown,
            channel=channel,
            meta=meta,
        )
        now = timezone.now()
        if submission.stage == 1:
            # The conflict check runs now, in this request: a paid booking needs its result
            # before any payment (spec §3).
            Lead.objects.filter(pk=lead.pk).update(parties_changed_at=now)
            lead.parties_changed_at = now
            conflicts.index_lead(lead)
            conflicts.conflict_check_lead(lead=lead, meta=meta)
        IntakeDraft.objects.filter(pk=locked.pk).update(
            submitted_at=now, updated_at=now, answers={}, contact=contact
        )
        draft.submitted_at = now
        draft.contact = contact
        audit_record(
            action=IntakeAction.SUBMITTED,
            meta=meta,
            obj=submission,
            data={
                "form": locked.form_version.form.slug,
                "version": locked.form_version.n,
                "lead": str(lead.pk),
            },
        )
    return SubmitResult(cleaned=cleaned, submission=submission)


def intake_file_download_record(
    *, actor: Any, meta: RequestMeta | None = None, intake_file: IntakeFile
) -> None:
    """Every download of a prospect's file is in the audit log; a file the antivirus
    could not check yet is not handed out."""
    if intake_file.scan_status == "quarantined":
        raise ServiceError(_("This file is waiting for the virus check and cannot be opened yet."))
    audit_record(
        action=IntakeAction.FILE_DOWNLOADED,
        actor=actor,
        meta=meta,
        obj=intake_file,
        data={"lead": str(intake_file.lead_id or ""), "name": intake_file.name},
    )
