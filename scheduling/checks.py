"""System checks for the calendar secrets' keys (ATRIUM_CALENDAR_KEYS)."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register("scheduling")
def calendar_keys_valid(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    for position, key in enumerate(k.strip() for k in settings.ATRIUM_CALENDAR_KEYS):
        try:
            Fernet(key.encode())
        except ValueError:
            problems.append(
                Error(
                    f"ATRIUM_CALENDAR_KEYS: key {position + 1} is not a Fernet key "
                    "(32 url-safe base64-encoded bytes).",
                    id="scheduling.E001",
                )
            )
    return problems


@register("scheduling", deploy=True)
def calendar_keys_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if any(k.strip() for k in settings.ATRIUM_CALENDAR_KEYS):
        return []
    return [
        Warning(
            "ATRIUM_CALENDAR_KEYS is not set: calendar passwords are encrypted with a key "
            "derived from SECRET_KEY, so rotating SECRET_KEY makes them unreadable.",
            hint='python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"',
            id="scheduling.W001",
        )
    ]
