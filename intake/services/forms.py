"""Building intake forms: versions, questions, publishing, services, sending."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import AtriumUser, RequestMeta
from intake import schema
from intake.audit_actions import IntakeAction
from intake.models import IntakeDraft, IntakeForm, IntakeFormVersion, ServiceIntake
from intake.notice_texts import FORM_LINK
from notifications.outbox import object_key
from notifications.services import notice_queue

MAX_SCHEMA_BYTES = 64 * 1024


def schema_sha256(value: Any) -> str:
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _require_admin(actor: AtriumUser) -> None:
    if not actor.is_firm_admin:
        raise ServiceError(_("Only firm administrators can change intake forms."))


def form_create(
    *,
    actor: AtriumUser,
    name: str,
    purpose: str = IntakeForm.Purpose.BOOKING,
    practice_area: str = "",
    fields: list[dict[str, Any]] | None = None,
    slug: str = "",
    meta: RequestMeta | None = None,
) -> IntakeForm:
    """A new form with a first draft version (empty, or the given questions)."""
    _require_admin(actor)
    with transaction.atomic():
        base = slugify(slug or name)[:60] or "form"
        candidate, n = base, 1
        while IntakeForm.objects.filter(slug=candidate).exists():
            n += 1
            candidate = f"{base}-{n}"
        form = IntakeForm(name=name, slug=candidate, purpose=purpose, practice_area=practice_area)
        form.full_clean()
        form.save()
        body = {"fields": fields or []}
        IntakeFormVersion.objects.create(
            form=form, n=1, schema=body, schema_sha256=schema_sha256(body)
        )
        audit_record(action=IntakeAction.FORM_CREATED, actor=actor, meta=meta, obj=form)
    return form


def _draft_version(form: IntakeForm) -> IntakeFormVersion:
    """The form's draft, made from the published version when there is none (locked)."""
    IntakeForm.objects.select_for_update().filter(pk=form.pk).first()
    draft = form.versions.filter(status=IntakeFormVersion.Status.DRAFT).first()
    if draft is not None:
        return draft
    latest = form.versions.order_by("-n").first()
    body = latest.schema if latest is not None else {"fields": []}
    return IntakeFormVersion.objects.create(
        form=form,
        n=(latest.n + 1) if latest else 1,
        schema=body,
        schema_sha256=schema_sha256(body),
    )


def form_schema_save(
    *,
    form: IntakeForm,
    body: Any,
    actor: AtriumUser,
    meta: RequestMeta | None = None,
) -> IntakeFormVersion:
    """Replace the questions of the form's draft (a published version is never changed)."""
    _require_admin(actor)
    if not isinstance(body, dict) or not isinstance(body.get("fields"), list):
        raise ServiceError(_("A form needs a list of questions."))
    if len(json.dumps(body, ensure_ascii=False).encode()) > MAX_SCHEMA_BYTES:
        raise ServiceError(_("This form is too large."))
    with transaction.atomic():
        draft = _draft_version(form)
        draft.schema = body
        draft.schema_sha256 = schema_sha256(body)
        draft.save(update_fields=["schema", "schema_sha256"])
        audit_record(
            action=IntakeAction.FORM_CHANGED,
            actor=actor,
            meta=meta,
            obj=form,
            data={"version": draft.n},
        )
    return draft


def form_field_save(
    *,
    form: IntakeForm,
    field: dict[str, Any],
    replace_key: str = "",
    actor: AtriumUser,
    meta: RequestMeta | None = None,
) -> IntakeFormVersion:
    """Add a question at the end, or replace the one with `replace_key` in place."""
    with transaction.atomic():
        draft = _draft_version(form)
        fields = list(draft.fields)
        keys = [f.get("key") for f in fields]
        if replace_key:
            if replace_key not in keys:
                raise ServiceError(_("This question is no longer in the form."))
            if field["key"] != replace_key and field["key"] in keys:
                raise ServiceError(_("The key “%(key)s” is used twice.") % {"key": field["key"]})
            fields[keys.index(replace_key)] = field
        else:
            if field["key"] in keys:
                raise ServiceError(_("The key “%(key)s” is used twice.") % {"key": field["key"]})
            fields.append(field)
        return form_schema_save(form=form, body={"fields": fields}, actor=actor, meta=meta)


def form_field_remove(
    *, form: IntakeForm, key: str, actor: AtriumUser, meta: RequestMeta | None = None
) -> IntakeFormVersion:
    with transaction.atomic():
        draft = _draft_version(form)
        fields = [f for f in draft.fields if f.get("key") != key]
        return form_schema_save(form=form, body={"fields": fields}, actor=actor, meta=meta)


def form_field_move(
    *, form: IntakeForm, key: str, up: bool, actor: AtriumUser, meta: RequestMeta | None = None
) -> IntakeFormVersion:
    with transaction.atomic():
        draft = _draft_version(form)
        fields = list(draft.fields)
        keys = [f.get("key") for f in fields]
        if key in keys:
            i = keys.index(key)
            j = i - 1 if up else i + 1
            if 0 <= j < len(fields):
                fields[i], fields[j] = fields[j], fields[i]
        return form_schema_save(form=form, body={"fields": fields}, actor=actor, meta=meta)


