"""The audit actions notifications records (declared in NotificationsConfig.ready())."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationsAction(models.TextChoices):
    TEMPLATE_CHANGED = "notification.template_changed", _("Notification template changed")
