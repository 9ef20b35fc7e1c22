from __future__ import annotations

from django.apps import AppConfig


class AtriumConfig(AppConfig):
    """The top layer as an app, for the commands that need every app (seed_demo)."""

    name = "config"
    label = "atrium"
    verbose_name = "Atrium"

    def ready(self) -> None:
        from config import checks  # noqa: F401  (registers the deployment checks on import)
