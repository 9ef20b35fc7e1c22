"""Document requests: the checklist page, client uploads and staff review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.decorators import portal_user_required, staff_required
from core.errors import ServiceError
from core.forms import DateInput, SaneDateField, flash_form_errors
from core.http import RequestMeta
from portal import selectors, services
from portal.types import Request
from portal.uploads import max_upload_bytes, upload_was_refused
from portal.views.messages import upload_too_large_message

DATE = DateInput()


class DocumentRequestForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"), max_length=200, initial=gettext_lazy("Documents we need")
    )
    due_date = SaneDateField(label=gettext_lazy("Due date"), widget=DATE)
    items = forms.CharField(
        label=gettext_lazy("Items, one per line"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", gettext_lazy("Accept")), ("return", gettext_lazy("Send back"))]
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment for the client"), max_length=1000, required=False
    )


@portal_user_required
def request_list(request: Request, matter_id: str) -> HttpResponse:
    matter = selectors.matter_get_for_user(user=request.user, matter_id=matter_id)
    return _request_page(request, matter)


def _request_page(
    request: Request,
    matter: Any,
    *,
    form: DocumentRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The checklists; a refused "ask for documents" form comes back with what was typed."""
    requests_ = selectors.document_requests_for_viewer(user=request.user, matter=matter)
    page = Paginator(requests_, 10).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/requests.html",
        {
            "matter": matter,
            "page": page,
            "form": form or DocumentRequestForm(),
            "review_form": ReviewForm(),
            "max_mb": max_upload_bytes() // (1024 * 1024),
        },
        status=status,
    )


@require_POST
@portal_user_required
def request_item_upload(request: Request, item_id: str) -> HttpResponse:
    user = request.user
    item = selectors.request_item_get_for_user(user=user, item_id=item_id)
    matter = item.request.matter
    if upload_was_refused(request):
        flash.error(request, upload_too_large_message())
    else:
        try:
            services.request_item_upload(
                actor=user,
                meta=RequestMeta.from_request(request),
                item=item,
                files=request.FILES.getlist("files"),
            )
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, _("Thank you, your lawyer will review it."))
    return redirect("portal:request-list", matter_id=matter.pk)


@require_POST
@staff_required
def request_create(request: Request, matter_id: str) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    form = DocumentRequestForm(request.POST)
    if form.is_valid():
        try:
            services.document_request_create(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                matter=matter,
                title=form.cleaned_data["title"],
                due_date=form.cleaned_data["due_date"],
                items=form.cleaned_data["items"].splitlines(),
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, _("The checklist is posted."))
            return redirect("portal:request-list", matter_id=matter.pk)
    return _request_page(request, matter, form=form, status=400)


@require_POST
@staff_required
def request_item_review(request: Request, item_id: str) -> HttpResponse:
    item = selectors.request_item_get_for_user(user=request.user, item_id=item_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.request_item_review(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                item=item,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
            )
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, _("Review saved."))
    else:
        flash_form_errors(request, form)
    return redirect("portal:request-list", matter_id=item.request.matter_id)
