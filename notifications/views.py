"""Staff pages for the notification texts, and Twilio's delivery reports."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from twilio.request_validator import RequestValidator

from core.decorators import firm_admin_required, staff_required
from core.errors import ServiceError
from core.http import AtriumUser, AuthenticatedHttpRequest, RequestMeta
from core.languages import NATIVE_NAMES
from notifications import registry, selectors, services
from notifications.compose import text_for
from notifications.forms import TemplateForm
from notifications.text import fill, sms_segments

# Behind staff_required / firm_admin_required: a signed-in staff member.
StaffRequest = AuthenticatedHttpRequest[AtriumUser]


def _editable_notice(event: str, channel: str, language: str) -> registry.Notice:
    try:
        notice = registry.notice(event)
    except LookupError:
        raise Http404 from None
    if not notice.editable or channel not in ("email", "sms") or language not in NATIVE_NAMES:
        raise Http404
    return notice


@staff_required
def template_list(request: StaffRequest) -> HttpResponse:
    overrides = selectors.template_overrides()
    rows = []
    for notice in registry.editable_notices():
        for channel in ("email", "sms"):
            for language, language_name in NATIVE_NAMES.items():
                custom = overrides.get((notice.event, channel, language))
                text = (
                    registry.Text(custom.subject, custom.body)
                    if custom
                    else notice.default_text(channel=channel, language=language)
                )
                rows.append(
                    {
                        "event": notice.event,
                        "event_label": notice.label,
                        "channel": channel,
                        "language": language,
                        "language_name": language_name,
                        "custom": custom is not None,
                        "segments": (
                            sms_segments(fill(text.body, notice.preview_values()))
                            if channel == "sms"
                            else None
                        ),
                    }
                )
    return render(request, "notifications/template_list.html", {"rows": rows})


@firm_admin_required
@require_http_methods(["GET", "POST"])
def template_edit(request: StaffRequest, event: str, channel: str, language: str) -> HttpResponse:
    notice = _editable_notice(event, channel, language)
    current = text_for(None, event=event, channel=channel, language=language)
    form = TemplateForm(
        request.POST or None, initial={"subject": current.subject, "body": current.body}
    )
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "save":
            try:
                services.template_save(
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    event=event,
                    channel=channel,
                    language=language,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The text is saved."))
                return redirect("notifications:template-list")
    subject = form["subject"].value() or ""
    body = form["body"].value() or ""
    sample = notice.preview_values()
    preview_body = fill(body, sample)
    return render(
        request,
        "notifications/template_edit.html",
        {
            "form": form,
            "event": event,
            "event_label": notice.label,
            "channel": channel,
            "language": language,
            "language_name": NATIVE_NAMES[language],
            "placeholders": notice.placeholders,
            "sample": sample,
            "preview_subject": fill(subject, sample),
            "preview_body": preview_body,
            "segments": sms_segments(preview_body) if channel == "sms" else None,
        },
    )


@firm_admin_required
@require_POST
def template_reset(request: StaffRequest, event: str, channel: str, language: str) -> HttpResponse:
    _editable_notice(event, channel, language)
    services.template_reset(
        actor=request.user,
        meta=RequestMeta.from_request(request),
        event=event,
        channel=channel,
        language=language,
    )
    messages.success(request, _("The original text is back."))
    return redirect("notifications:template-list")


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest, delivery_id: str) -> HttpResponse:
    """Twilio's delivery report for one SMS; the signature covers the URL and the form."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    base = settings.TWILIO_STATUS_CALLBACK_URL or settings.SITE_URL
    parts = urlsplit(base)
    url = f"{parts.scheme}://{parts.netloc}{request.get_full_path()}"
    if (
        not token
        or not signature
        or not RequestValidator(token).validate(url, request.POST.dict(), signature)
    ):
        return HttpResponse(status=403)
    services.sms_status_record(
        delivery_id=delivery_id,
        message_sid=request.POST.get("MessageSid", "")[:64],
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    # 204 whatever happened: Twilio needs no retry for a report we chose to ignore.
    return HttpResponse(status=204)
