"""What staff changed in something already posted: the earlier values, who and when.

One row per correction of a timeline entry, a client task, a checklist or one of its items,
a folder or a document. Staff see the history on the item's edit page; clients see only the
current version, marked "edited".
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.matters import Matter


class Revision(models.Model):
    class Kind(models.TextChoices):
        TIMELINE = "timeline", _("Timeline entry")
        TASK = "task", _("Client task")
        REQUEST = "request", _("Requested documents")
        REQUEST_ITEM = "request_item", _("Requested item")
        FOLDER = "folder", _("Folder")
        DOCUMENT = "document", _("Document")

    class Action(models.TextChoices):
        EDITED = "edited", _("Edited")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled")
        ADDED = "added", _("Added")

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.UUIDField()
    action = models.CharField(max_length=12, choices=Action.choices, default=Action.EDITED)
    # {field: [earlier value, new value]}, values as the person typed them (dates ISO).
    changes = models.JSONField(default=dict, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-edited_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["kind", "object_id", "-edited_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.action}"
