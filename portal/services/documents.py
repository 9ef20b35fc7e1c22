"""Writes for folders, documents and their versions."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from portal import tasks
from portal.audit_actions import PortalAction
from portal.models import (
    UNDO_DAYS,
    Document,
    DocumentRequestItem,
    DocumentVersion,
    Folder,
    Matter,
    User,
)
from portal.selectors.visibility import sees
from portal.services.client_notices import matter_news_notify
from portal.services.inbox import client_activity_notify
from portal.uploads import (
    VirusFound,
    clamd_enabled,
    clamd_scan,
    extract_text_limited,
    max_upload_bytes,
    sanitise_filename,
    sniff,
)

logger = logging.getLogger(__name__)


ATTACHMENTS_FOLDER = "Message attachments"


MAX_FILES_PER_UPLOAD = 20


def folder_create(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    matter: Matter,
    name: str,
    shared_with_client: bool = True,
    client_can_upload: bool = False,
    shared_with_cocounsel: bool = False,
) -> Folder:
    name = sanitise_filename(name, max_length=120)
    try:
        with transaction.atomic():
            folder = Folder.objects.create(
                matter=matter,
                name=name,
                shared_with_client=shared_with_client,
                client_can_upload=client_can_upload and shared_with_client,
                shared_with_cocounsel=shared_with_cocounsel,
                created_by=actor,
            )
            audit_record(
                action=PortalAction.FOLDER_CREATED,
                actor=actor,
                meta=meta,
                matter_id=matter.pk,
                obj=folder,
                data={
                    "shared": folder.shared_with_client,
                    "client_upload": folder.client_can_upload,
                    "cocounsel": folder.shared_with_cocounsel,
                },
            )
    except IntegrityError as exc:
        raise ServiceError(_("This matter already has a folder with that name.")) from exc
    return folder


def _attachments_folder(matter: Matter) -> Folder:
    folder, _created = Folder.objects.get_or_create(
        matter=matter,
        name=ATTACHMENTS_FOLDER,
        defaults={"shared_with_client": True, "client_can_upload": False},
    )
    return folder


def _scan_status(upload: UploadedFile, name: str) -> str:
    if not clamd_enabled():
        return DocumentVersion.ScanStatus.NOT_SCANNED
    try:
        clamd_scan(upload)
    except VirusFound as exc:
        raise ServiceError(
            _("“%(name)s” looks infected and was not uploaded.") % {"name": name}
        ) from exc
    except OSError:
        logger.warning("clamd unreachable; upload kept in quarantine")
        return DocumentVersion.ScanStatus.QUARANTINED
    return DocumentVersion.ScanStatus.CLEAN


def _checked_files(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, str, str]]:
    """Every file is checked before any is stored: one refusal stores nothing."""
    if not files:
        raise ServiceError(_("Choose at least one file."))
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise ServiceError(_("Upload at most %(n)d files at once.") % {"n": MAX_FILES_PER_UPLOAD})
    checked = []
    limit = max_upload_bytes()
    for upload in files:
        name = sanitise_filename(upload.name or "")
        if upload.size is None or upload.size > limit:
            raise ServiceError(
                _("“%(name)s” is larger than the limit of %(mb)d MB.")
                % {"name": name, "mb": limit // (1024 * 1024)}
            )
        if upload.size == 0:
            raise ServiceError(_("“%(name)s” is empty.") % {"name": name})
        sniffed = sniff(upload)
        if not sniffed.ok:
            raise ServiceError(
                _(
                    "“%(name)s” is not a type we accept. Upload a PDF, a photo, an office "
                    "document, a plain-text file or a ZIP archive."
                )
                % {"name": name}
            )
        checked.append((upload, name, sniffed.content_type or ""))
    # Scanned last, so a type refusal never waits for the antivirus.
    return [(upload, name, kind, _scan_status(upload, name)) for upload, name, kind in checked]


def uploads_check(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, str, str]]:
    """The portal's checks for files another app keeps (size, magic bytes, antivirus):
    (upload, safe name, content type, scan status) each, or a ServiceError for the lot."""
    return _checked_files(files)


def upload_sha256(upload: UploadedFile) -> str:
    return _sha256(upload)


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _may_upload_into(user: User, folder: Folder) -> bool:
    if user.is_firm_staff:
        return True
    if user.is_cocounsel:
        # Co-counsel exchange documents in any folder they see.
        return sees(user, folder)
    return folder.shared_with_client and folder.client_can_upload


def _free_name(*, folder: Folder, name: str) -> str:
    """The name with " (2)", " (3)"… before the extension, first one not live in the folder."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, dot, ext = name, "", ""
    taken = set(
        Document.objects.filter(folder=folder, deleted_at=None, name__startswith=stem).values_list(
            "name", flat=True
        )
    )
    n = 2
    while f"{stem} ({n}){dot}{ext}" in taken:
        n += 1
    return f"{stem} ({n}){dot}{ext}"


