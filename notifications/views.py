"""Staff pages for notification texts and the silence alarm; Twilio's delivery reports."""

from __future__ import annotations

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
from core.http import RequestMeta
from notifications import defaults, selectors, services
from notifications.forms import CheckinForm, TemplateForm
from notifications.models import Event
from notifications.services.compose import text_for
from notifications.text import fill, sms_segments
from scheduling import selectors as scheduling_selectors

LANGUAGE_NAMES = {"en": "English", "pl": "Polski", "es": "Español", "ru": "Русский"}


def _template_key(event: str, channel: str, language: str) -> tuple[str, str, str]:
    if event not in defaults.PLACEHOLDERS or channel not in ("email", "sms") or \
            language not in LANGUAGE_NAMES:
        raise Http404
    return event, channel, language


@staff_required
def template_list(request: HttpRequest) -> HttpResponse:
    overrides = selectors.template_overrides()
    rows = []
    for event in defaults.PLACEHOLDERS:
        for channel in ("email", "sms"):
            for language in LANGUAGE_NAMES:
                custom = overrides.get((event, channel, language))
                text = (defaults.Text(custom.subject, custom.body) if custom else
                        defaults.default_text(event=event, channel=channel, language=language))
                rows.append({
                    "event": event, "event_label": Event(event).label, "channel": channel,
                    "language": language, "language_name": LANGUAGE_NAMES[language],
                    "custom": custom is not None,
                    "segments": (sms_segments(fill(text.body, defaults.SAMPLE))
                                 if channel == "sms" else None),
                })
    return render(request, "notifications/template_list.html", {"rows": rows})


@firm_admin_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    event, channel, language = _template_key(event, channel, language)
    current = text_for(None, event=event, channel=channel, language=language)
    form = TemplateForm(request.POST or None,
                        initial={"subject": current.subject, "body": current.body})
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "save":
            try:
                services.template_save(actor=request.user, meta=RequestMeta.from_request(request), event=event,
                                       channel=channel, language=language,
                                       subject=form.cleaned_data["subject"],
                                       body=form.cleaned_data["body"])
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The text is saved."))
                return redirect("notifications:template-list")
    subject = form["subject"].value() or ""
    body = form["body"].value() or ""
    preview_body = fill(body, defaults.SAMPLE)
    return render(request, "notifications/template_edit.html", {
        "form": form, "event": event, "event_label": Event(event).label, "channel": channel,
        "language": language, "language_name": LANGUAGE_NAMES[language],
        "placeholders": defaults.PLACEHOLDERS[event], "sample": defaults.SAMPLE,
        "preview_subject": fill(subject, defaults.SAMPLE), "preview_body": preview_body,
        "segments": sms_segments(preview_body) if channel == "sms" else None,
    })


@firm_admin_required
@require_POST
def template_reset(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    event, channel, language = _template_key(event, channel, language)
    services.template_reset(actor=request.user, meta=RequestMeta.from_request(request), event=event, channel=channel,
                            language=language)
    messages.success(request, _("The original text is back."))
    return redirect("notifications:template-list")


@staff_required
def silence_list(request: HttpRequest) -> HttpResponse:
    matters = selectors.silent_matters_for_user(user=request.user)
    return render(request, "notifications/silence_list.html", {"matters": matters})


@staff_required
@require_http_methods(["GET", "POST"])
def silence_checkin(request: HttpRequest, matter_id: str) -> HttpResponse:
    matter = selectors.silent_matter_get_for_user(user=request.user, matter_id=matter_id)
    draft = services.checkin_draft(matter=matter)
    form = CheckinForm(request.POST or None, initial={"title": draft.subject,
                                                      "body": draft.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_send(actor=request.user, meta=RequestMeta.from_request(request), matter=matter,
                                  title=form.cleaned_data["title"],
                                  body=form.cleaned_data["body"])
        except Exception as exc:  # validation of the timeline entry (plain text rules)
            form.add_error(None, _("The update could not be posted: %(e)s") % {
                "e": getattr(exc, "messages", [str(exc)])[0]})
        else:
            messages.success(request, _("The update is on the client's timeline."))
            return redirect("notifications:silence-list")
    return render(request, "notifications/silence_checkin.html",
                  {"matter": matter, "form": form})


@staff_required
def appointment_reminders(request: HttpRequest, appointment_id: str) -> HttpResponse:
    appointment = scheduling_selectors.appointment_get_for_staff(
        user=request.user, appointment_id=appointment_id)
    return render(request, "notifications/appointment_reminders.html",
                  {"appointment": appointment})


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest, delivery_id: str) -> HttpResponse:
    """Twilio's delivery report for one SMS; the signature covers the URL and the form."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    base = settings.TWILIO_STATUS_CALLBACK_URL or settings.SITE_URL
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    url = f"{parts.scheme}://{parts.netloc}{request.get_full_path()}"
    if not token or not signature or not RequestValidator(token).validate(
            url, request.POST.dict(), signature):
        return HttpResponse(status=403)
    services.sms_status_record(delivery_id=delivery_id,
                               message_sid=request.POST.get("MessageSid", "")[:64],
                               status=request.POST.get("MessageStatus", ""),
                               error_code=request.POST.get("ErrorCode", ""))
    # 204 whatever happened: Twilio needs no retry for a report we chose to ignore.
    return HttpResponse(status=204)
