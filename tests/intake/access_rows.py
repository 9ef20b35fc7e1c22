"""Every intake route in the access matrix (tests/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any

from tests.access import ANY_SIGNED_IN, LOGIN, MATTER_A_STAFF, PUBLIC, STAFF_ONLY, Row, same

ADMIN_ONLY = {**STAFF_ONLY, "staff_on": 404, "staff_off": 404}
ADMIN_POST = {**ADMIN_ONLY, "admin": 302}
STAFF_POST = {**STAFF_ONLY, "staff_on": 302, "staff_off": 302, "admin": 302}
# Conflict reports: only holders of intake.view_conflict_report (firm admins here).
REPORT = ADMIN_ONLY
REPORT_POST = ADMIN_POST
MATTER_A_STAFF_POST = {**MATTER_A_STAFF, "staff_on": 302, "admin": 302}
CLIENT_A_ONLY = same(404, anonymous=LOGIN, client_a=200)
CLIENT_A_POST = same(404, anonymous=LOGIN, client_a=302)
LETTER_SECRET = "Qzwvyx engagement scope"
BAD_TOKEN = {"token": "not-a-real-token-0123456789"}
SECRET_NAME = "Zyxwvonk Quillfeather"


def _form(w: Any) -> None:
    from intake import samples
    from tests.intake.helpers import published_form

    w.intake_form = published_form(
        w.admin, name="Matrix form", fields=samples.initial_consultation()
    )


def _submission(w: Any) -> None:
    from django.test import Client

    from intake.models import IntakeSubmission
    from intake.services import conflict_index_rebuild
    from tests.intake.helpers import stage_one_answers

    _form(w)
    conflict_index_rebuild()
    # The prospect names client A as the other side: the check has a hit to show.
    Client().post(
        f"/intake/f/{w.intake_form.slug}/",
        stage_one_answers(
            first_name="Zyxwvonk",
            last_name="Quillfeather",
            email="z@prospect.example",
            other_parties__name=[w.contact_a.full_name],
        ),
    )
    w.submission = IntakeSubmission.objects.get()
    w.lead = w.submission.lead
    w.check = w.lead.conflict_checks.get()
    w.hit = w.check.hits.first()


def _intake_file(w: Any) -> None:
    from django.core.files.base import ContentFile

    from intake.models import IntakeFile

    _submission(w)
    row = IntakeFile(
        draft=w.submission.draft,
        submission=w.submission,
        lead=w.lead,
        field_key="documents",
        name="karta.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
    )
    row.file.save("karta.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    row.save()
    w.intake_file = row


def _form_id(w: Any) -> dict[str, Any]:
    return {"form_id": w.intake_form.pk}


QUESTION = {
    "q-type": "text",
    "q-key": "extra",
    "q-label_en": "Extra",
    "q-stage": "1",
}


def _lead(w: Any) -> dict[str, Any]:
    return {"lead_id": w.lead.pk}


def _check(w: Any) -> dict[str, Any]:
    return {"check_id": w.check.pk}


def _letter_template(w: Any) -> None:
    from tests.intake.helpers import letter_template

    w.letter_template = letter_template(w.admin)


def _letter(w: Any) -> None:
    """A draft letter for client A's lead (conflict check clear, consultation held)."""
    from tests.intake.helpers import letter_draft

    w.engagement = letter_draft(w, scope=LETTER_SECRET)
    w.lead = w.engagement.lead


def _sent_letter(w: Any) -> None:
    from intake import services

    _letter(w)
    w.engagement = services.engagement_send(engagement=w.engagement, actor=w.staff_on)


def _engagement(w: Any) -> dict[str, Any]:
    return {"engagement_id": w.engagement.pk}


def _signature(w: Any) -> dict[str, Any]:
    return {
        "agreed": "on",
        "typed_name": w.contact_a.full_name,
        "shown_sha256": w.engagement.document_sha256,
    }


LETTER_ROWS = [
    Row("intake:staff-letter-templates", ADMIN_ONLY),
    Row("intake:staff-letter-template-new", ADMIN_ONLY),
    Row(
        "intake:staff-letter-template",
        ADMIN_ONLY,
        setup=_letter_template,
        kwargs=lambda w: {"template_id": w.letter_template.pk},
    ),
    Row("intake:staff-lead-letter-new", MATTER_A_STAFF, setup=_letter, kwargs=_lead),
    Row("intake:staff-lead-retain", MATTER_A_STAFF, setup=_letter, kwargs=_lead),
    Row(
        "intake:staff-letter",
        MATTER_A_STAFF,
        setup=_letter,
        kwargs=_engagement,
        secret=lambda w: LETTER_SECRET,
    ),
    Row("intake:staff-letter-pdf", MATTER_A_STAFF, setup=_letter, kwargs=_engagement),
    Row(
        "intake:staff-letter-send",
        MATTER_A_STAFF_POST,
        method="post",
        setup=_letter,
        kwargs=_engagement,
        data=lambda w: {"expires_days": "14"},
    ),
    Row(
        "intake:staff-letter-withdraw",
        MATTER_A_STAFF_POST,
        method="post",
        setup=_letter,
        kwargs=_engagement,
    ),
    Row("intake:portal-engagements", ANY_SIGNED_IN, setup=_sent_letter),
    Row(
        "intake:portal-engagement",
        CLIENT_A_ONLY,
        setup=_sent_letter,
        kwargs=_engagement,
        secret=lambda w: LETTER_SECRET,
    ),
    Row("intake:portal-engagement-pdf", CLIENT_A_ONLY, setup=_sent_letter, kwargs=_engagement),
    Row(
        "intake:portal-engagement-decline",
        CLIENT_A_POST,
        method="post",
        setup=_sent_letter,
        kwargs=_engagement,
    ),
    # Not opened yet: the signature is refused with a message (400), nothing is signed.
    Row(
        "intake:portal-engagement-sign",
        same(404, anonymous=LOGIN, client_a=400),
        method="post",
        setup=_sent_letter,
        kwargs=_engagement,
        data=_signature,
    ),
]


