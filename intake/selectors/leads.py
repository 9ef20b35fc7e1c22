"""Leads and submissions for staff, under the contact access policy (portal's)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from core.http import uuid_or_404
from intake import schema
from intake.models import IntakeFile, IntakeSubmission, Lead
from portal import selectors as portal_selectors


def leads_for_staff(*, user: Any, status: str = "") -> QuerySet[Lead]:
    """Leads whose contact this staff member may see (new inquiries: every staff member)."""
    if user is None or not user.is_firm_staff:
        return Lead.objects.none()
    qs = Lead.objects.select_related("contact", "assigned_to", "interested_service").filter(
        contact_id__in=portal_selectors.contacts_visible_to(user).values("pk")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def lead_get_for_staff(*, user: Any, lead_id: Any) -> Lead:
    lead = leads_for_staff(user=user).filter(pk=uuid_or_404(lead_id)).first()
    if lead is None:
        raise Http404
    return lead


def submissions_for_staff(*, user: Any, contact_id: Any = None) -> QuerySet[IntakeSubmission]:
    if user is None or not user.is_firm_staff:
        return IntakeSubmission.objects.none()
    qs = IntakeSubmission.objects.select_related("contact", "lead", "form_version__form").filter(
        contact_id__in=portal_selectors.contacts_visible_to(user).values("pk")
    )
    if contact_id:
        qs = qs.filter(contact_id=uuid_or_404(contact_id))
    return qs.order_by("-submitted_at")


def submission_get_for_staff(*, user: Any, submission_id: Any) -> IntakeSubmission:
    submission = submissions_for_staff(user=user).filter(pk=uuid_or_404(submission_id)).first()
    if submission is None:
        raise Http404
    return submission


def submission_rows(*, submission: IntakeSubmission, language: str) -> list[dict[str, Any]]:
    """The questions as they were asked (the submission's own version) with the answers,
    in `language`; questions hidden by a condition are left out."""
    fields = submission.form_version.fields
    shown = schema.visible_keys(fields, submission.answers)
    files: list[IntakeFile] = (
        list(IntakeFile.objects.filter(submission=submission))
        if any(f.get("type") == "file" for f in fields)
        else []
    )
    rows: list[dict[str, Any]] = []
    for f in fields:
        key = str(f.get("key", ""))
        if key not in shown or f.get("type") in schema.STATIC_TYPES:
            continue
        value = submission.answers.get(key)
        rows.append(
            {
                "key": key,
                "label": schema.text_in(f.get("label"), language),
                "value": schema.display_value(f, value, language),
                "parties": [
                    {**p, "role": schema.PARTY_ROLE_LABELS.get(str(p.get("role")), p.get("role"))}
                    for p in value
                    if isinstance(p, dict)
                ]
                if f.get("type") == "party_list" and isinstance(value, list)
                else None,
                "files": [x for x in files if x.field_key == key]
                if f.get("type") == "file"
                else None,
                "answered": value is not None,
            }
        )
    return rows


def intake_file_get_for_staff(*, user: Any, file_id: Any) -> IntakeFile:
    """A stage-2 file, for staff who may see the submission it came with (else 404)."""
    row = (
        IntakeFile.objects.select_related("submission")
        .filter(
            pk=uuid_or_404(file_id),
            submission__in=submissions_for_staff(user=user).values("pk"),
        )
        .first()
    )
    if row is None:
        raise Http404
    return row


def lead_source_choices() -> list[tuple[str, str]]:
    """Where a lead can come from, as (code, label) in the viewer's language (filters)."""
    return [(str(value), str(label)) for value, label in Lead.Source.choices]
