"""Tags for firm admins: the list with counts, create, rename, merge, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import firm_admin_required
from core.errors import ServiceError
from core.http import RequestMeta
from portal import selectors, services
from portal.forms import TagForm, TagMergeForm
from portal.types import Request


@firm_admin_required
def tag_list(request: Request) -> HttpResponse:
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.tag_create(
                actor=request.user, meta=RequestMeta.from_request(request), **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Tag created."))
            return redirect("staff:tag-list")
    tags = selectors.tags_for_admin(user=request.user)
    return render(request, "staff/tag_list.html", {"tags": tags, "form": form})


@firm_admin_required
def tag_edit(request: Request, tag_id: str) -> HttpResponse:
    tag = selectors.tag_get_for_admin(user=request.user, tag_id=tag_id)
    form = TagForm(request.POST or None, initial={"name": tag.name, "category": tag.category})
    merge = TagMergeForm(source=tag)
    if request.method == "POST" and form.is_valid():
        try:
            services.tag_update(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                tag=tag,
                **form.cleaned_data,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Tag saved."))
            return redirect("staff:tag-list")
    return render(request, "staff/tag_form.html", {"tag": tag, "form": form, "merge": merge})


@firm_admin_required
@require_POST
def tag_merge(request: Request, tag_id: str) -> HttpResponse:
    tag = selectors.tag_get_for_admin(user=request.user, tag_id=tag_id)
    form = TagMergeForm(request.POST, source=tag)
    if not form.is_valid():
        messages.error(request, _("Choose the tag to merge into."))
        return redirect("staff:tag-edit", tag_id=tag.pk)
    target = form.cleaned_data["target"]
    try:
        services.tag_merge(
            actor=request.user, meta=RequestMeta.from_request(request), source=tag, target=target
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("staff:tag-edit", tag_id=tag.pk)
    messages.success(
        request, _("“%(a)s” is merged into “%(b)s”.") % {"a": tag.name, "b": target.name}
    )
    return redirect("staff:tag-list")


@firm_admin_required
@require_POST
def tag_delete(request: Request, tag_id: str) -> HttpResponse:
    tag = selectors.tag_get_for_admin(user=request.user, tag_id=tag_id)
    services.tag_delete(actor=request.user, meta=RequestMeta.from_request(request), tag=tag)
    messages.success(request, _("Tag deleted; contacts and matters keep everything else."))
    return redirect("staff:tag-list")
