"""Document folders, documents and their versions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from portal.models.matters import Matter

# Soft-deleted documents can be restored by staff for this long.
UNDO_DAYS = 30


def version_key(instance: DocumentVersion, filename: str) -> str:
    """The storage key is chosen by the server; the person's filename never reaches it."""
    return f"documents/{instance.document.matter_id}/{uuid.uuid4().hex}"


# Folders the portal makes by itself. Stored under their English names (so lookups and the
# unique name per matter stay stable) and shown in the reader's language.
SYSTEM_FOLDER_NAMES: dict[str, str] = {
    "Message attachments": gettext_noop("Message attachments"),
    "Requested documents": gettext_noop("Requested documents"),
}


class Folder(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(_("name"), max_length=120)
    shared_with_client = models.BooleanField(_("visible to the client"), default=True)
    client_can_upload = models.BooleanField(_("the client may upload here"), default=False)
    # Co-counsel see what is shared with the client and what is shared with them
    # (portal.selectors.visibility).
    shared_with_cocounsel = models.BooleanField(_("visible to co-counsel"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when staff corrected it after posting (the earlier values are in Revision).
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("folder")
        verbose_name_plural = _("folders")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["matter", "name"], name="folder_unique_name"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name to show: a system folder's in the reader's language, others as typed."""
        system = SYSTEM_FOLDER_NAMES.get(self.name)
        return gettext(system) if system else self.name


class Document(models.Model):
    """A named file in a folder; each upload of the same name adds a version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="documents")
    folder = models.ForeignKey(Folder, on_delete=models.PROTECT, related_name="documents")
    name = models.CharField(_("name"), max_length=200)
    shared_with_client = models.BooleanField(_("shared with the client"), default=True)
    shared_with_cocounsel = models.BooleanField(_("shared with co-counsel"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version_count = models.PositiveIntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when staff corrected it after posting (the earlier values are in Revision).
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["folder__name", "name"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["folder", "name"],
                condition=models.Q(deleted_at__isnull=True),
                name="document_unique_live_name",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["matter", "deleted_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def restorable_until(self) -> dt.datetime | None:
        if self.deleted_at is None:
            return None
        return self.deleted_at + dt.timedelta(days=UNDO_DAYS)


class DocumentVersion(models.Model):
    class ScanStatus(models.TextChoices):
        NOT_SCANNED = "not_scanned", _("Not scanned")
        CLEAN = "clean", _("Clean")
        QUARANTINED = "quarantined", _("Waiting for a virus scan")
        INFECTED = "infected", _("Removed: a virus was found")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=version_key, max_length=200)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    scan_status = models.CharField(
        max_length=12, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED
    )
    # Plain text pulled out of PDF, DOCX and text files, for search.
    text = models.TextField(blank=True, default="")
    # When extraction finished (with or without text); empty: still to do, so a task lost
    # in a broker outage is picked up by the sweep (documents_text_extract_pending).
    text_extracted_at = models.DateTimeField(null=True, blank=True)
    request_item = models.ForeignKey(
        "DocumentRequestItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="versions",
    )

    class Meta:
        ordering = ["-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["document", "number"], name="version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.document.name} v{self.number}"
