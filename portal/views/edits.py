"""Staff correct or withdraw what they posted; each edit page shows the item's history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.decorators import staff_required
from core.errors import ServiceError
from core.forms import DateTimeLocalInput, SaneDateField, SaneDateTimeField
from core.http import RequestMeta
from portal import selectors, services
from portal.models import Folder, Revision, TimelineEntry
from portal.types import Request
from portal.views.client_tasks import TaskForm
from portal.views.requests import DATE

# The words for each field in the history ("Title: … → …").
FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "body": gettext_lazy("Text"),
    "occurred_at": gettext_lazy("Date"),
    "shared_with_client": gettext_lazy("Visible to the client"),
    "shared_with_cocounsel": gettext_lazy("Visible to co-counsel"),
    "kind": gettext_lazy("Kind"),
    "description": gettext_lazy("Details"),
    "due_date": gettext_lazy("Due date"),
    "status": gettext_lazy("Status"),
    "label": gettext_lazy("Item"),
    "items_added": gettext_lazy("Items added"),
    "name": gettext_lazy("Name"),
    "folder": gettext_lazy("Folder"),
}


def _shown(value: Any) -> str:
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _history(revisions: Iterable[Revision]) -> list[dict[str, Any]]:
    return [
        {
            "revision": r,
            "changes": [
                (str(FIELD_LABELS.get(field, field)), _shown(old), _shown(new))
                for field, (old, new) in r.changes.items()
            ],
        }
        for r in revisions
    ]


def _page(request: Request, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return render(request, "staff/edit_posted.html", context, status=status)


# ---------------------------------------------------------------------------
# Timeline entries
# ---------------------------------------------------------------------------
class TimelineCorrectionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    occurred_at = SaneDateTimeField(
        label=gettext_lazy("Date"),
        widget=DateTimeLocalInput(),
    )
    shared_with_client = forms.BooleanField(
        label=gettext_lazy("Visible to the client"), required=False
    )

    def __init__(self, *args: Any, entry: TimelineEntry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry
        if entry.kind == TimelineEntry.Kind.STAGE:
            # A stage change keeps the stage's name and stays visible; its note is editable.
            del self.fields["title"]
            del self.fields["shared_with_client"]
        else:
            self.fields["title"].required = True


@staff_required
def timeline_edit(request: Request, entry_id: str) -> HttpResponse:
    entry = selectors.timeline_entry_get_for_staff(user=request.user, entry_id=entry_id)
    initial = {
        "title": entry.title,
        "body": entry.body,
        "occurred_at": timezone.localtime(entry.occurred_at),
        "shared_with_client": entry.shared_with_client,
    }
    form = TimelineCorrectionForm(request.POST or None, initial=initial, entry=entry)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.timeline_entry_correct(
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    entry=entry,
                    title=data.get("title", entry.title),
                    body=data["body"],
                    occurred_at=data["occurred_at"],
                    shared_with_client=data.get("shared_with_client"),
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                flash.success(request, _("The correction is saved; the client sees the new text."))
                return redirect("staff:matter-detail", matter_id=entry.matter_id)
        status = 400
    return _page(
        request,
        {
            "heading": _("Correct a timeline entry"),
            "matter": entry.matter,
            "back": reverse("staff:matter-detail", args=[entry.matter_id]),
            "form": form if entry.withdrawn_at is None else None,
            "withdrawn": entry.withdrawn_at,
            "withdraw_url": reverse("staff:timeline-withdraw", args=[entry.pk])
            if entry.withdrawn_at is None
            else None,
            "withdraw_label": _("Withdraw this entry"),
            "withdraw_help": _("The client no longer sees it; it stays here, marked withdrawn."),
            "history": _history(
                selectors.revisions_for(kind=Revision.Kind.TIMELINE, object_ids=[entry.pk])
            ),
        },
        status=status,
    )


@require_POST
@staff_required
def timeline_withdraw(request: Request, entry_id: str) -> HttpResponse:
    entry = selectors.timeline_entry_get_for_staff(user=request.user, entry_id=entry_id)
    services.timeline_entry_withdraw(
        actor=request.user, meta=RequestMeta.from_request(request), entry=entry
    )
    flash.success(request, _("The entry is withdrawn; the client no longer sees it."))
    return redirect("staff:matter-detail", matter_id=entry.matter_id)


# ---------------------------------------------------------------------------
# Client tasks
# ---------------------------------------------------------------------------
@staff_required
def task_edit(request: Request, task_id: str) -> HttpResponse:
    task = selectors.client_task_get_for_staff(user=request.user, task_id=task_id)
    initial = {
        "kind": task.kind,
        "title": task.title,
        "description": task.description,
        "due_date": task.due_date,
    }
    is_open = task.status == task.Status.OPEN
    form = TaskForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if is_open and form.is_valid():
            try:
                services.client_task_update(
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    task=task,
                    **form.cleaned_data,
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                flash.success(request, _("Task saved."))
                return redirect("portal:task-list", matter_id=task.matter_id)
        status = 400
    return _page(
        request,
        {
            "heading": _("Change a client task"),
            "matter": task.matter,
            "back": reverse("portal:task-list", args=[task.matter_id]),
            "form": form if is_open else None,
            "closed_status": "" if is_open else task.get_status_display(),
            "withdraw_url": reverse("staff:task-cancel", args=[task.pk]) if is_open else None,
            "withdraw_label": _("Cancel this task"),
            "withdraw_help": _("The client sees it as cancelled and no longer gets reminders."),
            "history": _history(
                selectors.revisions_for(kind=Revision.Kind.TASK, object_ids=[task.pk])
            ),
        },
        status=status,
    )


@require_POST
@staff_required
def task_cancel(request: Request, task_id: str) -> HttpResponse:
    task = selectors.client_task_get_for_staff(user=request.user, task_id=task_id)
    try:
        services.client_task_cancel(
            actor=request.user, meta=RequestMeta.from_request(request), task=task
        )
    except ServiceError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, _("Task cancelled."))
    return redirect("portal:task-list", matter_id=task.matter_id)


# ---------------------------------------------------------------------------
# Document requests
# ---------------------------------------------------------------------------
class RequestEditForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    due_date = SaneDateField(label=gettext_lazy("Due date"), widget=DATE)
    new_items = forms.CharField(
        label=gettext_lazy("Add items, one per line"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, items: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_fields: list[tuple[str, Any]] = []
        for item in items:
            name = f"item_{item.pk}"
            self.fields[name] = forms.CharField(
                label=gettext_lazy("Item"), max_length=200, initial=item.label
            )
            self.item_fields.append((name, item))

    def labels(self) -> dict[str, str]:
        return {str(item.pk): self.cleaned_data[name] for name, item in self.item_fields}


@staff_required
def request_edit(request: Request, request_id: str) -> HttpResponse:
    doc_request = selectors.document_request_get_for_staff(user=request.user, request_id=request_id)
    items = list(doc_request.items.order_by("position"))
    live = [i for i in items if i.status != i.Status.WITHDRAWN]
    is_live = doc_request.status != doc_request.Status.WITHDRAWN
    form = RequestEditForm(
        request.POST or None,
        items=live,
        initial={"title": doc_request.title, "due_date": doc_request.due_date},
    )
    status = 200
    if request.method == "POST":
        if is_live and form.is_valid():
            try:
                services.document_request_update(
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    doc_request=doc_request,
                    title=form.cleaned_data["title"],
                    due_date=form.cleaned_data["due_date"],
                    labels=form.labels(),
                    new_items=form.cleaned_data["new_items"].splitlines(),
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                flash.success(request, _("The checklist is saved."))
                return redirect("portal:request-list", matter_id=doc_request.matter_id)
        status = 400
    item_ids = [i.pk for i in items]
    history = [
        *selectors.revisions_for(kind=Revision.Kind.REQUEST, object_ids=[doc_request.pk]),
        *selectors.revisions_for(kind=Revision.Kind.REQUEST_ITEM, object_ids=item_ids),
    ]
    labels = {i.pk: i.label for i in items}
    rows = _history(sorted(history, key=lambda r: r.edited_at, reverse=True))
    for row in rows:
        row["item"] = labels.get(row["revision"].object_id, "")
    return _page(
        request,
        {
            "heading": _("Change the requested documents"),
            "matter": doc_request.matter,
            "back": reverse("portal:request-list", args=[doc_request.matter_id]),
            "form": form if is_live else None,
            "closed_status": "" if is_live else doc_request.get_status_display(),
            "items": [
                (
                    i,
                    form[f"item_{i.pk}"] if i.status != i.Status.WITHDRAWN else None,
                    i.status not in (i.Status.ACCEPTED, i.Status.WITHDRAWN),
                )
                for i in items
            ]
            if is_live
            else [],
            "withdraw_url": reverse("staff:request-withdraw", args=[doc_request.pk])
            if is_live
            else None,
            "withdraw_label": _("Withdraw the whole checklist"),
            "withdraw_help": _(
                "The client no longer sees it; files already sent stay in the documents."
            ),
            "history": rows,
        },
        status=status,
    )


@require_POST
@staff_required
def request_withdraw(request: Request, request_id: str) -> HttpResponse:
    doc_request = selectors.document_request_get_for_staff(user=request.user, request_id=request_id)
    try:
        services.document_request_withdraw(
            actor=request.user, meta=RequestMeta.from_request(request), doc_request=doc_request
        )
    except ServiceError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, _("The checklist is withdrawn."))
    return redirect("portal:request-list", matter_id=doc_request.matter_id)


@require_POST
@staff_required
def request_item_withdraw(request: Request, item_id: str) -> HttpResponse:
    item = selectors.request_item_get_for_user(user=request.user, item_id=item_id)
    try:
        services.request_item_withdraw(
            actor=request.user, meta=RequestMeta.from_request(request), item=item
        )
    except ServiceError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, _("The item is withdrawn; the client no longer needs to send it."))
    return redirect("staff:request-edit", request_id=item.request_id)


# ---------------------------------------------------------------------------
# Folders and documents
# ---------------------------------------------------------------------------
class FolderRenameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Folder name"), max_length=120)


@staff_required
def folder_edit(request: Request, folder_id: str) -> HttpResponse:
    folder = selectors.folder_get_for_staff(user=request.user, folder_id=folder_id)
    form = FolderRenameForm(request.POST or None, initial={"name": folder.name})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.folder_rename(
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    folder=folder,
                    name=form.cleaned_data["name"],
                )
            except ServiceError as exc:
                form.add_error("name", str(exc))
            else:
                flash.success(request, _("Folder renamed."))
                return redirect(
                    f"{reverse('portal:document-list', args=[folder.matter_id])}?folder={folder.pk}"
                )
        status = 400
    return _page(
        request,
        {
            "heading": _("Rename a folder"),
            "matter": folder.matter,
            "back": reverse("portal:document-list", args=[folder.matter_id]),
            "form": form,
            "history": _history(
                selectors.revisions_for(kind=Revision.Kind.FOLDER, object_ids=[folder.pk])
            ),
        },
        status=status,
    )


class DocumentEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Document name"), max_length=200)
    folder = forms.ModelChoiceField(label=gettext_lazy("Folder"), queryset=Folder.objects.none())

    def __init__(self, *args: Any, folders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["folder"].queryset = folders  # type: ignore[attr-defined]  # a ModelChoiceField


@staff_required
def document_edit(request: Request, document_id: str) -> HttpResponse:
    document = selectors.document_get_for_staff(user=request.user, document_id=document_id)
    folders = selectors.folders_for_viewer(user=request.user, matter=document.matter).exclude(
        name=services.ATTACHMENTS_FOLDER
    )
    form = DocumentEditForm(
        request.POST or None,
        folders=folders,
        initial={"name": document.name, "folder": document.folder_id},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.document_edit(
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    document=document,
                    name=form.cleaned_data["name"],
                    folder=form.cleaned_data["folder"],
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                flash.success(request, _("Document saved; its versions are kept."))
                return redirect("portal:document-detail", document_id=document.pk)
        status = 400
    return _page(
        request,
        {
            "heading": _("Rename or move a document"),
            "matter": document.matter,
            "back": reverse("portal:document-detail", args=[document.pk]),
            "form": form,
            "history": _history(
                selectors.revisions_for(kind=Revision.Kind.DOCUMENT, object_ids=[document.pk])
            ),
        },
        status=status,
    )
