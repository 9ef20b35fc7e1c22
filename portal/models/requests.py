"""Document requests: a checklist the client works through."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.documents import Folder
from portal.models.matters import Matter


class DocumentRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        COMPLETE = "complete", _("Complete")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="document_requests")
    folder = models.ForeignKey(Folder, on_delete=models.PROTECT, related_name="requests")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set when staff corrected it after posting (the earlier values are in Revision).
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "created_at"]
        indexes: ClassVar = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title


class DocumentRequestItem(models.Model):
    class Status(models.TextChoices):
        MISSING = "missing", _("Missing")
        SUBMITTED = "submitted", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Sent back")
        WITHDRAWN = "withdrawn", _("No longer needed")

    # Allowed moves (who moves them: the client submits, staff accept or return).
    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        Status.MISSING: (Status.SUBMITTED,),
        Status.SUBMITTED: (Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED),
        Status.RETURNED: (Status.SUBMITTED,),
        Status.ACCEPTED: (),
        Status.WITHDRAWN: (),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(DocumentRequest, on_delete=models.CASCADE, related_name="items")
    label = models.CharField(_("item"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MISSING)
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Set when staff corrected it after posting (the earlier values are in Revision).
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())

    @property
    def is_outstanding(self) -> bool:
        return self.status in (self.Status.MISSING, self.Status.RETURNED)
