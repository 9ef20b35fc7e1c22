from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import lazy

from portal.selectors import firm_get, office_hours_text

# Rendered only where a page shows it, in the viewer's language.
_office_hours = lazy(office_hours_text, str)


def firm(request: HttpRequest) -> dict[str, Any]:
    return {
        "firm": firm_get(),
        "firm_office_hours": _office_hours(),
        "current_tz": timezone.get_current_timezone_name(),
        "ATRIUM_LANGUAGES": settings.LANGUAGES,
    }