def document_upload(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    matter: Matter,
    folder: Folder,
    files: Sequence[UploadedFile],
    shared_with_client: bool = True,
    shared_with_cocounsel: bool = False,
    request_item: DocumentRequestItem | None = None,
    _bypass_folder_check: bool = False,
    _notify: bool = True,
) -> list[DocumentVersion]:
    """Store each file as a document, or as a new version when the name exists in the folder.

    The caller has checked that the actor may see the matter; the folder must belong to it.
    """
    if folder.matter_id != matter.pk:
        raise ServiceError(_("This folder does not belong to the matter."))
    if not _bypass_folder_check and not _may_upload_into(actor, folder):
        raise ServiceError(_("You cannot upload into this folder."))
    if not actor.is_firm_side:
        shared_with_client = True
    if actor.is_cocounsel:
        # What co-counsel upload stays in their view.
        shared_with_cocounsel = True
    checked = _checked_files(files)
    saved_names: list[str] = []
    versions: list[DocumentVersion] = []
    try:
        with transaction.atomic():
            locked_folder = Folder.objects.select_for_update().get(pk=folder.pk)
            for upload, name, content_type, scan_status in checked:
                now = timezone.now()
                document = (
                    Document.objects.select_for_update()
                    .filter(folder=locked_folder, name=name, deleted_at=None)
                    .first()
                )
                if document is not None and not sees(actor, document):
                    # A client (or co-counsel) never adds a version to a document the firm
                    # keeps from them: the file would vanish from their view into it.
                    name = _free_name(folder=locked_folder, name=name)
                    document = None
                created = document is None
                if document is None:
                    document = Document.objects.create(
                        matter=matter,
                        folder=locked_folder,
                        name=name,
                        shared_with_client=shared_with_client,
                        shared_with_cocounsel=shared_with_cocounsel,
                        created_by=actor,
                        created_at=now,
                        updated_at=now,
                    )
                document.version_count += 1
                document.updated_at = now
                document.save(update_fields=["version_count", "updated_at"])
                version = DocumentVersion(
                    document=document,
                    number=document.version_count,
                    original_name=name,
                    size=upload.size or 0,
                    content_type=content_type,
                    sha256=_sha256(upload),
                    uploaded_by=actor,
                    uploaded_at=now,
                    request_item=request_item,
                    scan_status=scan_status,
                )
                version.file.save("upload", upload, save=False)
                saved_names.append(version.file.name or "")
                version.save()
                versions.append(version)
                audit_record(
                    action=(
                        PortalAction.DOCUMENT_UPLOADED if created else PortalAction.DOCUMENT_VERSION
                    ),
                    actor=actor,
                    meta=meta,
                    matter_id=matter.pk,
                    obj=version,
                    data={
                        "document": str(document.pk),
                        "version": version.number,
                        "size": version.size,
                        "type": content_type,
                    },
                )
            # The client's upload tells the firm; what the firm shares tells the clients.
            if _notify and not actor.is_firm_side:
                client_activity_notify(matter_id=matter.pk, actor_id=actor.pk)
            elif (
                _notify
                and locked_folder.shared_with_client
                and any(v.document.shared_with_client for v in versions)
            ):
                matter_news_notify(matter_id=matter.pk)
            ids = [str(v.pk) for v in versions]
            quarantined = [
                str(v.pk)
                for v in versions
                if v.scan_status == DocumentVersion.ScanStatus.QUARANTINED
            ]
            # robust: a broker hiccup after commit is logged, not shown as an error page
            # for an upload that did succeed.
            transaction.on_commit(
                lambda: [tasks.document_version_extract_text.delay(i) for i in ids], robust=True
            )
            if quarantined:
                transaction.on_commit(
                    lambda: [
                        tasks.document_version_rescan.apply_async((i,), countdown=300)
                        for i in quarantined
                    ],
                    robust=True,
                )
    except Exception:
        # The rows rolled back; the files must not stay behind either.
        for stored in saved_names:
            try:
                default_storage.delete(stored)
            except OSError:
                logger.warning("could not remove an orphaned upload")
        raise
    return versions


