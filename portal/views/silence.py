"""The silence alarm's pages: the lawyer's silent matters and the one-click check-in."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.decorators import staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from portal import selectors, services
from portal.types import Request


class CheckinForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Update for the client"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


@staff_required
def silence_list(request: Request) -> HttpResponse:
    matters = selectors.silent_matters_for_user(user=request.user)
    return render(request, "staff/silence_list.html", {"matters": matters})


@staff_required
@require_http_methods(["GET", "POST"])
def silence_checkin(request: Request, matter_id: str) -> HttpResponse:
    matter = selectors.silent_matter_get_for_user(user=request.user, matter_id=matter_id)
    draft = services.checkin_draft(matter=matter)
    form = CheckinForm(request.POST or None, initial={"title": draft.subject, "body": draft.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_send(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                matter=matter,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:  # the timeline entry's plain-text rules
            form.add_error(
                None, _("The update could not be posted: %(e)s") % {"e": exc.messages[0]}
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The update is on the client's timeline and the client is notified.")
            )
            return redirect("staff:silence-list")
    return render(request, "staff/silence_checkin.html", {"matter": matter, "form": form})
