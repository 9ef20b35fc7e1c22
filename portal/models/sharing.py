"""External co-counsel's access to one matter until a date."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.matters import Matter


class CoCounselGrant(models.Model):
    """External co-counsel's access to one matter until a date (checked on every request)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="cocounsel_grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cocounsel_grants"
    )
    expires_at = models.DateTimeField(_("access until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["matter", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="cocounsel_one_open_grant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.matter_id}"

    def is_active(self, at: dt.datetime | None = None) -> bool:
        now = at or timezone.now()
        return self.revoked_at is None and self.expires_at > now
