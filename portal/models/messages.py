"""Secure messages: one thread per matter that clients, staff and co-counsel share."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_plain_text
from portal.models.documents import DocumentVersion
from portal.models.matters import Matter

MESSAGE_MAX_CHARS = 20_000


class Message(models.Model):
    class Side(models.TextChoices):
        CLIENT = "client", _("Client")
        FIRM = "firm", _("Firm")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=6, choices=Side.choices)
    text = models.TextField(max_length=MESSAGE_MAX_CHARS)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The first time someone on the other side opened it.
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attachments = models.ManyToManyField(DocumentVersion, blank=True, related_name="messages")
    # A client message: the firm's response_hours when it was sent, so a wait is judged by
    # the promise in force when it started (portal.waits).
    promise_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    # Staff decided this client message needs no reply: the wait it is part of ends here.
    no_reply_needed_at = models.DateTimeField(null=True, blank=True)
    no_reply_reason = models.CharField(
        _("why no reply is needed"),
        max_length=300,
        blank=True,
        default="",
        validators=[validate_plain_text],
    )
    no_reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes: ClassVar = [
            models.Index(fields=["matter", "-created_at"]),
            models.Index(fields=["matter", "side", "read_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.created_at:%Y-%m-%d %H:%M}"