def document_version_rescan(*, version_id: str) -> str:
    """Scan a quarantined version again: clean releases it, infected removes the file.

    Raises OSError while clamd is still unreachable, so the task retries later.
    """
    version = DocumentVersion.objects.filter(
        pk=version_id, scan_status=DocumentVersion.ScanStatus.QUARANTINED
    ).first()
    if version is None:
        return "nothing to do"
    try:
        with version.file.open("rb") as fh:
            clamd_scan(fh)
    except VirusFound:
        version.file.delete(save=False)
        DocumentVersion.objects.filter(pk=version_id).update(
            scan_status=DocumentVersion.ScanStatus.INFECTED
        )
        audit_record(
            action=PortalAction.DOCUMENT_DELETED,
            actor=None,
            matter_id=version.document.matter_id,
            obj=version,
            data={"reason": "virus"},
        )
        return "infected"
    DocumentVersion.objects.filter(pk=version_id).update(
        scan_status=DocumentVersion.ScanStatus.CLEAN
    )
    return "clean"


def _text_readable(content_type: str) -> bool:
    return content_type in ("application/pdf", "text/plain") or content_type.endswith(
        "wordprocessingml.document"
    )


def document_version_extract_text(*, version_id: str) -> None:
    """Search text for one version, once: done (text or none) is marked text_extracted_at.

    Storage errors (OSError) leave it unmarked, so the task or the sweep tries again.
    """
    version = DocumentVersion.objects.filter(pk=version_id, text_extracted_at=None).first()
    if version is None:
        return
    text = ""
    if _text_readable(version.content_type) and not version.text:
        try:
            with version.file.open("rb") as fh:
                data = fh.read(max_upload_bytes() + 1)
        except FileNotFoundError:
            data = b""  # removed (a virus): nothing to read, nothing to retry
        if 0 < len(data) <= max_upload_bytes():  # larger than any upload: not worth parsing
            # A child process with memory and time limits: a bad file fails that file only.
            limited = extract_text_limited(data, version.content_type)
            if limited is None:
                logger.warning("text extraction of a document version hit its limits; no text")
            text = limited or ""
    fields: dict[str, object] = {"text_extracted_at": timezone.now()}
    if text:
        fields["text"] = text
    DocumentVersion.objects.filter(pk=version_id, text_extracted_at=None).update(**fields)


