"""Absolute links for emails, SMS, calendar files and feeds: the one place SITE_URL is used."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """SITE_URL + path; a URL that is already absolute is returned as it is."""
    if path.startswith(("https://", "http://")):
        return path
    return f"{settings.SITE_URL}{path}"
