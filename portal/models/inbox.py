"""The staff inbox's one stored fact: "no reply needed" (everything else is derived)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_plain_text
from portal.models.matters import Matter


class InboxDismissal(models.Model):
    """Staff decided what the client sent so far needs no reply, and said why.

    A matter waits in the inbox while the client wrote or uploaded something after the
    firm's last message and after the last of these.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="inbox_dismissals")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(_("reason"), max_length=300, validators=[validate_plain_text])

    class Meta:
        ordering = ["-dismissed_at"]
        verbose_name = _("no reply needed")
        verbose_name_plural = _("no reply needed")
        indexes: ClassVar = [models.Index(fields=["matter", "-dismissed_at"])]

    def __str__(self) -> str:
        return self.reason
