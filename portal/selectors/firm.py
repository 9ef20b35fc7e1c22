"""The firm's settings (cached: every page reads them)."""

from __future__ import annotations

from django.core.cache import cache

from core.languages import firm_text_fallback_set
from portal.models import (
    Firm,
)

FIRM_CACHE_KEY = "atrium:firm:v2"


def firm_get() -> Firm:
    firm = cache.get(FIRM_CACHE_KEY)
    if firm is None:
        firm, _created = Firm.objects.get_or_create(pk=1)
        cache.set(FIRM_CACHE_KEY, firm, 300)
    # Firm-written texts missing in the reader's language show in the firm's own language.
    firm_text_fallback_set(firm.default_language)
    return firm
