"""Document requests, client tasks and status updates to several matters."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.http import RequestMeta
from portal import selectors, services
from portal.models import ClientTask, TimelineEntry
from portal.uploads import max_upload_bytes, upload_was_refused
from portal.views.decorators import portal_user_required, staff_required
from portal.views.feedback import flash_form_errors
from portal.views.messages import upload_too_large_message

DATE = forms.DateInput(attrs={"type": "date"})


class DocumentRequestForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200,
                            initial=gettext_lazy("Documents we need"))
    due_date = forms.DateField(label=gettext_lazy("Due date"), widget=DATE)
    items = forms.CharField(label=gettext_lazy("Items, one per line"), max_length=10_000,
                            widget=forms.Textarea(attrs={"rows": 5}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", gettext_lazy("Accept")),
                                          ("return", gettext_lazy("Send back"))])
    comment = forms.CharField(label=gettext_lazy("Comment for the client"), max_length=1000,
                              required=False)


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ClientTask.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(label=gettext_lazy("Details"), max_length=2000,
                                  required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=gettext_lazy("Due date"), widget=DATE)


class StatusUpdateForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[
        (TimelineEntry.Kind.UPDATE, TimelineEntry.Kind.UPDATE.label),
        (TimelineEntry.Kind.EVENT, TimelineEntry.Kind.EVENT.label)])
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Text"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    occurred_at = forms.DateTimeField(label=gettext_lazy("Date"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    matters = forms.MultipleChoiceField(label=gettext_lazy("Matters"),
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: object, matters: object = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.matter_objects = {str(m.pk): m for m in matters}  # type: ignore[attr-defined]
        field = cast(forms.MultipleChoiceField, self.fields["matters"])
        field.choices = [
            (pk, f"{m.reference} {m.title}") for pk, m in self.matter_objects.items()]


# ---------------------------------------------------------------------------
# Document requests
# ---------------------------------------------------------------------------
@portal_user_required
def request_list(request: HttpRequest, matter_id: str) -> HttpResponse:
    user = request.user
    matter = selectors.matter_get_for_user(user=user, matter_id=matter_id)
    requests_ = selectors.document_requests_for_viewer(user=user, matter=matter)  # type: ignore[arg-type]
    page = Paginator(requests_, 10).get_page(request.GET.get("page"))
    return render(request, "portal/requests.html", {
        "matter": matter, "page": page, "form": DocumentRequestForm(),
        "review_form": ReviewForm(), "max_mb": max_upload_bytes() // (1024 * 1024),
    })


@require_POST
@portal_user_required
def request_item_upload(request: HttpRequest, item_id: str) -> HttpResponse:
    user = request.user
    item = selectors.request_item_get_for_user(user=user, item_id=item_id)  # type: ignore[arg-type]
    matter = item.request.matter
    if upload_was_refused(request):
        flash.error(request, upload_too_large_message())
    else:
        try:
            services.request_item_upload(actor=user, meta=RequestMeta.from_request(request), item=item,  # type: ignore[arg-type]
                                         files=request.FILES.getlist("files"))
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, _("Thank you, your lawyer will review it."))
    return redirect("portal:request-list", matter_id=matter.pk)


@require_POST
@staff_required
def request_create(request: HttpRequest, matter_id: str) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)  # type: ignore[arg-type]
    form = DocumentRequestForm(request.POST)
    if form.is_valid():
        try:
            services.document_request_create(
                actor=request.user, meta=RequestMeta.from_request(request), matter=matter,  # type: ignore[arg-type]
                title=form.cleaned_data["title"], due_date=form.cleaned_data["due_date"],
                items=form.cleaned_data["items"].splitlines(),
            )
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, _("The checklist is posted."))
    else:
        flash_form_errors(request, form)
    return redirect("portal:request-list", matter_id=matter.pk)


@require_POST
@staff_required
def request_item_review(request: HttpRequest, item_id: str) -> HttpResponse:
    item = selectors.request_item_get_for_user(user=request.user, item_id=item_id)  # type: ignore[arg-type]
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.request_item_review(
                actor=request.user, meta=RequestMeta.from_request(request), item=item,  # type: ignore[arg-type]
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


# ---------------------------------------------------------------------------
# Client tasks
# ---------------------------------------------------------------------------
@portal_user_required
def task_list(request: HttpRequest, matter_id: str) -> HttpResponse:
    user = request.user
    matter = selectors.matter_get_for_user(user=user, matter_id=matter_id)
    tasks = selectors.client_tasks_for_viewer(user=user, matter=matter)  # type: ignore[arg-type]
    page = Paginator(tasks, 25).get_page(request.GET.get("page"))
    return render(request, "portal/tasks.html",
                  {"matter": matter, "page": page, "form": TaskForm(),
                   "today": timezone.localdate()})


@require_POST
@portal_user_required
def task_done(request: HttpRequest, task_id: str) -> HttpResponse:
    task = selectors.client_task_get_for_user(user=request.user, task_id=task_id)  # type: ignore[arg-type]
    services.client_task_complete(actor=request.user, meta=RequestMeta.from_request(request), task=task)  # type: ignore[arg-type]
    flash.success(request, _("Marked as done. Thank you."))
    target = request.POST.get("next")
    if target == "home":
        return redirect("portal:home")
    return redirect("portal:task-list", matter_id=task.matter_id)


@require_POST
@staff_required
def task_create(request: HttpRequest, matter_id: str) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)  # type: ignore[arg-type]
    form = TaskForm(request.POST)
    if form.is_valid():
        try:
            services.client_task_create(actor=request.user, meta=RequestMeta.from_request(request), matter=matter,  # type: ignore[arg-type]
                                        **form.cleaned_data)
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, _("Task assigned."))
    else:
        flash_form_errors(request, form)
    return redirect("portal:task-list", matter_id=matter.pk)


@staff_required
def tasks_overdue(request: HttpRequest) -> HttpResponse:
    tasks = selectors.overdue_tasks_for_staff(user=request.user)[:200]  # type: ignore[arg-type]
    return render(request, "staff/tasks_overdue.html", {"tasks": tasks})


# ---------------------------------------------------------------------------
# Status updates to several matters
# ---------------------------------------------------------------------------
@staff_required
def status_update(request: HttpRequest) -> HttpResponse:
    user = request.user
    matters = selectors.matter_list_for_staff(user=user).exclude(stage="closed")[:200]  # type: ignore[arg-type]
    form = StatusUpdateForm(request.POST or None, matters=matters,
                            initial={"occurred_at": timezone.localtime()})
    if request.method == "POST" and form.is_valid():
        chosen = [form.matter_objects[pk] for pk in form.cleaned_data["matters"]]
        try:
            entries = services.status_update_post_many(
                actor=user, meta=RequestMeta.from_request(request), matters=chosen,  # type: ignore[arg-type]
                title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                kind=form.cleaned_data["kind"], occurred_at=form.cleaned_data["occurred_at"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, ngettext("Posted to %(n)d matter.", "Posted to %(n)d matters.",
                                            len(entries)) % {"n": len(entries)})
            return redirect("staff:status-update")
    return render(request, "staff/status_update.html", {"form": form})
