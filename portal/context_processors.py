from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from portal.selectors import firm_get


def firm(request: HttpRequest) -> dict[str, Any]:
    return {
        "firm": firm_get(),
        "current_tz": timezone.get_current_timezone_name(),
        "ATRIUM_LANGUAGES": settings.LANGUAGES,
    }
