"""Staff pages of leads and conflict checks (/staff/intake/leads/, /staff/intake/conflicts/).

Everyone on staff sees a lead and its conflict state; only holders of
`intake.view_conflict_report` see hits (and firm admins, who hold every permission).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from intake import schema, selectors, services
from intake.models import ConflictCheck, Lead
from portal.types import Request

REASON_LABELS = {
    "email_exact": gettext_lazy("same email address"),
    "phone_exact": gettext_lazy("same phone number"),
    "tax_id_exact": gettext_lazy("same tax or registry number"),
    "dob_surname": gettext_lazy("same date of birth and surname"),
    "name_full": gettext_lazy("same full name (in some spelling)"),
    "org_name": gettext_lazy("same organisation name"),
    "name_close": gettext_lazy("a very similar name"),
    "org_name_close": gettext_lazy("a very similar organisation name"),
    "surname_family": gettext_lazy("the same surname family (other gender's ending)"),
    "name_subset": gettext_lazy("every word of one name is in the other"),
    "name_initial": gettext_lazy("same surname and initial"),
    "surname_only": gettext_lazy("only the surname in common"),
    "org_token_overlap": gettext_lazy("a word shared with an organisation"),
    "role_conflict": gettext_lazy("on the other side: client against adverse party"),
    "adverse_party": gettext_lazy("an adverse party seen before (not a client)"),
    "patronymic_differs": gettext_lazy("the patronymics differ"),
}


DECLINE_LABELS = [
    ("conflict", gettext_lazy("Conflict of interest")),
    ("out_of_scope", gettext_lazy("Outside what we do")),
    ("capacity", gettext_lazy("No capacity")),
    ("other", gettext_lazy("Other")),
]
LOST_LABELS = [
    ("no_response", gettext_lazy("No response")),
    ("other_firm", gettext_lazy("Chose another firm")),
    ("price", gettext_lazy("Price")),
    ("other", gettext_lazy("Other")),
]


def _language(request: Request) -> str:
    lang = (getattr(request, "LANGUAGE_CODE", "") or "en")[:2]
    return lang if lang in schema.LANGUAGES else "en"


def _hit_rows(check: ConflictCheck) -> list[dict[str, object]]:
    rows = []
    for hit in selectors.conflict_hits(check=check):
        rows.append(
            {
                "hit": hit,
                "why": [
                    (REASON_LABELS.get(str(r.get("code")), r.get("code")), r.get("detail"))
                    for r in hit.reasons
                ],
            }
        )
    return rows


@staff_required
@require_GET
def staff_leads(request: Request) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Lead.Status.values else ""
    conflict = request.GET.get("conflict", "")
    source = request.GET.get("source", "")
    source = source if source in Lead.Source.values else ""
    board = request.GET.get("view") == "board"
    leads = selectors.leads_for_staff(user=request.user, status=status)
    if conflict == "needs_review":
        leads = leads.filter(conflict_state=ConflictCheck.Status.NEEDS_REVIEW)
    if source:
        leads = leads.filter(source=source)
    rows = list(leads[:300])
    columns = [
        {"status": value, "label": label, "leads": [lead for lead in rows if lead.status == value]}
        for value, label in Lead.Status.choices
    ]
    return render(
        request,
        "intake/staff_leads.html",
        {
            "leads": rows,
            "columns": columns,
            "board": board,
            "statuses": Lead.Status.choices,
            "sources": Lead.Source.choices,
            "status": status,
            "source": source,
            "conflict": conflict,
        },
    )


@staff_required
@require_GET
def staff_lead(request: Request, lead_id: str) -> HttpResponse:
    lead = selectors.lead_get_for_staff(user=request.user, lead_id=lead_id)
    check = selectors.latest_check(lead=lead)
    show = check is not None and selectors.can_see_reports(request.user)
    if show and check is not None:
        services.conflict_report_viewed(
            check=check, actor=request.user, meta=RequestMeta.from_request(request)
        )
    language = _language(request)
    submissions = [
        {"submission": s, "rows": selectors.submission_rows(submission=s, language=language)}
        for s in lead.submissions.select_related("form_version__form").order_by("submitted_at")
    ]
    letters = selectors.engagements_for_lead(lead=lead)
    return render(
        request,
        "intake/staff_lead.html",
        {
            "lead": lead,
            "check": check,
            "current": services.lead_check_is_current(lead),
            "show_hits": show,
            "hit_rows": _hit_rows(check) if show and check is not None else [],
            "can_waive": request.user.has_perm("intake.waive_conflict"),
            "submissions": submissions,
            "history": list(lead.stage_changes.select_related("by")),
            "letters": letters,
            "open_letter": next((e for e in letters if e.is_open), None),
            "signed_letter": next((e for e in letters if e.status == "signed"), None),
            "decline_reasons": DECLINE_LABELS,
            "lost_reasons": LOST_LABELS,
        },
    )


@staff_required
@require_POST
def staff_lead_check(request: Request, lead_id: str) -> HttpResponse:
    lead = selectors.lead_get_for_staff(user=request.user, lead_id=lead_id)
    check = services.conflict_check_lead(
        lead=lead,
        trigger=ConflictCheck.Trigger.MANUAL,
        actor=request.user,
        meta=RequestMeta.from_request(request),
    )
    messages.success(
        request, _("Conflict check run: %(state)s.") % {"state": check.get_status_display()}
    )
    return redirect("intake:staff-lead", lead_id=lead.pk)


@staff_required
@require_POST
def staff_lead_stage_two(request: Request, lead_id: str) -> HttpResponse:
    lead = selectors.lead_get_for_staff(user=request.user, lead_id=lead_id)
    try:
        services.lead_send_stage_two(
            lead=lead, actor=request.user, meta=RequestMeta.from_request(request)
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The detailed questions were sent."))
    return redirect("intake:staff-lead", lead_id=lead.pk)


@staff_required
@require_GET
def staff_conflict(request: Request, check_id: str) -> HttpResponse:
    check = selectors.conflict_check_get_for_report(user=request.user, check_id=check_id)
    services.conflict_report_viewed(
        check=check, actor=request.user, meta=RequestMeta.from_request(request)
    )
    return render(
        request,
        "intake/staff_conflict.html",
        {
            "check": check,
            "hit_rows": _hit_rows(check),
            "can_waive": request.user.has_perm("intake.waive_conflict"),
        },
    )


@staff_required
@require_POST
def staff_conflict_decide(request: Request, check_id: str) -> HttpResponse:
    check = selectors.conflict_check_get_for_report(user=request.user, check_id=check_id)
    try:
        services.conflict_check_decide(
            check=check,
            decision=request.POST.get("decision", "")[:20],
            note=request.POST.get("note", "")[:2000],
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Decision recorded."))
    if check.lead_id:
        return redirect("intake:staff-lead", lead_id=check.lead_id)
    return redirect("intake:staff-conflict", check_id=check.pk)


@staff_required
@require_POST
def staff_conflict_hit_dismiss(request: Request, check_id: str, hit_id: str) -> HttpResponse:
    check = selectors.conflict_check_get_for_report(user=request.user, check_id=check_id)
    hit = selectors.conflict_hit_get(user=request.user, check=check, hit_id=hit_id)
    note = request.POST.get("note", "").strip()
    if not note:
        messages.error(request, _("Say why this is a different person."))
    else:
        try:
            services.conflict_hit_dismiss(
                hit=hit, note=note, actor=request.user, meta=RequestMeta.from_request(request)
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
    if check.lead_id:
        return redirect("intake:staff-lead", lead_id=check.lead_id)
    return redirect("intake:staff-conflict", check_id=check.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_conflict_new(request: Request) -> HttpResponse:
    """An ad-hoc check (a name, optionally an email or phone and the role it would have)."""
    if not selectors.can_see_reports(request.user):
        raise Http404
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:200]
        if not name:
            messages.error(request, _("Enter a name to check."))
        else:
            email = request.POST.get("email", "").strip()[:254]
            phone = request.POST.get("phone", "").strip()[:40]
            role = request.POST.get("role", "CLIENT")
            check = services.conflict_check_adhoc(
                names=[
                    services.Name(
                        name=name,
                        role=role
                        if role in ("CLIENT", "ADVERSE", "RELATED", "OTHER")
                        else "CLIENT",
                        emails=(email,) if email else (),
                        phones=(phone,) if phone else (),
                    )
                ],
                actor=request.user,
                meta=RequestMeta.from_request(request),
            )
            return redirect("intake:staff-conflict", check_id=check.pk)
    return render(request, "intake/staff_conflict_new.html", {})


@staff_required
@require_POST
def staff_lead_close(request: Request, lead_id: str) -> HttpResponse:
    """Decline a lead or mark it lost (staff), with a reason."""
    lead = selectors.lead_get_for_staff(user=request.user, lead_id=lead_id)
    try:
        services.lead_close(
            lead=lead,
            to=request.POST.get("to", "")[:20],
            reason=request.POST.get("reason", "")[:20],
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The lead is now: %(stage)s.") % {"stage": lead.get_status_display()}
        )
    return redirect("intake:staff-lead", lead_id=lead.pk)