def form_publish(
    *, form: IntakeForm, actor: AtriumUser, meta: RequestMeta | None = None
) -> IntakeFormVersion:
    """DRAFT → PUBLISHED once the schema passes every publish check; the version it
    replaces is RETIRED (drafts in progress on it still finish on it)."""
    _require_admin(actor)
    with transaction.atomic():
        IntakeForm.objects.select_for_update().filter(pk=form.pk).first()
        draft = form.versions.filter(status=IntakeFormVersion.Status.DRAFT).first()
        if draft is None:
            raise ServiceError(_("There are no changes to publish."))
        try:
            schema.validate_schema(draft.schema)
        except schema.SchemaError as exc:
            raise ServiceError(" ".join(exc.problems)) from exc
        form.versions.filter(status=IntakeFormVersion.Status.PUBLISHED).update(
            status=IntakeFormVersion.Status.RETIRED
        )
        draft.status = IntakeFormVersion.Status.PUBLISHED
        draft.published_at = timezone.now()
        draft.published_by_id = actor.pk
        draft.save(update_fields=["status", "published_at", "published_by"])
        audit_record(
            action=IntakeAction.FORM_PUBLISHED,
            actor=actor,
            meta=meta,
            obj=form,
            data={"version": draft.n, "sha256": draft.schema_sha256},
        )
    return draft


def form_set_active(
    *, form: IntakeForm, active: bool, actor: AtriumUser, meta: RequestMeta | None = None
) -> None:
    _require_admin(actor)
    IntakeForm.objects.filter(pk=form.pk).update(is_active=active)
    audit_record(
        action=IntakeAction.FORM_CHANGED, actor=actor, meta=meta, obj=form, data={"active": active}
    )


def service_intake_set(
    *,
    service_id: Any,
    form: IntakeForm | None,
    timing: str = ServiceIntake.Timing.BEFORE_BOOKING,
    actor: AtriumUser,
    meta: RequestMeta | None = None,
) -> ServiceIntake | None:
    """Tie a service to a form (or untie it with form=None)."""
    _require_admin(actor)
    if timing not in ServiceIntake.Timing.values:
        raise ServiceError(_("Choose when the form is asked."))
    with transaction.atomic():
        if form is None:
            ServiceIntake.objects.filter(service_id=service_id).delete()
            link = None
        else:
            try:
                link, _created = ServiceIntake.objects.update_or_create(
                    service_id=service_id, defaults={"form": form, "timing": timing}
                )
            except IntegrityError as exc:
                raise ServiceError(_("This service no longer exists.")) from exc
        audit_record(
            action=IntakeAction.SERVICE_FORM_SET,
            actor=actor,
            meta=meta,
            data={"service": str(service_id), "form": str(form.pk) if form else "", "when": timing},
        )
    return link


def draft_start(
    *,
    version: IntakeFormVersion,
    contact_id: Any = None,
    booking_ref: str = "",
    service_id: Any = None,
    source: str = "",
    language: str = "en",
) -> IntakeDraft:
    return IntakeDraft.objects.create(
        form_version=version,
        contact_id=contact_id,
        booking_ref=booking_ref[:64],
        service_id=service_id,
        source=source[:20],
        language=language,
    )


def form_send_to_contact(
    *,
    form: IntakeForm,
    contact: Any,
    actor: AtriumUser | None,
    meta: RequestMeta | None = None,
    booking_ref: str = "",
    service_id: Any = None,
) -> IntakeDraft:
    """Email (or text) a contact one link to the form's published version."""
    version = form.versions.filter(status=IntakeFormVersion.Status.PUBLISHED).first()
    if version is None or not form.is_active:
        raise ServiceError(_("Publish the form before sending it."))
    if not contact.email and not contact.phone:
        raise ServiceError(_("This contact has no email address or phone number."))
    with transaction.atomic():
        draft = draft_start(
            version=version,
            contact_id=contact.pk,
            booking_ref=booking_ref,
            service_id=service_id,
            language=contact.language,
        )
        channels = ["email"] if contact.email else ["sms"]
        notice_queue(event=FORM_LINK, channels=channels, about=object_key("intakedraft", draft.pk))
        audit_record(
            action=IntakeAction.FORM_SENT,
            actor=actor,
            meta=meta,
            obj=form,
            data={"contact": str(contact.pk), "version": version.n},
        )
    return draft


def lead_send_stage_two(
    *, lead: Any, actor: AtriumUser, meta: RequestMeta | None = None
) -> IntakeDraft:
    """Stage 2 (details): one link to the questions of the lead's form marked stage 2,
    only once the conflict check is current and clear, cleared or waived."""
    from intake.models import ConflictCheck, IntakeSubmission
    from intake.services.conflicts import lead_check_is_current

    if lead.conflict_state not in ConflictCheck.OK_STATES or not lead_check_is_current(lead):
        raise ServiceError(
            _("The details open only after a current conflict check is clear or decided.")
        )
    first = (
        IntakeSubmission.objects.filter(lead=lead, stage=1)
        .select_related("form_version__form")
        .order_by("submitted_at")
        .first()
    )
    if first is None or not any(f.get("stage") == 2 for f in first.form_version.fields):
        raise ServiceError(_("This lead's form has no detailed questions."))
    contact = lead.contact
    if not contact.email and not contact.phone:
        raise ServiceError(_("This contact has no email address or phone number."))
    with transaction.atomic():
        draft = IntakeDraft.objects.create(
            form_version=first.form_version,
            contact=contact,
            lead=lead,
            stage=2,
            language=contact.language,
        )
        notice_queue(
            event=FORM_LINK,
            channels=["email"] if contact.email else ["sms"],
            about=object_key("intakedraft", draft.pk),
        )
        audit_record(action=IntakeAction.STAGE_TWO_SENT, actor=actor, meta=meta, obj=lead)
    return draft
