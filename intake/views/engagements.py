"""Staff pages of engagement letters and retaining a lead (spec intake.md §5, §6).

Templates are kept by firm admins; any staff member who sees a lead prepares its letter
from a template, previews it (text and PDF), sends it to the portal, follows its status,
withdraws it, and retains the lead once it is signed (or agreed outside Atrium).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import firm_admin_required, staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from intake import engagement_render, selectors, services
from intake.forms import (
    EngagementLetterForm,
    EngagementSendForm,
    EngagementTemplateForm,
    RetainForm,
)
from intake.models import Engagement, EngagementTemplate, Lead
from intake.views.letter_files import serve_letter
from portal import selectors as portal_selectors
from portal.types import Request

# --------------------------------------------------------------------------- templates


def _sample_preview(body: str) -> tuple[str, str]:
    """(the text rendered over sample data, the error) for the template page."""
    try:
        return engagement_render.render_body(body, engagement_render.sample_context()), ""
    except engagement_render.TemplateRefused as exc:
        return "", str(exc)


@firm_admin_required
@require_GET
def staff_letter_templates(request: Request) -> HttpResponse:
    return render(
        request,
        "intake/staff_letter_templates.html",
        {"templates": list(selectors.templates_for_admin(user=request.user))},
    )


def _template_page(
    request: Request, template: EngagementTemplate | None, *, initial: dict[str, object]
) -> HttpResponse:
    form = EngagementTemplateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.engagement_template_save(
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    template=template,
                    data=services.TemplateData(
                        name=data["name"],
                        language=data["language"],
                        body=data["body"],
                        fee_model=data["fee_model"],
                        practice_area=data["practice_area"] or "",
                        fee_amount=data["fee_amount"],
                        currency=data["currency"],
                        is_active=bool(data["is_active"]),
                        retainer_amount=data["retainer_amount"],
                    ),
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Template saved."))
                return redirect("intake:staff-letter-template", template_id=saved.pk)
        status = 400
    body = str(form["body"].value() or "")
    preview, preview_error = _sample_preview(body) if body.strip() else ("", "")
    return render(
        request,
        "intake/staff_letter_template.html",
        {
            "template_obj": template,
            "form": form,
            "preview": preview,
            "preview_error": preview_error,
            "merge_fields": sorted(engagement_render.FIELDS),
            "if_example": '{% if fee_model == "flat" %}…{% endif %}',
        },
        status=status,
    )


@firm_admin_required
@require_http_methods(["GET", "POST"])
def staff_letter_template_new(request: Request) -> HttpResponse:
    return _template_page(
        request,
        None,
        initial={"language": "pl", "currency": "PLN", "fee_model": "flat", "is_active": True},
    )


@firm_admin_required
@require_http_methods(["GET", "POST"])
def staff_letter_template(request: Request, template_id: str) -> HttpResponse:
    template = selectors.template_get_for_admin(user=request.user, template_id=template_id)
    return _template_page(
        request,
        template,
        initial={
            "name": template.name,
            "language": template.language,
            "practice_area": template.practice_area,
            "body": template.body,
            "fee_model": template.fee_model,
            "fee_amount": template.fee_amount,
            "currency": template.currency,
            "retainer_amount": template.retainer_amount,
            "is_active": template.is_active,
        },
    )


# --------------------------------------------------------------------------- letters


@staff_required
@require_http_methods(["GET", "POST"])
def staff_lead_letter_new(request: Request, lead_id: str) -> HttpResponse:
    lead = selectors.lead_get_for_staff(user=request.user, lead_id=lead_id)
    templates = selectors.templates_for_lead(language=lead.contact.language or "en")
    form = EngagementLetterForm(request.POST or None, templates=templates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                engagement = services.engagement_create(
                    lead=lead,
                    template=form.templates[form.cleaned_data["template"]],
                    scope=form.cleaned_data["scope"],
                    fee_amount=form.cleaned_data["fee_amount"],
                    retainer_amount=form.cleaned_data["retainer_amount"],
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("The letter is ready. Read it, then send it to the client.")
                )
                return redirect("intake:staff-letter", engagement_id=engagement.pk)
        status = 400
    return render(
        request,
        "intake/staff_letter_new.html",
        {"lead": lead, "form": form, "templates": templates},
        status=status,
    )


@staff_required
@require_GET
def staff_letter(request: Request, engagement_id: str) -> HttpResponse:
    engagement = selectors.engagement_get_for_staff(user=request.user, engagement_id=engagement_id)
    return _letter_page(request, engagement, EngagementSendForm())


def _letter_page(
    request: Request, engagement: Engagement, send_form: EngagementSendForm, status: int = 200
) -> HttpResponse:
    lead = engagement.lead
    evidence = getattr(engagement, "evidence", None) if engagement.status == "signed" else None
    return render(
        request,
        "intake/staff_letter.html",
        {
            "engagement": engagement,
            "lead": lead,
            "send_form": send_form,
            "evidence": evidence,
            "expired_by_time": engagement.is_expired(timezone.now()),
            "needs_no_consult": lead.status == Lead.Status.NEW,
            "check_current": services.lead_check_is_current(lead),
            "retainer_paid": services.retainer_is_paid(engagement),
        },
        status=status,
    )


@staff_required
@require_POST
def staff_letter_send(request: Request, engagement_id: str) -> HttpResponse:
    engagement = selectors.engagement_get_for_staff(user=request.user, engagement_id=engagement_id)
    form = EngagementSendForm(request.POST)
    if not form.is_valid():
        return _letter_page(request, engagement, form, status=400)
    try:
        services.engagement_send(
            engagement=engagement,
            actor=request.user,
            meta=RequestMeta.from_request(request),
            expires_days=form.cleaned_data["expires_days"],
            without_consultation=bool(form.cleaned_data["without_consultation"]),
        )
    except ServiceError as exc:
        form.add_error(None, str(exc))
        return _letter_page(request, engagement, form, status=400)
    messages.success(request, _("Sent. The client was told to sign the letter in the portal."))
    return redirect("intake:staff-letter", engagement_id=engagement.pk)


@staff_required
@require_POST
def staff_letter_withdraw(request: Request, engagement_id: str) -> HttpResponse:
    engagement = selectors.engagement_get_for_staff(user=request.user, engagement_id=engagement_id)
    try:
        services.engagement_revoke(
            engagement=engagement, actor=request.user, meta=RequestMeta.from_request(request)
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The letter was withdrawn; you can prepare a new one."))
    return redirect("intake:staff-letter", engagement_id=engagement.pk)


@staff_required
@require_GET
def staff_letter_pdf(request: Request, engagement_id: str) -> HttpResponseBase:
    engagement = selectors.engagement_get_for_staff(user=request.user, engagement_id=engagement_id)
    return serve_letter(request, engagement, signed=request.GET.get("copy") == "signed")


# --------------------------------------------------------------------------- retaining


def _suggested_reference(lead: Lead) -> str:
    return services.suggested_reference(lead)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_lead_retain(request: Request, lead_id: str) -> HttpResponse:
    lead = selectors.lead_get_for_staff(user=request.user, lead_id=lead_id)
    if lead.status == Lead.Status.RETAINED and lead.matter_id:
        messages.info(request, _("This lead is already retained."))
        return redirect("intake:staff-lead", lead_id=lead.pk)
    lawyers = list(portal_selectors.active_staff().order_by("last_name", "first_name", "email"))
    signed = next(
        (e for e in selectors.engagements_for_lead(lead=lead) if e.status == "signed"), None
    )
    form = RetainForm(
        request.POST or None,
        lawyers=lawyers,
        initial={
            "reference": _suggested_reference(lead),
            "title": lead.contact.full_name,
            "responsible_lawyer": str(lead.assigned_to_id or request.user.pk),
            "retainer_amount": signed.fee_amount
            if signed is not None and signed.retainer_amount is None
            else None,
            "retainer_due": timezone.localdate() + dt.timedelta(days=7),
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.lead_retain(
                    lead_id=lead.pk,
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    data=services.RetainInput(
                        reference=data["reference"],
                        title=data["title"],
                        responsible_lawyer_id=data["responsible_lawyer"],
                        retainer_amount=data["retainer_amount"],
                        retainer_due=data["retainer_due"]
                        if data["retainer_amount"] is not None
                        else None,
                        agreed_outside_note=data["agreed_outside_note"] or "",
                    ),
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Retained: matter %(ref)s is open.") % {"ref": result.matter.reference},
                )
                return redirect("staff:matter-detail", matter_id=result.matter.pk)
        status = 400
    return render(
        request,
        "intake/staff_lead_retain.html",
        {
            "lead": lead,
            "form": form,
            "signed": signed,
            "retainer_paid": services.retainer_is_paid(signed) if signed is not None else True,
        },
        status=status,
    )
