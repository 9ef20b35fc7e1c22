"""The firm's privacy notice: the public page every form links to, and the staff page
where firm admins publish it per language."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.decorators import staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from core.languages import CODES, NATIVE_NAMES
from intake import retention, selectors, services
from intake.forms import PrivacyNoticeForm
from portal.selectors import firm_get
from portal.types import Request


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """Anyone, signed in or not: the current notice in the page's language."""
    language = (translation.get_language() or "en")[:2]
    notice = selectors.privacy_notice_current(language=language)
    return render(
        request,
        "intake/privacy.html",
        {"notice": notice, "firm": firm_get()},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def staff_privacy(request: Request) -> HttpResponse:
    """Staff read the notice in every language; firm admins publish a new version."""
    latest = selectors.privacy_notices_latest()
    can_edit = request.user.is_firm_admin
    chosen = request.GET.get("language", "")
    if chosen not in CODES:
        chosen = (getattr(request, "LANGUAGE_CODE", "") or "en")[:2]
    current = latest.get(chosen)
    form = PrivacyNoticeForm(
        request.POST or None,
        initial={"language": chosen, "text": current.text if current else ""},
    )
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                notice = services.privacy_notice_publish(
                    actor=request.user,
                    language=form.cleaned_data["language"],
                    text=form.cleaned_data["text"],
                    meta=RequestMeta.from_request(request),
                )
            except ServiceError as exc:
                form.add_error("text", str(exc))
            else:
                messages.success(
                    request,
                    _("Privacy notice published (version %(label)s).") % {"label": notice.label},
                )
                return redirect(f"{request.path}?language={notice.language}")
        status = 400
    rows = [
        {"code": code, "name": NATIVE_NAMES.get(code, code), "notice": latest.get(code)}
        for code in CODES
    ]
    return render(
        request,
        "intake/staff_privacy.html",
        {"rows": rows, "form": form, "can_edit": can_edit, "chosen": chosen},
        status=status,
    )


@staff_required
@require_GET
def staff_retention(request: Request) -> HttpResponse:
    """The 14-day preview of the retention purge (a dry run; the purge itself runs only
    as the daily job or the management command), and what was purged lately."""
    today = timezone.localdate()
    return render(
        request,
        "intake/staff_retention.html",
        {
            "plan": selectors.purge_plan(today=today),
            "purged": selectors.leads_purged_recently(),
            "months": retention.retention_months(),
            "sensitive_months": retention.sensitive_months(),
            "days": retention.PREVIEW_DAYS,
        },
    )
