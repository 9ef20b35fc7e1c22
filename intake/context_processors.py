"""Template context the lower layers' pages may use without knowing intake's URLs."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse


def privacy(request: HttpRequest) -> dict[str, str]:
    """The firm's privacy notice, linked from the booking form (no query)."""
    return {"privacy_url": reverse("intake:privacy")}
