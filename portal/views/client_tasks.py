"""Client tasks: the list, marking done, assigning and the overdue list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.decorators import portal_user_required, staff_required
from core.errors import ServiceError
from core.forms import SaneDateField
from core.http import RequestMeta
from portal import selectors, services, task_links
from portal.models import ClientTask
from portal.types import Request
from portal.views.requests import DATE


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ClientTask.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_date = SaneDateField(label=gettext_lazy("Due date"), widget=DATE)


@portal_user_required
def task_list(request: Request, matter_id: str) -> HttpResponse:
    user = request.user
    matter = selectors.matter_get_for_user(user=user, matter_id=matter_id)
    return _task_page(request, matter)


def _task_page(
    request: Request, matter: Any, *, form: TaskForm | None = None, status: int = 200
) -> HttpResponse:
    """The task list; a refused "assign a task" form comes back with what was typed."""
    user = request.user
    tasks = selectors.client_tasks_for_viewer(user=user, matter=matter)
    page = Paginator(tasks, 25).get_page(request.GET.get("page"))
    task_links.attach(user=user, tasks=page)
    return render(
        request,
        "portal/tasks.html",
        {
            "matter": matter,
            "page": page,
            "form": form or TaskForm(),
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_POST
@portal_user_required
def task_done(request: Request, task_id: str) -> HttpResponse:
    task = selectors.client_task_get_for_user(user=request.user, task_id=task_id)
    services.client_task_complete(
        actor=request.user, meta=RequestMeta.from_request(request), task=task
    )
    flash.success(request, _("Marked as done. Thank you."))
    target = request.POST.get("next")
    if target == "home":
        return redirect("portal:home")
    return redirect("portal:task-list", matter_id=task.matter_id)


@require_POST
@staff_required
def task_create(request: Request, matter_id: str) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    form = TaskForm(request.POST)
    if form.is_valid():
        try:
            services.client_task_create(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                matter=matter,
                **form.cleaned_data,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, _("Task assigned."))
            return redirect("portal:task-list", matter_id=matter.pk)
    return _task_page(request, matter, form=form, status=400)


@staff_required
def tasks_overdue(request: Request) -> HttpResponse:
    tasks = selectors.overdue_tasks_for_staff(user=request.user)[:200]
    return render(request, "staff/tasks_overdue.html", {"tasks": tasks})
