from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """An app only for its template filters (`{% load atrium %}`) and translations."""

    name = "core"
    verbose_name = _("Core")
