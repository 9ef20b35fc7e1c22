"""Secure messages on a matter: one thread that clients, staff and co-counsel share."""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.decorators import portal_user_required, staff_required
from core.errors import ServiceError
from core.forms import flash_form_errors
from core.http import RequestMeta
from portal import selectors, services
from portal.forms import NoReplyNeededForm
from portal.models import MESSAGE_MAX_CHARS
from portal.types import Request
from portal.uploads import max_upload_bytes, upload_was_refused

PAGE_SIZE = 30


class MessageForm(forms.Form):
    # The limit is checked by the service too; the form gives the message in the page.
    text = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_CHARS}),
        strip=True,
        required=False,
    )


def upload_too_large_message() -> str:
    return _("A file is larger than the limit of %(mb)d MB. Nothing was uploaded.") % {
        "mb": max_upload_bytes() // (1024 * 1024)
    }


@portal_user_required
def message_list(request: Request, matter_id: str) -> HttpResponse:
    user = request.user
    matter = selectors.matter_get_for_user(user=user, matter_id=matter_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if upload_was_refused(request):
            flash.error(request, upload_too_large_message())
        elif form.is_valid():
            try:
                services.message_send(
                    actor=user,
                    meta=RequestMeta.from_request(request),
                    matter=matter,
                    text=form.cleaned_data["text"],
                    files=request.FILES.getlist("files"),
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                flash.success(request, _("Your message is sent."))
                return redirect("portal:message-list", matter_id=matter.pk)
        if upload_was_refused(request):
            return redirect("portal:message-list", matter_id=matter.pk)
    thread = selectors.messages_for_viewer(user=user, matter=matter)
    page = Paginator(thread, PAGE_SIZE).get_page(request.GET.get("page"))
    own_side = "firm" if user.is_firm_side else "client"
    services.messages_mark_read(
        user=user,
        meta=RequestMeta.from_request(request),
        matter=matter,
        # Only the other side's unread ones: a page already read opens no transaction.
        message_ids=[m.pk for m in page if m.read_at is None and m.side != own_side],
    )
    context = {
        "matter": matter,
        "page": page,
        "form": form,
        "max_mb": max_upload_bytes() // (1024 * 1024),
    }
    if user.is_firm_staff:
        # The badge is the wait a run of client messages started (portal.waits): the
        # same numbers insights counts. Later messages of the run point to it.
        waits = selectors.matter_waits(matter=matter, now=timezone.now())
        started = {w.client_message_id: w for w in waits}
        open_ids = {pk for w in waits if w.is_open for pk in w.message_ids}
        for message in page:
            message.wait = started.get(message.pk)  # type: ignore[attr-defined]  # for the page only
            message.can_mark_no_reply = message.pk in open_ids  # type: ignore[attr-defined]  # for the page only
        context["no_reply_form"] = NoReplyNeededForm()
    return render(request, "portal/messages.html", context)


@staff_required
@require_POST
def message_no_reply(request: Request, message_id: str) -> HttpResponse:
    """ "No reply needed" on a client message, with the reason: its wait ends."""
    message = selectors.message_get_for_staff(user=request.user, message_id=message_id)
    form = NoReplyNeededForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.message_mark_no_reply_needed(
                actor=request.user,
                message_id=message.pk,
                reason=form.cleaned_data["reason"],
                meta=RequestMeta.from_request(request),
            )
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, _("Marked as needing no reply."))
    return redirect(f"{reverse('portal:message-list', args=[message.matter_id])}#m-{message.pk}")
