from __future__ import annotations

from django.urls import path

from intake.views import client, engagements, leads, privacy, public, staff

app_name = "intake"
urlpatterns = [
    path("intake/f/<slug:slug>/", public.form_start, name="form-start"),
    path("intake/d/<str:token>/", public.draft_page, name="draft"),
    path("intake/booking/<str:token>/", public.booking_form, name="booking-form"),
    path("privacy/", privacy.privacy_notice, name="privacy"),
    path("staff/intake/privacy/", privacy.staff_privacy, name="staff-privacy"),
    path("staff/intake/retention/", privacy.staff_retention, name="staff-retention"),
    path("staff/intake/forms/", staff.staff_forms, name="staff-forms"),
    path("staff/intake/forms/new/", staff.staff_form_new, name="staff-form-new"),
    path("staff/intake/forms/<uuid:form_id>/", staff.staff_form, name="staff-form"),
    path(
        "staff/intake/forms/<uuid:form_id>/questions/",
        staff.staff_form_field,
        name="staff-form-field",
    ),
    path(
        "staff/intake/forms/<uuid:form_id>/questions/<slug:key>/<str:action>/",
        staff.staff_form_field_action,
        name="staff-form-field-action",
    ),
    path(
        "staff/intake/forms/<uuid:form_id>/json/", staff.staff_form_schema, name="staff-form-json"
    ),
    path(
        "staff/intake/forms/<uuid:form_id>/publish/",
        staff.staff_form_publish,
        name="staff-form-publish",
    ),
    path(
        "staff/intake/forms/<uuid:form_id>/services/",
        staff.staff_form_services,
        name="staff-form-services",
    ),
    path("staff/intake/forms/<uuid:form_id>/send/", staff.staff_form_send, name="staff-form-send"),
    path(
        "staff/intake/forms/<uuid:form_id>/preview/",
        staff.staff_form_preview,
        name="staff-form-preview",
    ),
    path("staff/intake/submissions/", staff.staff_submissions, name="staff-submissions"),
    path(
        "staff/intake/submissions/<uuid:submission_id>/",
        staff.staff_submission,
        name="staff-submission",
    ),
    path("staff/intake/files/<uuid:file_id>/", staff.staff_intake_file, name="staff-intake-file"),
    path("staff/intake/leads/", leads.staff_leads, name="staff-leads"),
    path("staff/intake/leads/<uuid:lead_id>/", leads.staff_lead, name="staff-lead"),
    path(
        "staff/intake/leads/<uuid:lead_id>/conflict-check/",
        leads.staff_lead_check,
        name="staff-lead-check",
    ),
    path(
        "staff/intake/leads/<uuid:lead_id>/details/",
        leads.staff_lead_stage_two,
        name="staff-lead-stage-two",
    ),
    path(
        "staff/intake/leads/<uuid:lead_id>/close/", leads.staff_lead_close, name="staff-lead-close"
    ),
    path("staff/intake/conflicts/new/", leads.staff_conflict_new, name="staff-conflict-new"),
    path("staff/intake/conflicts/<uuid:check_id>/", leads.staff_conflict, name="staff-conflict"),
    path(
        "staff/intake/conflicts/<uuid:check_id>/decide/",
        leads.staff_conflict_decide,
        name="staff-conflict-decide",
    ),
    path(
        "staff/intake/conflicts/<uuid:check_id>/hits/<int:hit_id>/dismiss/",
        leads.staff_conflict_hit_dismiss,
        name="staff-conflict-hit-dismiss",
    ),
    path(
        "staff/intake/letter-templates/",
        engagements.staff_letter_templates,
        name="staff-letter-templates",
    ),
    path(
        "staff/intake/letter-templates/new/",
        engagements.staff_letter_template_new,
        name="staff-letter-template-new",
    ),
    path(
        "staff/intake/letter-templates/<uuid:template_id>/",
        engagements.staff_letter_template,
        name="staff-letter-template",
    ),
    path(
        "staff/intake/leads/<uuid:lead_id>/letter/",
        engagements.staff_lead_letter_new,
        name="staff-lead-letter-new",
    ),
    path(
        "staff/intake/leads/<uuid:lead_id>/retain/",
        engagements.staff_lead_retain,
        name="staff-lead-retain",
    ),
    path(
        "staff/intake/letters/<uuid:engagement_id>/",
        engagements.staff_letter,
        name="staff-letter",
    ),
    path(
        "staff/intake/letters/<uuid:engagement_id>/pdf/",
        engagements.staff_letter_pdf,
        name="staff-letter-pdf",
    ),
    path(
        "staff/intake/letters/<uuid:engagement_id>/send/",
        engagements.staff_letter_send,
        name="staff-letter-send",
    ),
    path(
        "staff/intake/letters/<uuid:engagement_id>/withdraw/",
        engagements.staff_letter_withdraw,
        name="staff-letter-withdraw",
    ),
    path("portal/letters/", client.letters, name="portal-engagements"),
    path("portal/letters/<uuid:engagement_id>/", client.letter, name="portal-engagement"),
    path(
        "portal/letters/<uuid:engagement_id>/sign/",
        client.letter_sign,
        name="portal-engagement-sign",
    ),
    path(
        "portal/letters/<uuid:engagement_id>/decline/",
        client.letter_decline,
        name="portal-engagement-decline",
    ),
    path(
        "portal/letters/<uuid:engagement_id>/pdf/",
        client.letter_pdf,
        name="portal-engagement-pdf",
    ),
]
