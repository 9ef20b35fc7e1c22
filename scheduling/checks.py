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


@register("scheduling")
def oauth_apps_complete(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A Google or Microsoft registration needs its id and secret together."""
    problems: list[CheckMessage] = []
    pairs = (
        ("ATRIUM_GOOGLE_CLIENT_ID", "ATRIUM_GOOGLE_CLIENT_SECRET", "scheduling.W002"),
        ("ATRIUM_MICROSOFT_CLIENT_ID", "ATRIUM_MICROSOFT_CLIENT_SECRET", "scheduling.W003"),
    )
    for id_name, secret_name, check_id in pairs:
        if bool(getattr(settings, id_name)) != bool(getattr(settings, secret_name)):
            problems.append(
                Warning(
                    f"{id_name} and {secret_name} must be set together; with only one, "
                    "that provider is not offered.",
                    id=check_id,
                )
            )
    return problems
