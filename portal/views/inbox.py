"""The staff inbox: matters waiting for the firm, oldest first, and "no reply needed"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import staff_required
from core.errors import ServiceError
from core.forms import flash_form_errors
from core.http import RequestMeta
from portal import selectors, services
from portal.forms import InboxDismissForm
from portal.types import Request


@staff_required
def inbox(request: Request) -> HttpResponse:
    rows = selectors.inbox_for_staff(user=request.user, now=timezone.now())
    return render(request, "staff/inbox.html", {"rows": rows, "form": InboxDismissForm()})


@staff_required
@require_POST
def inbox_dismiss(request: Request, matter_id: str) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    form = InboxDismissForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("staff:inbox")
    try:
        services.inbox_dismiss(
            actor=request.user,
            meta=RequestMeta.from_request(request),
            matter=matter,
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(ref)s left the inbox: no reply needed.") % {"ref": matter.reference}
        )
    return redirect("staff:inbox")
