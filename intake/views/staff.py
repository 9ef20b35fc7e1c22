"""Staff pages under /staff/intake/: the form builder (firm admins), the services a form
is asked for, sending a form to a contact, and the submissions."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import firm_admin_required, staff_required
from core.errors import ServiceError
from core.forms import flash_form_errors
from core.http import RequestMeta
from intake import schema, selectors, services
from intake.forms import (
    MAPS_TO_LABELS,
    TYPE_LABELS,
    FieldForm,
    IntakeFormMetaForm,
    SchemaJsonForm,
    SendForm,
    ServiceLinkForm,
)
from intake.models import IntakeForm, IntakeFormVersion, ServiceIntake
from intake.views.render import page_fields
from portal import selectors as portal_selectors
from portal.types import Request
from portal.uploads import content_disposition
from scheduling import selectors as scheduling_selectors


def _language(request: Request) -> str:
    lang = (getattr(request, "LANGUAGE_CODE", "") or "en")[:2]
    return lang if lang in schema.LANGUAGES else "en"


@staff_required
@require_GET
def staff_forms(request: Request) -> HttpResponse:
    return render(
        request,
        "intake/staff_forms.html",
        {
            "forms": selectors.forms_for_staff(user=request.user),
            "can_edit": request.user.is_firm_admin,
        },
    )


@firm_admin_required
@require_http_methods(["GET", "POST"])
def staff_form_new(request: Request) -> HttpResponse:
    form = IntakeFormMetaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.form_create(
                actor=request.user, meta=RequestMeta.from_request(request), **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Form created. Add its questions, then publish it."))
            return redirect("intake:staff-form", form_id=created.pk)
    return render(
        request,
        "intake/staff_form_new.html",
        {"meta_form": form},
        status=400 if request.method == "POST" else 200,
    )


def _field_form(
    version: IntakeFormVersion | None, *, edit_key: str, data: object = None
) -> FieldForm:
    fields = version.fields if version else []
    keys = [str(f.get("key")) for f in fields]
    earlier = keys[: keys.index(edit_key)] if edit_key in keys else keys
    initial = None
    if edit_key in keys and data is None:
        initial = FieldForm.initial_from(fields[keys.index(edit_key)])
    return FieldForm(data, initial=initial, earlier=earlier, prefix="q")


def _detail(
    request: Request,
    form: IntakeForm,
    *,
    field_form: FieldForm | None = None,
    json_form: SchemaJsonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    version = selectors.version_for_edit(form)
    edit_key = request.GET.get("edit", "")[:40] if field_form is None else ""
    if field_form is None:
        field_form = _field_form(version, edit_key=edit_key)
    else:
        edit_key = request.POST.get("replace_key", "")[:40]
    if json_form is None:
        json_form = SchemaJsonForm(
            initial={
                "body": json.dumps(
                    version.schema if version else {"fields": []}, indent=2, ensure_ascii=False
                )
            }
        )
    published = form.versions.filter(status=IntakeFormVersion.Status.PUBLISHED).first()
    problems: list[str] = []
    if version is not None and version.status == IntakeFormVersion.Status.DRAFT:
        try:
            schema.validate_schema(version.schema)
        except schema.SchemaError as exc:
            problems = exc.problems
    links = selectors.service_links()
    service_rows = [
        {"service": s, "link": links.get(s.pk)}
        for s in scheduling_selectors.services_for_staff(user=request.user)
    ]
    language = _language(request)
    return render(
        request,
        "intake/staff_form.html",
        {
            "intake_form": form,
            "version": version,
            "published": published,
            "questions": [
                {
                    "field": f,
                    "label": schema.text_in(f.get("label"), language),
                    "type_label": TYPE_LABELS.get(str(f.get("type")), f.get("type")),
                    "maps_label": MAPS_TO_LABELS.get(str(f.get("maps_to", ""))),
                    "languages": [
                        lang for lang in schema.LANGUAGES if (f.get("label") or {}).get(lang)
                    ],
                }
                for f in (version.fields if version else [])
            ],
            "field_form": field_form,
            "edit_key": edit_key,
            "json_form": json_form,
            "problems": problems,
            "service_rows": service_rows,
            "timings": ServiceIntake.Timing.choices,
            "can_edit": request.user.is_firm_admin,
            "public_url": reverse("intake:form-start", kwargs={"slug": form.slug}),
        },
        status=status,
    )


@staff_required
@require_GET
def staff_form(request: Request, form_id: str) -> HttpResponse:
    form = selectors.form_get_for_staff(user=request.user, form_id=form_id)
    return _detail(request, form)


@firm_admin_required
@require_POST
def staff_form_field(request: Request, form_id: str) -> HttpResponse:
    form = selectors.form_get_for_staff(user=request.user, form_id=form_id)
    version = selectors.version_for_edit(form)
    replace_key = request.POST.get("replace_key", "")[:40]
    field_form = _field_form(version, edit_key=replace_key, data=request.POST)
    if field_form.is_valid():
        try:
            services.form_field_save(
                form=form,
                field=field_form.to_field(),
                replace_key=replace_key,
                actor=request.user,
                meta=RequestMeta.from_request(request),
            )
        except ServiceError as exc:
            field_form.add_error(None, str(exc))
        else:
            messages.success(request, _("Question saved in the draft."))
            return redirect("intake:staff-form", form_id=form.pk)
    return _detail(request, form, field_form=field_form, status=400)


@firm_admin_required
@require_POST
def staff_form_field_action(request: Request, form_id: str, key: str, action: str) -> HttpResponse:
    form = selectors.form_get_for_staff(user=request.user, form_id=form_id)
    meta = RequestMeta.from_request(request)
    if action == "remove":
        services.form_field_remove(form=form, key=key, actor=request.user, meta=meta)
    elif action in ("up", "down"):
        services.form_field_move(
            form=form, key=key, up=action == "up", actor=request.user, meta=meta
        )
    else:
        messages.error(request, _("Unknown action."))
    return redirect("intake:staff-form", form_id=form.pk)


@firm_admin_required
@require_POST
def staff_form_schema(request: Request, form_id: str) -> HttpResponse:
    form = selectors.form_get_for_staff(user=request.user, form_id=form_id)
    json_form = SchemaJsonForm(request.POST)
    if json_form.is_valid():
        try:
            services.form_schema_save(
                form=form,
                body=json_form.cleaned_data["body"],
                actor=request.user,
                meta=RequestMeta.from_request(request),
            )
        except ServiceError as exc:
            json_form.add_error("body", str(exc))
        else:
            messages.success(request, _("Questions saved in the draft."))
            return redirect("intake:staff-form", form_id=form.pk)
    return _detail(request, form, json_form=json_form, status=400)


@firm_admin_required
@require_POST
def staff_form_publish(request: Request, form_id: str) -> HttpResponse:
    form = selectors.form_get_for_staff(user=request.user, form_id=form_id)
    try:
        version = services.form_publish(
            form=form, actor=request.user, meta=RequestMeta.from_request(request)
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Version %(n)d is published.") % {"n": version.n})
    return redirect("intake:staff-form", form_id=form.pk)


@firm_admin_required
@require_POST
def staff_form_services(request: Request, form_id: str) -> HttpResponse:
    form = selectors.form_get_for_staff(user=request.user, form_id=form_id)
    link_form = ServiceLinkForm(request.POST)
    if not link_form.is_valid():
        flash_form_errors(request, link_form)
        return redirect("intake:staff-form", form_id=form.pk)
    service = scheduling_selectors.service_get_for_staff(
        user=request.user, service_id=link_form.cleaned_data["service"]
    )
    timing = link_form.cleaned_data["timing"]
    current = selectors.service_links().get(service.pk)
    try:
        if timing == "none":
            if current is not None and current.form_id == form.pk:
                services.service_intake_set(
                    service_id=service.pk,
                    form=None,
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                )
        else:
            services.service_intake_set(
                service_id=service.pk,
                form=form,
                timing=timing,
                actor=request.user,
                meta=RequestMeta.from_request(request),
            )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved “%(name)s”.") % {"name": service.name})
    return redirect("intake:staff-form", form_id=form.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_form_send(request: Request, form_id: str) -> HttpResponse:
    """Send a published form to a contact (one link by email, or SMS without email)."""
    form = selectors.form_get_for_staff(user=request.user, form_id=form_id)
    query = request.GET.get("q", "")[:100]
    contacts = (
        portal_selectors.contacts_for_staff(user=request.user, query=query)[:20] if query else []
    )
    if request.method == "POST":
        send_form = SendForm(request.POST)
        if send_form.is_valid():
            contact = portal_selectors.contact_get_for_staff(
                user=request.user, contact_id=send_form.cleaned_data["contact"]
            )
            try:
                services.form_send_to_contact(
                    form=form,
                    contact=contact,
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                )
            except ServiceError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, _("The form was sent to %(name)s.") % {"name": contact.full_name}
                )
                return redirect("intake:staff-form", form_id=form.pk)
        else:
            flash_form_errors(request, send_form)
    return render(
        request,
        "intake/staff_form_send.html",
        {"intake_form": form, "contacts": contacts, "q": query},
    )


@staff_required
@require_GET
def staff_form_preview(request: Request, form_id: str) -> HttpResponse:
    """The form as a prospect sees it (the version being edited); nothing is saved."""
    form = selectors.form_get_for_staff(user=request.user, form_id=form_id)
    version = selectors.version_for_edit(form)
    language = _language(request)
    return render(
        request,
        "intake/staff_form_preview.html",
        {
            "intake_form": form,
            "version": version,
            "fields": page_fields(
                version.fields if version else [],
                typed={},
                errors={},
                stage=None,
                language=language,
            ),
        },
    )


@staff_required
@require_GET
def staff_submissions(request: Request) -> HttpResponse:
    contact_id = request.GET.get("contact", "")
    rows = list(
        selectors.submissions_for_staff(user=request.user, contact_id=contact_id or None)[:100]
    )
    return render(request, "intake/staff_submissions.html", {"submissions": rows})


@staff_required
@require_GET
def staff_submission(request: Request, submission_id: str) -> HttpResponse:
    submission = selectors.submission_get_for_staff(user=request.user, submission_id=submission_id)
    return render(
        request,
        "intake/staff_submission.html",
        {
            "submission": submission,
            "rows": selectors.submission_rows(submission=submission, language=_language(request)),
        },
    )


@require_GET
@staff_required
def staff_intake_file(request: Request, file_id: str) -> HttpResponseBase:
    """A file a prospect sent with the detailed questions: audited, never shown inline."""
    row = selectors.intake_file_get_for_staff(user=request.user, file_id=file_id)
    try:
        services.intake_file_download_record(
            actor=request.user, meta=RequestMeta.from_request(request), intake_file=row
        )
    except ServiceError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    response = FileResponse(
        row.file.storage.open(row.file.name or "", "rb"), content_type="application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition(row.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
