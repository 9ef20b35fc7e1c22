"""The client's engagement letter pages in the portal (spec intake.md §6).

The client reads the letter (its whole text on the page, and the PDF), ticks that they
have read and agree, types their full name and presses Sign: a POST in their signed-in
portal session, so the sign-in method is part of the evidence. A GET never signs. Opening
the letter page, which shows the letter's complete text, or its PDF counts as opening
the letter. The pages refuse framing (X-Frame-Options DENY and frame-ancestors 'none',
the site-wide policy, stated again here).
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_GET, require_POST

from core.decorators import portal_user_required
from core.errors import ServiceError
from core.http import RequestMeta
from intake import esign, schema, selectors, services, signature_image
from intake.forms import DeclineForm, SignForm
from intake.models import Engagement
from intake.views.letter_files import serve_letter
from portal.types import Request


def _language(request: Request) -> str:
    lang = (get_language() or "en")[:2]
    return lang if lang in schema.LANGUAGES else "en"


@portal_user_required
@require_GET
def letters(request: Request) -> HttpResponse:
    rows = list(selectors.engagements_for_client(user=request.user))
    return render(request, "intake/portal_letters.html", {"letters": rows})


def _page(
    request: Request,
    engagement: Engagement,
    form: SignForm,
    *,
    error: str = "",
    status: int = 200,
    decline_form: DeclineForm | None = None,
) -> HttpResponse:
    can_sign = engagement.status in Engagement.WITH_CLIENT and not engagement.is_expired(
        timezone.now()
    )
    return render(
        request,
        "intake/portal_letter.html",
        {
            "engagement": engagement,
            "form": form,
            "error": error,
            "can_sign": can_sign,
            "statement": services.sign_statement(engagement, _language(request)),
            "decline_form": decline_form or DeclineForm(),
            "esign_required": esign.required(),
            "esign_paragraphs": esign.disclosure_paragraphs(_language(request)),
            "esign_label": esign.acceptance_label(_language(request)),
        },
        status=status,
    )


@xframe_options_deny
@portal_user_required
@require_GET
def letter(request: Request, engagement_id: str) -> HttpResponse:
    engagement = selectors.engagement_get_for_client(user=request.user, engagement_id=engagement_id)
    if engagement.status == Engagement.Status.SENT and not engagement.is_expired(timezone.now()):
        engagement = services.engagement_viewed(
            engagement=engagement, user=request.user, meta=RequestMeta.from_request(request)
        )
    form = SignForm(initial={"shown_sha256": engagement.document_sha256})
    return _page(request, engagement, form)


@xframe_options_deny
@portal_user_required
@require_POST
def letter_sign(request: Request, engagement_id: str) -> HttpResponse:
    engagement = selectors.engagement_get_for_client(user=request.user, engagement_id=engagement_id)
    form = SignForm(request.POST)

    def again() -> SignForm:
        return SignForm(
            initial={
                "shown_sha256": engagement.document_sha256,
                "typed_name": form.cleaned_data.get("typed_name", ""),
                "agreed": form.cleaned_data.get("agreed", False),
                "esign_accepted": form.cleaned_data.get("esign_accepted", False),
            }
        )

    if not form.is_valid():
        if "drawn_signature" in form.errors and "shown_sha256" not in form.errors:
            return _page(
                request,
                engagement,
                again(),
                error=_("The drawn signature is too large. Clear it and draw it again."),
                status=400,
            )
        return _page(
            request,
            engagement,
            SignForm(initial={"shown_sha256": engagement.document_sha256}),
            error=_("The letter changed after you opened it. Reload the page and read it again."),
            status=400,
        )

    try:
        drawn = signature_image.drawn_signature_png(form.cleaned_data["drawn_signature"])
    except signature_image.DrawingRefused as exc:
        return _page(request, engagement, again(), error=str(exc), status=400)
    try:
        signed = services.engagement_sign(
            engagement=engagement,
            user=request.user,
            meta=RequestMeta.from_request(request),
            signature=services.Signature(
                typed_name=form.cleaned_data["typed_name"] or "",
                agreed=bool(form.cleaned_data["agreed"]),
                shown_sha256=form.cleaned_data["shown_sha256"],
                language=_language(request),
                auth_method=services.auth_method_from_session(get_authentication_records(request)),
                drawn_png=drawn,
                esign_accepted=bool(form.cleaned_data["esign_accepted"]),
            ),
        )
    except ServiceError as exc:
        engagement.refresh_from_db()
        return _page(request, engagement, again(), error=str(exc), status=400)
    if signed.retainer_invoice_id:
        messages.success(
            request,
            _("Thank you: the letter is signed. One step left: pay the retainer below."),
        )
    else:
        messages.success(
            request, _("Thank you: the letter is signed. Your signed copy is ready to download.")
        )
    return redirect("intake:portal-engagement", engagement_id=engagement.pk)


@xframe_options_deny
@portal_user_required
@require_POST
def letter_decline(request: Request, engagement_id: str) -> HttpResponse:
    engagement = selectors.engagement_get_for_client(user=request.user, engagement_id=engagement_id)
    form = DeclineForm(request.POST)
    sign_form = SignForm(initial={"shown_sha256": engagement.document_sha256})
    if not form.is_valid():
        error = " ".join(str(m) for errors in form.errors.values() for m in errors)
        return _page(request, engagement, sign_form, error=error, status=400, decline_form=form)
    try:
        services.engagement_decline(
            engagement=engagement,
            user=request.user,
            reason=form.cleaned_data["reason"] or "",
            meta=RequestMeta.from_request(request),
        )
    except ServiceError as exc:
        engagement.refresh_from_db()
        return _page(request, engagement, sign_form, error=str(exc), status=400, decline_form=form)
    messages.success(request, _("You declined the letter. The firm has been told."))
    return redirect("intake:portal-engagement", engagement_id=engagement.pk)


@portal_user_required
@require_GET
def letter_pdf(request: Request, engagement_id: str) -> HttpResponseBase:
    engagement = selectors.engagement_get_for_client(user=request.user, engagement_id=engagement_id)
    signed = request.GET.get("copy") == "signed"
    if not signed and engagement.status == Engagement.Status.SENT:
        services.engagement_viewed(
            engagement=engagement, user=request.user, meta=RequestMeta.from_request(request)
        )
    return serve_letter(request, engagement, signed=signed)
