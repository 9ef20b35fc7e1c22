"""Folders, documents, versions and the permission-checked download."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages as flash
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.decorators import portal_user_required, staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from portal import selectors, services
from portal.models import Document, DocumentVersion, Folder, User
from portal.types import Request
from portal.uploads import ALLOWED_TYPES, content_disposition, max_upload_bytes, upload_was_refused
from portal.views.messages import upload_too_large_message

PAGE_SIZE = 25
# Types a browser may be told about; anything else is an opaque byte stream.
SERVED_TYPES = ALLOWED_TYPES - {"text/plain"}


class FolderForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Folder name"), max_length=120)
    shared_with_client = forms.BooleanField(
        label=gettext_lazy("Visible to the client"), required=False, initial=True
    )
    client_can_upload = forms.BooleanField(
        label=gettext_lazy("The client may upload here"), required=False
    )
    shared_with_cocounsel = forms.BooleanField(
        label=gettext_lazy("Visible to co-counsel"), required=False
    )


def _uploadable_folders(user: User, folders: list[Folder]) -> list[Folder]:
    if user.is_firm_side:
        return [f for f in folders if f.name != services.ATTACHMENTS_FOLDER]
    return [f for f in folders if f.client_can_upload]


@portal_user_required
def document_list(request: Request, matter_id: str) -> HttpResponse:
    user = request.user
    matter = selectors.matter_get_for_user(user=user, matter_id=matter_id)
    folders = list(selectors.folders_for_viewer(user=user, matter=matter))
    if request.method == "POST":
        if upload_was_refused(request):
            flash.error(request, upload_too_large_message())
        else:
            try:
                folder = selectors.folder_get_for_user(
                    user=user, matter=matter, folder_id=request.POST.get("folder")
                )
                versions = services.document_upload(
                    actor=user,
                    meta=RequestMeta.from_request(request),
                    matter=matter,
                    folder=folder,
                    files=request.FILES.getlist("files"),
                    shared_with_client=request.POST.get("shared_with_client") == "on",
                    shared_with_cocounsel=request.POST.get("shared_with_cocounsel") == "on",
                )
            except ServiceError as exc:
                flash.error(request, str(exc))
            except Http404:
                flash.error(request, _("Choose a folder from the list."))
            else:
                flash.success(
                    request,
                    ngettext("%(n)d file uploaded.", "%(n)d files uploaded.", len(versions))
                    % {"n": len(versions)},
                )
        return redirect("portal:document-list", matter_id=matter.pk)
    current = None
    if request.GET.get("folder"):
        # One folder's documents; a folder this person may not see is a 404.
        current = selectors.folder_get_for_user(
            user=user, matter=matter, folder_id=request.GET["folder"]
        )
    documents = selectors.documents_for_viewer(user=user, matter=matter, folder=current)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    deleted = (
        selectors.documents_for_viewer(user=user, matter=matter, deleted=True)[:20]
        if user.is_firm_staff
        else []
    )
    return render(
        request,
        "portal/documents.html",
        {
            "matter": matter,
            "page": page,
            "folders": folders,
            "current_folder": current,
            "upload_folders": _uploadable_folders(user, folders),
            "deleted": deleted,
            "folder_form": FolderForm(),
            "max_mb": max_upload_bytes() // (1024 * 1024),
        },
    )


@portal_user_required
def document_detail(request: Request, document_id: str) -> HttpResponse:
    user = request.user
    document = selectors.document_get_for_user(user=user, document_id=document_id)
    services.document_record_view(
        user=user, meta=RequestMeta.from_request(request), document=document
    )
    versions = document.versions.select_related("uploaded_by").order_by("-number")
    return render(
        request,
        "portal/document_detail.html",
        {"document": document, "matter": document.matter, "versions": versions},
    )


def _served_type(version: DocumentVersion) -> str:
    if version.content_type == "text/plain":
        return "text/plain; charset=utf-8"
    if version.content_type in SERVED_TYPES:
        return version.content_type
    return "application/octet-stream"


@portal_user_required
def version_download(request: Request, version_id: str) -> HttpResponseBase:
    user = request.user
    version = selectors.version_get_for_user(user=user, version_id=version_id)
    services.document_record_download(
        user=user, meta=RequestMeta.from_request(request), version=version
    )
    disposition = content_disposition(version.document.name)
    if settings.AWS_STORAGE_BUCKET_NAME:
        # A short-lived presigned link; the object itself stays private.
        url = default_storage.url(  # type: ignore[call-arg]  # S3Storage.url takes these
            version.file.name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": _served_type(version),
            },
            expire=settings.ATRIUM_DOWNLOAD_URL_SECONDS,
        )
        response: HttpResponseBase = HttpResponseRedirect(url)
        response["Cache-Control"] = "no-store"
        return response
    # FileResponse streams the file in blocks; it is never read whole into memory.
    response = FileResponse(
        default_storage.open(version.file.name or "", "rb"), content_type=_served_type(version)
    )
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------
# Staff actions
# ---------------------------------------------------------------------------
@require_POST
@staff_required
def folder_create(request: Request, matter_id: str) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    form = FolderForm(request.POST)
    if form.is_valid():
        try:
            services.folder_create(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                matter=matter,
                **form.cleaned_data,
            )
        except ServiceError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, _("Folder created."))
    else:
        flash.error(request, _("Give the folder a name."))
    return redirect("portal:document-list", matter_id=matter.pk)


@require_POST
@staff_required
def folder_share_cocounsel(request: Request, folder_id: str) -> HttpResponse:
    folder = selectors.folder_get_for_staff(user=request.user, folder_id=folder_id)
    shared = request.POST.get("shared") == "1"
    services.folder_set_cocounsel(
        actor=request.user, meta=RequestMeta.from_request(request), folder=folder, shared=shared
    )
    if shared:
        flash.success(request, _("Co-counsel on this matter can see this folder now."))
    else:
        flash.success(request, _("Co-counsel no longer see this folder."))
    return redirect(
        f"{reverse('portal:document-list', args=[folder.matter_id])}?folder={folder.pk}"
    )


def _staff_document(
    request: Request, document_id: str, *, include_deleted: bool = False
) -> Document:
    return selectors.document_get_for_user(
        user=request.user, document_id=document_id, include_deleted=include_deleted
    )


@require_POST
@staff_required
def document_share(request: Request, document_id: str) -> HttpResponse:
    document = _staff_document(request, document_id)
    if "cocounsel" in request.POST:
        cocounsel = request.POST.get("cocounsel") == "1"
        document = services.document_set_shared(
            actor=request.user,
            meta=RequestMeta.from_request(request),
            document=document,
            cocounsel=cocounsel,
        )
        if not cocounsel:
            flash.success(request, _("Co-counsel no longer see this document."))
        elif document.folder.shared_with_client or document.folder.shared_with_cocounsel:
            flash.success(request, _("Co-counsel on this matter can see this document now."))
        else:
            flash.warning(
                request, _("Shared, but its folder is internal: co-counsel still cannot see it.")
            )
        return redirect("portal:document-detail", document_id=document.pk)
    shared = request.POST.get("shared") == "1"
    services.document_set_shared(
        actor=request.user, meta=RequestMeta.from_request(request), document=document, shared=shared
    )
    if not shared:
        flash.success(request, _("This document is internal now."))
    elif document.folder.shared_with_client:
        flash.success(request, _("The client can see this document now."))
    else:
        flash.warning(
            request, _("Shared, but its folder is internal: the client still cannot see it.")
        )
    return redirect("portal:document-detail", document_id=document.pk)


@require_POST
@staff_required
def document_delete(request: Request, document_id: str) -> HttpResponse:
    document = _staff_document(request, document_id)
    services.document_delete(
        actor=request.user, meta=RequestMeta.from_request(request), document=document
    )
    flash.success(request, _("Document deleted. You can restore it for 30 days."))
    return redirect("portal:document-list", matter_id=document.matter_id)


@require_POST
@staff_required
def document_restore(request: Request, document_id: str) -> HttpResponse:
    document = _staff_document(request, document_id, include_deleted=True)
    try:
        services.document_restore(
            actor=request.user, meta=RequestMeta.from_request(request), document=document
        )
    except ServiceError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, _("Document restored."))
    return redirect("portal:document-list", matter_id=document.matter_id)
