"""The pages a prospect or client fills in, without signing in: a public form, a draft
resumed from its link, and the form step of a booking."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import ServiceError
from core.http import RequestMeta, rate_limited
from intake import schema, selectors, services
from intake.links import draft_path
from intake.models import IntakeDraft, IntakeForm, IntakeFormVersion, ServiceIntake
from intake.privacy import short_notice
from intake.views.render import page_fields
from portal.selectors import firm_get
from portal.uploads import max_upload_bytes, upload_was_refused
from scheduling import selectors as scheduling_selectors
from scheduling import services as scheduling_services

HONEYPOT = "website_url"
PRIVACY_VERSION = "_privacy_version"


def _language(request: HttpRequest) -> str:
    lang = (translation.get_language() or "en")[:2]
    return lang if lang in schema.LANGUAGES else "en"


def _region() -> str:
    return str(getattr(settings, "PHONENUMBER_DEFAULT_REGION", None) or "PL")


def _rate_limited(request: HttpRequest) -> bool:
    return rate_limited(
        request, scope="intake:post", limit=getattr(settings, "INTAKE_RATE_LIMIT", 30), window=600
    )


def _too_big(request: HttpRequest) -> bool:
    """Over 64 KB of answers. Files of a multipart POST do not count: the upload handler
    holds each to the portal's size limit, so only the answers are measured."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    try:
        size = int(length)
    except ValueError:
        return True
    if size <= services.MAX_BODY:
        return False
    if not (request.content_type or "").startswith("multipart/"):
        return True
    if size > max_upload_bytes() * 20 + 1024 * 1024:
        return True
    answers = sum(len(k) + sum(len(v) for v in vs) for k, vs in request.POST.lists())
    return answers > services.MAX_BODY


def _headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: Chrome then sends "Origin: null" and CSRF refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def _page(
    request: HttpRequest,
    *,
    form: IntakeForm,
    version: IntakeFormVersion,
    stage: int | None,
    typed: dict[str, Any],
    errors: dict[str, list[str]],
    action: str,
    status: int = 200,
    booking: Any = None,
    general_error: str = "",
) -> HttpResponse:
    language = _language(request)
    sentence, link = short_notice(language)
    questions = page_fields(
        version.fields, typed=typed, errors=errors, stage=stage, language=language
    )
    context = {
        "has_files": any(q["type"] == "file" for q in questions),
        "privacy_sentence": sentence,
        "privacy_link": link,
        "privacy_version": selectors.privacy_notice_version(language=language),
        "privacy_field": PRIVACY_VERSION,
        "form": form,
        "version": version,
        "fields": questions,
        "max_upload_mb": max_upload_bytes() // (1024 * 1024),
        "action": action,
        "errors": errors,
        "general_error": general_error,
        "booking": booking,
        "honeypot": HONEYPOT,
        "firm": firm_get(),
        "party_roles": list(schema.PARTY_ROLE_LABELS.items()),
    }
    return _headers(render(request, "intake/form_page.html", context, status=status))


def _thanks(request: HttpRequest, draft: IntakeDraft) -> HttpResponse:
    firm = firm_get()
    return _headers(
        render(
            request,
            "intake/thanks.html",
            {"form": draft.form_version.form, "firm": firm, "hours": firm.response_hours},
        )
    )


def _is_bot(request: HttpRequest) -> bool:
    """A bot filled the hidden field: answer as if it worked, store nothing."""
    return bool(request.POST.get(HONEYPOT))


