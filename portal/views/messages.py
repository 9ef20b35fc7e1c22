"""Secure messages on a matter: one thread that clients, staff and co-counsel share."""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.decorators import portal_user_required
from core.errors import ServiceError
from core.http import RequestMeta
from portal import selectors, services
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
        times = selectors.matter_response_times(matter=matter)
        for message in page:
            message.response_time = times.get(message.pk)  # type: ignore[attr-defined]  # for the page only
    return render(request, "portal/messages.html", context)
