"""The audit log table (created by portal's first migrations; the model moved here)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import actions


class AuditEvent(models.Model):
    """Append-only record of who did what, when and from where.

    Never holds passwords, tokens or message bodies. The admin is read-only and on
    PostgreSQL a trigger refuses UPDATE and DELETE (portal migration 0002).

    The matter is a key, not a foreign key: the log must outlive what it describes, and
    audit sits below the app that owns matters. (Matters are closed, never deleted.)
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT: the rows can never be rewritten, so people with a history are deactivated
    # rather than deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=actions.MAX_LENGTH, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    matter_id = models.UUIDField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "portal_auditevent"
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes: ClassVar = [
            models.Index(fields=["matter_id", "-at"], name="portal_audi_matter__687170_idx"),
            models.Index(fields=["actor", "-at"], name="portal_audi_actor_i_c91e0e_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only")

    @property
    def action_label(self) -> str:
        return actions.label(self.action)