def documents_text_extract_pending(*, now: dt.datetime | None = None, limit: int = 20) -> int:
    """The net under the upload's task: extract versions whose task never ran (the broker
    was down) or failed on storage. Only those older than two minutes, so the task goes
    first; at most `limit` per run. Returns how many are done."""
    now = now or timezone.now()
    ids = list(
        DocumentVersion.objects.filter(
            text_extracted_at=None, uploaded_at__lte=now - dt.timedelta(minutes=2)
        )
        .order_by("uploaded_at")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for version_id in ids:
        try:
            document_version_extract_text(version_id=str(version_id))
        except OSError as exc:  # storage unreachable: the next run tries again
            logger.warning("text extraction postponed (%s)", type(exc).__name__)
        else:
            done += 1
    return done


def document_set_shared(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    document: Document,
    shared: bool | None = None,
    cocounsel: bool | None = None,
) -> Document:
    """Share a document with the client (`shared`) or with co-counsel (`cocounsel`), or
    keep it from them; None leaves that side as it is."""
    if cocounsel is not None:
        document, _changed = _document_flag_set(
            actor=actor,
            meta=meta,
            document=document,
            field="shared_with_cocounsel",
            value=cocounsel,
            key="cocounsel",
        )
    if shared is None:
        return document
    with transaction.atomic():
        document, changed = _document_flag_set(
            actor=actor,
            meta=meta,
            document=document,
            field="shared_with_client",
            value=shared,
            key="shared",
        )
        if (
            changed
            and shared
            and document.folder.shared_with_client
            and document.deleted_at is None
        ):
            matter_news_notify(matter_id=document.matter_id)
    return document


def _document_flag_set(
    *,
    actor: User,
    meta: RequestMeta | None,
    document: Document,
    field: str,
    value: bool,
    key: str,
) -> tuple[Document, bool]:
    """Set one sharing flag under a row lock; audited when it changes."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if getattr(document, field) == value:
            return document, False
        setattr(document, field, value)
        document.save(update_fields=[field])
        audit_record(
            action=PortalAction.DOCUMENT_SHARED,
            actor=actor,
            meta=meta,
            matter_id=document.matter_id,
            obj=document,
            data={key: value},
        )
    return document, True


def document_delete(
    *, actor: User, meta: RequestMeta | None = None, document: Document
) -> Document:
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("matter").get(pk=document.pk)
        if document.deleted_at is None:
            document.deleted_at = timezone.now()
            document.deleted_by = actor
            document.save(update_fields=["deleted_at", "deleted_by"])
            audit_record(
                action=PortalAction.DOCUMENT_DELETED,
                actor=actor,
                meta=meta,
                matter_id=document.matter_id,
                obj=document,
            )
    return document


def document_restore(
    *, actor: User, meta: RequestMeta | None = None, document: Document
) -> Document:
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("matter").get(pk=document.pk)
        if document.deleted_at is None:
            return document
        if document.deleted_at + dt.timedelta(days=UNDO_DAYS) < timezone.now():
            raise ServiceError(
                _("Deleted documents can be restored for %(days)d days; this one is older.")
                % {"days": UNDO_DAYS}
            )
        if Document.objects.filter(
            folder_id=document.folder_id, name=document.name, deleted_at=None
        ).exists():
            raise ServiceError(
                _("A document with the same name is in the folder now. Rename or delete it first.")
            )
        document.deleted_at = None
        document.deleted_by = None
        document.save(update_fields=["deleted_at", "deleted_by"])
        audit_record(
            action=PortalAction.DOCUMENT_RESTORED,
            actor=actor,
            meta=meta,
            matter_id=document.matter_id,
            obj=document,
        )
    return document


def document_record_view(
    *, user: User, meta: RequestMeta | None = None, document: Document
) -> None:
    audit_record(
        action=PortalAction.DOCUMENT_VIEWED,
        actor=user,
        meta=meta,
        matter_id=document.matter_id,
        obj=document,
    )


def document_record_download(
    *, user: User, meta: RequestMeta | None = None, version: DocumentVersion
) -> None:
    audit_record(
        action=PortalAction.DOCUMENT_DOWNLOADED,
        actor=user,
        meta=meta,
        matter_id=version.document.matter_id,
        obj=version,
        data={"document": str(version.document_id), "version": version.number},
    )


def folder_set_cocounsel(
    *, actor: User, meta: RequestMeta | None = None, folder: Folder, shared: bool
) -> Folder:
    """Show a folder to the matter's co-counsel, or keep it from them."""
    with transaction.atomic():
        folder = Folder.objects.select_for_update().get(pk=folder.pk)
        if folder.shared_with_cocounsel != shared:
            folder.shared_with_cocounsel = shared
            folder.save(update_fields=["shared_with_cocounsel"])
            audit_record(
                action=PortalAction.FOLDER_SHARED,
                actor=actor,
                meta=meta,
                matter_id=folder.matter_id,
                obj=folder,
                data={"cocounsel": shared},
            )
    return folder