def _handle_post(request: HttpRequest, draft: IntakeDraft, *, url: str = "") -> Any:
    """Autosave or submit: a JsonResponse (autosave), a ServiceError or a SubmitResult."""
    if request.POST.get("_autosave") == "1":
        try:
            services.draft_autosave(draft=draft, data=request.POST, region=_region())
        except ServiceError as exc:
            return JsonResponse({"saved": False, "error": str(exc)}, status=409)
        # Where the page posts from now on: the draft's own link (a booking keeps its own).
        return JsonResponse({"saved": True, "url": url or draft_path(draft)})
    if upload_was_refused(request):
        return ServiceError(
            _("A file is larger than the limit of %(mb)d MB. Nothing was sent yet.")
            % {"mb": max_upload_bytes() // (1024 * 1024)}
        )
    try:
        return services.intake_submit(
            draft=draft,
            data=request.POST,
            files=request.FILES,
            meta=RequestMeta.from_request(request),
            region=_region(),
            language=_language(request),
            privacy_version=str(request.POST.get(PRIVACY_VERSION, ""))[:40],
        )
    except ServiceError as exc:
        return exc


def _respond(
    request: HttpRequest,
    draft: IntakeDraft,
    outcome: Any,
    *,
    action: str,
    done: Any,
    booking: Any = None,
) -> HttpResponse:
    if isinstance(outcome, JsonResponse):
        return _headers(outcome)
    version = draft.form_version
    stage = services.draft_stage(draft)
    if isinstance(outcome, ServiceError):
        return _page(
            request,
            form=version.form,
            version=version,
            stage=stage,
            typed=draft.answers or {},
            errors={},
            action=action,
            status=400,
            booking=booking,
            general_error=str(outcome),
        )
    if outcome.submission is None:
        return _page(
            request,
            form=version.form,
            version=version,
            stage=stage,
            typed=outcome.cleaned.typed,
            errors=outcome.cleaned.errors,
            action=action,
            status=400,
            booking=booking,
            general_error=_("Please check the answers marked below. Nothing was sent yet."),
        )
    response: HttpResponse = done()
    return response


@require_http_methods(["GET", "POST"])
def form_start(request: HttpRequest, slug: str) -> HttpResponse:
    """A published form anyone may fill in (the short inquiry form, a form link)."""
    form, version = selectors.form_public_get(slug=slug)
    action = request.path
    if request.method == "GET":
        return _page(
            request, form=form, version=version, stage=1, typed={}, errors={}, action=action
        )
    if _too_big(request) or _rate_limited(request):
        return _page(
            request,
            form=form,
            version=version,
            stage=1,
            typed={},
            errors={},
            action=action,
            status=429,
            general_error=_("Too many requests from this connection. Please try again later."),
        )
    if _is_bot(request):
        return _headers(render(request, "intake/thanks.html", {"form": form, "firm": firm_get()}))
    source = request.GET.get("source", "")[:20]
    draft = services.draft_start(version=version, source=source, language=_language(request))
    outcome = _handle_post(request, draft)
    return _respond(
        request,
        draft,
        outcome,
        action=draft_path(draft),
        done=lambda: redirect(draft_path(draft)),
    )


@require_http_methods(["GET", "POST"])
def draft_page(request: HttpRequest, token: str) -> HttpResponse:
    """A draft resumed from its link: the answers so far, or the thank-you page."""
    draft = selectors.draft_get_by_token(token=token)
    if draft.submitted_at is not None:
        return _thanks(request, draft)
    try:
        services.draft_stage(draft)
    except ServiceError as exc:
        return _headers(
            render(
                request,
                "intake/thanks.html",
                {"form": draft.form_version.form, "firm": firm_get(), "message": str(exc)},
                status=409,
            )
        )
    version = draft.form_version
    if request.method == "GET":
        return _page(
            request,
            form=version.form,
            version=version,
            stage=services.draft_stage(draft),
            typed=draft.answers or {},
            errors={},
            action=request.path,
        )
    if _too_big(request) or _rate_limited(request):
        return _headers(HttpResponse(_("Too many requests."), status=429))
    if _is_bot(request):
        return _thanks(request, draft)
    outcome = _handle_post(request, draft)
    return _respond(
        request, draft, outcome, action=request.path, done=lambda: redirect(request.path)
    )


@require_http_methods(["GET", "POST"])
def booking_form(request: HttpRequest, token: str) -> HttpResponse:
    """The booking step: the service's stage-1 form, before the booking is confirmed."""
    booking = scheduling_selectors.booking_get_by_token(token=token)
    detail_url = reverse("scheduling:booking-detail", kwargs={"token": booking.token})
    if not booking.is_held or booking.is_lapsed or "intake" not in booking.pending_steps:
        return redirect(detail_url)
    link = selectors.booking_form_for(
        service_ids=[a.service_id for a in booking.appointments],
        timing=ServiceIntake.Timing.BEFORE_BOOKING,
    )
    version = (
        link.form.versions.filter(status=IntakeFormVersion.Status.PUBLISHED).first()
        if link
        else None
    )
    draft = selectors.draft_for_booking(booking_ref=booking.booking_ref)
    if draft is None and version is None:
        # The form was taken off the service meanwhile: nothing to ask.
        return redirect(
            urlsplit(
                scheduling_services.booking_step_complete(token=booking.token, step_key="intake")
            ).path
        )

    def make() -> IntakeDraft:
        if version is None:
            raise Http404
        return services.draft_start(
            version=version,
            contact_id=booking.contact_id,
            booking_ref=booking.booking_ref,
            service_id=booking.appointments[0].service_id,
            language=_language(request),
        )

    if draft is None:
        draft = make()
    if draft.submitted_at is not None:
        return redirect(
            urlsplit(
                scheduling_services.booking_step_complete(token=booking.token, step_key="intake")
            ).path
        )
    if request.method == "GET":
        return _page(
            request,
            form=draft.form_version.form,
            version=draft.form_version,
            stage=services.draft_stage(draft),
            typed=draft.answers or {},
            errors={},
            action=request.path,
            booking=booking,
        )
    if _too_big(request):
        return _headers(HttpResponse(_("Too many requests."), status=429))
    if _is_bot(request):
        return redirect(detail_url)
    outcome = _handle_post(request, draft, url=request.path)
    if isinstance(outcome, JsonResponse) and outcome.status_code == 200:
        # Typing keeps the time: a hold is extended while the form is being filled in.
        try:
            scheduling_services.booking_hold_extend(token=booking.token, minutes=5)
        except ServiceError:
            pass

    def done() -> HttpResponse:
        lead = outcome.submission.lead
        paid = any(a.service.price > 0 for a in booking.appointments)
        if paid and selectors.has_serious_hit(check=selectors.latest_check(lead=lead)):
            # A serious hit on a paid consultation: no payment, the time is given back,
            # and the person is told only that the firm will confirm (spec §3).
            scheduling_services.booking_hold_release(
                token=booking.token,
                reason="conflict review",
                meta=RequestMeta.from_request(request),
            )
            return _headers(render(request, "intake/booking_review.html", {"firm": firm_get()}))
        try:
            url = scheduling_services.booking_step_complete(
                token=booking.token, step_key="intake", meta=RequestMeta.from_request(request)
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
            return redirect(detail_url)
        # The service answers absolute links (for emails); on the page stay on this host.
        parts = urlsplit(url)
        return redirect(parts.path + (f"?{parts.query}" if parts.query else ""))

    return _respond(request, draft, outcome, action=request.path, done=done, booking=booking)
