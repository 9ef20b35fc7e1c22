"""Client tasks: what the firm asks a client to do by a date."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.matters import Matter


class ClientTask(models.Model):
    class Kind(models.TextChoices):
        REVIEW = "review", _("Review")
        SIGN_UPLOAD = "sign_upload", _("Sign and upload")
        BOOK = "book", _("Book an appointment")
        PAY = "pay", _("Pay")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="client_tasks")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.REVIEW)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("details"), max_length=2000, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when staff corrected it after posting (the earlier values are in Revision).
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "created_at"]
        indexes: ClassVar = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["matter", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()
