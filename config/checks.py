"""Deployment checks of project-wide settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register("security", deploy=True)
def content_security_policy_enforced(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.ATRIUM_CSP_REPORT_ONLY:
        return []
    return [
        Warning(
            "ATRIUM_CSP_REPORT_ONLY is on: the Content-Security-Policy only reports what it "
            "would block, so an injected script would run.",
            hint="Unset ATRIUM_CSP_REPORT_ONLY in production.",
            id="atrium.W001",
        )
    ]