ROWS = [
    Row("intake:staff-leads", STAFF_ONLY),
    Row(
        "intake:staff-lead",
        STAFF_ONLY,
        setup=_submission,
        kwargs=_lead,
        secret=lambda w: SECRET_NAME,
    ),
    Row(
        "intake:staff-lead-close",
        STAFF_POST,
        method="post",
        setup=_submission,
        kwargs=_lead,
        data=lambda w: {"to": "lost", "reason": "other_firm"},
    ),
    Row("intake:staff-lead-check", STAFF_POST, method="post", setup=_submission, kwargs=_lead),
    Row("intake:staff-lead-stage-two", STAFF_POST, method="post", setup=_submission, kwargs=_lead),
    Row("intake:staff-conflict-new", REPORT),
    Row(
        "intake:staff-conflict",
        REPORT,
        setup=_submission,
        kwargs=_check,
        secret=lambda w: SECRET_NAME,
    ),
    Row(
        "intake:staff-conflict-decide",
        REPORT_POST,
        method="post",
        setup=_submission,
        kwargs=_check,
        data=lambda w: {"decision": "cleared", "note": "matrix"},
    ),
    Row(
        "intake:staff-conflict-hit-dismiss",
        REPORT_POST,
        method="post",
        setup=_submission,
        kwargs=lambda w: {"check_id": w.check.pk, "hit_id": w.hit.pk},
        data=lambda w: {"note": "different person"},
    ),
    Row("intake:form-start", PUBLIC, setup=_form, kwargs=lambda w: {"slug": w.intake_form.slug}),
    Row("intake:draft", same(404), kwargs=lambda w: BAD_TOKEN),
    Row("intake:booking-form", same(404), kwargs=lambda w: BAD_TOKEN),
    Row("intake:privacy", PUBLIC),
    Row("intake:staff-privacy", STAFF_ONLY),
    Row("intake:staff-retention", STAFF_ONLY),
    Row(
        "intake:staff-privacy",
        ADMIN_POST,
        method="post",
        data=lambda w: {"language": "en", "text": "We use your data to answer you."},
    ),
    Row("intake:staff-forms", STAFF_ONLY),
    Row("intake:staff-form-new", ADMIN_ONLY),
    Row("intake:staff-form", STAFF_ONLY, setup=_form, kwargs=_form_id),
    Row(
        "intake:staff-form-field",
        ADMIN_POST,
        method="post",
        setup=_form,
        kwargs=_form_id,
        data=lambda w: QUESTION,
    ),
    Row(
        "intake:staff-form-field-action",
        ADMIN_POST,
        method="post",
        setup=_form,
        kwargs=lambda w: {"form_id": w.intake_form.pk, "key": "email", "action": "up"},
    ),
    Row(
        "intake:staff-form-json",
        ADMIN_POST,
        method="post",
        setup=_form,
        kwargs=_form_id,
        data=lambda w: {"body": '{"fields": []}'},
    ),
    Row("intake:staff-form-publish", ADMIN_POST, method="post", setup=_form, kwargs=_form_id),
    Row("intake:staff-form-services", ADMIN_POST, method="post", setup=_form, kwargs=_form_id),
    Row("intake:staff-form-send", STAFF_ONLY, setup=_form, kwargs=_form_id),
    Row("intake:staff-form-preview", STAFF_ONLY, setup=_form, kwargs=_form_id),
    Row("intake:staff-submissions", STAFF_ONLY),
    Row(
        "intake:staff-submission",
        STAFF_ONLY,
        setup=_submission,
        kwargs=lambda w: {"submission_id": w.submission.pk},
        secret=lambda w: SECRET_NAME,
    ),
    Row(
        "intake:staff-intake-file",
        STAFF_ONLY,
        setup=_intake_file,
        kwargs=lambda w: {"file_id": w.intake_file.pk},
    ),
]

ROWS += LETTER_ROWS

__all__ = ["LOGIN", "ROWS"]
