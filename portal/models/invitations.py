"""Single-use, expiring links that let a client or co-counsel set a password."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.models.people import Contact, User
from portal.models.sharing import CoCounselGrant


class Invitation(models.Model):
    """A single-use, expiring link that lets a client or co-counsel set a password."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=User.Role.choices, default=User.Role.CLIENT)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    grant = models.ForeignKey(
        CoCounselGrant, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    # Only a hash is stored: the link itself exists only in the email.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"
